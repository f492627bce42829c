#include "labels/manifest.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/image.h"
#include "core/json_number.h"
#include "core/json_write.h"
#include "core/strings.h"

namespace fk::labels {

using nlohmann::json;

std::string Manifest::ResolvePath(const std::string& source_ref) const {
  if (source_ref.empty() || source_ref[0] == '/' || dir.empty()) return source_ref;
  return dir + "/" + source_ref;
}

std::string NowIso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
#if defined(_WIN32)
  gmtime_s(&tm, &t);
#else
  gmtime_r(&t, &tm);
#endif
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000", &tm);
  return buf;
}

namespace {

// Box coordinates beyond this are not a typo of a pixel position in an image
// of at most kMaxImageSide (8192) px; they are refused before becoming floats.
constexpr double kMaxCoordinate = 1e6;

std::string FindLabelAttribute(const json& j) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (j.contains(it.key() + "-metadata")) return it.key();
  }
  return "";
}

}  // namespace

namespace {
using Report = std::function<void(const std::string&)>;

// The class-map is read before the annotations: they are checked against it.
void ReadClassMap(const json& meta, const std::string& meta_key, Manifest& m, const Report& report) {
  if (!meta.contains("class-map") || !meta["class-map"].is_object()) {
    report("missing field '" + meta_key + ".class-map'");
    return;
  }
  for (auto it = meta["class-map"].begin(); it != meta["class-map"].end(); ++it) {
    char* end = nullptr;
    errno = 0;
    const long id = std::strtol(it.key().c_str(), &end, 10);
    if (end == it.key().c_str() || *end || errno || id < 0 || id > INT32_MAX || !it->is_string()) {
      report(meta_key + ".class-map: bad entry '" + it.key() + "'");
      continue;
    }
    auto found = m.class_map.find(int(id));
    if (found == m.class_map.end()) m.class_map[int(id)] = it->get<std::string>();
  }
}

// Annotation k of one line with its objects[k] metadata; false (and a report) when the box is dropped.
bool ReadAnnotation(const json& anns, const json* objects, size_t k, const std::string& attr,
                    const std::string& meta_key, const Manifest& m, LabeledImage& img, const Report& report) {
  const std::string where = attr + ".annotations[" + std::to_string(k) + "]";
  if (!anns[k].is_object()) {
    report(where + ": not an object");
    return false;
  }
  std::string why;
  int64_t cid = 0;
  double l = 0, t = 0, bw = 0, bh = 0;
  const json& a = anns[k];
  if (!JsonIntAt(a, "class_id", 0, INT32_MAX, &cid, &why) ||
      !JsonNumberAt(a, "left", -kMaxCoordinate, kMaxCoordinate, &l, &why) ||
      !JsonNumberAt(a, "top", -kMaxCoordinate, kMaxCoordinate, &t, &why) ||
      !JsonNumberAt(a, "width", -kMaxCoordinate, kMaxCoordinate, &bw, &why) ||
      !JsonNumberAt(a, "height", -kMaxCoordinate, kMaxCoordinate, &bh, &why)) {
    report(where + ": " + why);
    return false;
  }
  if (!m.class_map.count(int(cid))) {
    report(where + ": unknown class_id " + std::to_string(cid) + " (not in class-map)");
    return false;
  }
  Box b{float(l), float(t), float(bw), float(bh), int(cid), 1.f, false};
  if (objects && k < objects->size() && (*objects)[k].is_object()) {
    const json& o = (*objects)[k];
    double conf = 1;
    if (o.contains("confidence") && !JsonNumberAt(o, "confidence", 0, 1, &conf, &why))
      report(meta_key + ".objects[" + std::to_string(k) + "]: " + why + " (the box is kept with confidence 1)");
    b.confidence = float(conf);
    if (o.contains("adjusted") && o["adjusted"].is_boolean()) b.adjusted = o["adjusted"].get<bool>();
  }
  if (bw <= 0 || bh <= 0) {
    report(where + ": empty box (width/height <= 0)");
    return false;
  }
  if (l < 0 || t < 0 || l + bw > img.width || t + bh > img.height) {
    Box c = b;
    const std::string size = std::to_string(img.width) + "x" + std::to_string(img.height);
    if (!ClipBox(&c, img.width, img.height)) {
      report(where + ": box lies outside the " + size + " image (dropped)");
      return false;
    }
    report(where + ": box extends outside the " + size + " image (clipped)");
    b = c;
  }
  img.boxes.push_back(b);
  return true;
}

// One manifest line; false (and a report) when the line gives no image.
bool ReadLine(const std::string& line, Manifest& m, const Report& report, bool allow_unlabeled) {
  json j;
  try {
    j = json::parse(line);
  } catch (const std::exception& e) {
    report(std::string("not valid JSON (") + e.what() + ")");
    return false;
  }
  if (!j.is_object()) {
    report("line is not a JSON object");
    return false;
  }
  if (!j.contains("source-ref") || !j["source-ref"].is_string()) {
    report("missing field 'source-ref'");
    return false;
  }
  if (allow_unlabeled && j.size() == 1) {  // only "source-ref": an image still to label
    LabeledImage img;
    img.source_ref = j["source-ref"].get<std::string>();
    img.labeled = false;
    img.width = img.height = 0;
    m.images.push_back(std::move(img));
    return true;
  }
  std::string attr = m.label_attribute.empty() ? FindLabelAttribute(j) : m.label_attribute;
  if (attr.empty()) {
    report("no label attribute (a key with a '<key>-metadata' sibling)");
    return false;
  }
  if (m.label_attribute.empty()) m.label_attribute = attr;
  const std::string meta_key = attr + "-metadata";
  if (!j.contains(attr) || !j[attr].is_object()) {
    report("missing field '" + attr + "'");
    return false;
  }
  if (!j.contains(meta_key) || !j[meta_key].is_object()) {
    report("missing field '" + meta_key + "'");
    return false;
  }
  const json& lab = j[attr];
  const json& meta = j[meta_key];
  LabeledImage img;
  img.source_ref = j["source-ref"].get<std::string>();
  if (!lab.contains("image_size") || !lab["image_size"].is_array() || lab["image_size"].empty() ||
      !lab["image_size"][0].is_object()) {
    report("missing field '" + attr + ".image_size'");
    return false;
  }
  std::string why;
  int64_t w = 0, h = 0, d = 3;
  const json& sz = lab["image_size"][0];
  if (!JsonIntAt(sz, "width", 1, kMaxImageSide, &w, &why) || !JsonIntAt(sz, "height", 1, kMaxImageSide, &h, &why) ||
      (sz.contains("depth") && !JsonIntAt(sz, "depth", 1, 4, &d, &why))) {
    report(attr + ".image_size[0]: " + why);
    return false;
  }
  img.width = int(w);
  img.height = int(h);
  img.depth = int(d);
  if (!lab.contains("annotations") || !lab["annotations"].is_array()) {
    report("missing field '" + attr + ".annotations'");
    return false;
  }
  ReadClassMap(meta, meta_key, m, report);
  const json* objects = meta.contains("objects") && meta["objects"].is_array() ? &meta["objects"] : nullptr;
  const json& anns = lab["annotations"];
  for (size_t k = 0; k < anns.size(); k++) ReadAnnotation(anns, objects, k, attr, meta_key, m, img, report);
  if (meta.contains("human-annotated") && meta["human-annotated"].is_string())
    img.human_annotated = meta["human-annotated"].get<std::string>() == "yes";
  if (meta.contains("creation-date") && meta["creation-date"].is_string())
    img.creation_date = meta["creation-date"].get<std::string>();
  if (meta.contains("job-name") && meta["job-name"].is_string()) img.job_name = meta["job-name"].get<std::string>();
  m.images.push_back(std::move(img));
  return true;
}
}  // namespace

Result<Manifest> ParseManifest(const std::string& text, const std::string& name, std::vector<std::string>* problems,
                               const std::string& label_attribute, bool allow_unlabeled) {
  Manifest m;
  m.label_attribute = label_attribute;
  std::istringstream in{std::string(StripUtf8Bom(text))};  // a BOM is not part of line 1
  std::string line;
  int lineno = 0;
  const Report report = [&](const std::string& msg) {
    if (problems) problems->push_back(name + ":" + std::to_string(lineno) + ": " + msg);
  };
  while (std::getline(in, line)) {
    lineno++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ReadLine(line, m, report, allow_unlabeled);
  }
  if (m.label_attribute.empty()) m.label_attribute = "bounding-box";
  return m;
}

Result<Manifest> ReadManifest(const std::string& path, std::vector<std::string>* problems,
                              const std::string& label_attribute, bool allow_unlabeled) {
  FileError why;
  Result<std::string> text = ReadFile(path, &why);
  if (why == FileError::kCannotOpen) return Status::Error(path + ": cannot open manifest");
  if (!text) return text.status();
  Result<Manifest> r = ParseManifest(*text, path, problems, label_attribute, allow_unlabeled);
  if (r) {
    const size_t slash = path.find_last_of('/');
    r->dir = slash == std::string::npos ? "." : path.substr(0, slash);
  }
  return r;
}

// Doubles, so the JSON says 18.67 and not 18.670000076293945.
static double Round2(float v) { return std::round(double(v) * 100.0) / 100.0; }
static double Round4(float v) { return std::round(double(v) * 10000.0) / 10000.0; }

std::string ManifestToString(const Manifest& m) {
  std::string out;
  json cmap = json::object();
  for (auto& [id, n] : m.class_map) cmap[std::to_string(id)] = n;
  for (const LabeledImage& img : m.images) {
    json anns = json::array(), objs = json::array();
    bool any_adjusted = false;
    for (const Box& b : img.boxes) {
      anns.push_back({{"class_id", b.class_id},
                      {"left", Round2(b.left)},
                      {"top", Round2(b.top)},
                      {"width", Round2(b.width)},
                      {"height", Round2(b.height)}});
      json o = {{"confidence", Round4(b.confidence)}};
      if (b.adjusted) {
        o["adjusted"] = true;
        any_adjusted = true;
      }
      objs.push_back(o);
    }
    json j;
    j["source-ref"] = img.source_ref;
    j[m.label_attribute] = {{"image_size", json::array({{{"width", img.width}, {"height", img.height},
                                                         {"depth", img.depth}}})},
                            {"annotations", anns}};
    json meta = {{"objects", objs},
                 {"class-map", cmap},
                 {"type", "groundtruth/object-detection"},
                 {"human-annotated", img.human_annotated ? "yes" : "no"},
                 {"creation-date", img.creation_date.empty() ? NowIso8601() : img.creation_date},
                 {"job-name", img.job_name.empty() ? "labeling-job/" + m.label_attribute : img.job_name}};
    if (img.human_annotated) meta["adjustment-status"] = any_adjusted ? "adjusted" : "unadjusted";
    j[m.label_attribute + "-metadata"] = meta;
    out += DumpJson(j) + "\n";  // source-refs, class and job names are the user's
  }
  return out;
}

Status WriteManifest(const Manifest& m, const std::string& path) {
  std::ofstream f(path);
  if (!f) return Status::Error(path + ": cannot write manifest");
  f << ManifestToString(m);
  if (!f) return Status::Error(path + ": write failed");
  return Status::Ok();
}

std::string VerificationToString(const std::vector<Verification>& v, const std::string& attribute,
                                 const std::string& job_name, const std::string& creation_date) {
  std::string out;
  for (const Verification& x : v) {
    json j;
    j["source-ref"] = x.source_ref;
    j[attribute] = x.correct ? 0 : 1;
    j[attribute + "-metadata"] = {{"class-name", x.correct ? "correct" : "needs-fix"},
                                  {"class-map", {{"0", "correct"}, {"1", "needs-fix"}}},
                                  {"confidence", Round4(x.confidence)},
                                  {"type", "groundtruth/label-verification"},
                                  {"job-name", job_name},
                                  {"human-annotated", "yes"},
                                  {"creation-date", creation_date}};
    out += DumpJson(j) + "\n";
  }
  return out;
}

namespace {
// The key whose "<key>-metadata" has this "type"; "" if none.
std::string AttributeOfType(const json& j, const std::string& type) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string meta = it.key() + "-metadata";
    if (!j.contains(meta) || !j[meta].is_object()) continue;
    const json& t = j[meta].contains("type") ? j[meta]["type"] : json();
    if (t.is_string() && t.get<std::string>() == type) return it.key();
  }
  return "";
}

// The JSON Lines walk both readers below share: each non-blank line, numbered
// from 1, parsed and handed to on_line; a line that is not JSON goes to on_bad
// with the parser's message. Either returns false to stop the walk.
void ForEachJsonLine(const std::string& text, const std::function<bool(int lineno, const json& j)>& on_line,
                     const std::function<bool(int lineno, const std::string& what)>& on_bad) {
  std::istringstream in{std::string(StripUtf8Bom(text))};  // a BOM is not part of line 1
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    lineno++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const std::exception& e) {
      if (!on_bad(lineno, e.what())) return;
      continue;
    }
    if (!on_line(lineno, j)) return;
  }
}
}  // namespace

std::vector<Verification> ParseVerification(const std::string& text, const std::string& name,
                                            std::vector<std::string>* problems) {
  std::vector<Verification> out;
  int at = 0;  // the line being read, for the messages
  auto report = [&](const std::string& msg) {
    if (problems) problems->push_back(name + ":" + std::to_string(at) + ": " + msg);
  };
  ForEachJsonLine(
      text,
      [&](int lineno, const json& j) {
        at = lineno;
        if (!j.is_object() || !j.contains("source-ref") || !j["source-ref"].is_string()) {
          report("missing field 'source-ref'");
          return true;
        }
        const std::string attr = AttributeOfType(j, "groundtruth/label-verification");
        if (attr.empty()) {
          report("no label-verification attribute (a '<key>-metadata' with type groundtruth/label-verification)");
          return true;
        }
        const json& meta = j[attr + "-metadata"];
        Verification v;
        v.source_ref = j["source-ref"].get<std::string>();
        if (meta.contains("class-name") && meta["class-name"].is_string()) {
          const std::string c = meta["class-name"].get<std::string>();
          v.correct = c == "correct";
        } else if (j[attr].is_number_integer()) {
          v.correct = j[attr].get<int64_t>() == 0;
        } else {
          report("'" + attr + "': neither a class-name in its metadata nor a class number");
          return true;
        }
        if (meta.contains("confidence") && meta["confidence"].is_number())
          v.confidence = std::clamp(meta["confidence"].get<float>(), 0.f, 1.f);
        out.push_back(std::move(v));
        return true;
      },
      [&](int lineno, const std::string& what) {
        at = lineno;
        report("not valid JSON (" + what + ")");
        return true;
      });
  return out;
}

std::string ManifestKind(const std::string& text, std::string* why) {
  // Only the first non-blank line decides.
  std::string kind;
  bool seen = false;
  ForEachJsonLine(
      text,
      [&](int lineno, const json& j) {
        seen = true;
        if (!j.is_object() || !j.contains("source-ref")) {
          *why = "line " + std::to_string(lineno) + " has no 'source-ref' (not a Ground Truth manifest)";
        } else if (j.size() == 1) {
          kind = "input";
        } else if (!AttributeOfType(j, "groundtruth/label-verification").empty()) {
          kind = "label-verification";
        } else if (!AttributeOfType(j, "groundtruth/object-detection").empty()) {
          kind = "object-detection";
        } else if (const std::string attr = FindLabelAttribute(j);
                   !attr.empty() && j[attr].is_object() && j[attr].contains("annotations")) {
          kind = "object-detection";
        } else {
          *why = "line " + std::to_string(lineno) +
                 " is a Ground Truth line of another task (Label Review takes object-detection and label-verification)";
        }
        return false;
      },
      [&](int lineno, const std::string&) {
        seen = true;
        *why = "line " + std::to_string(lineno) + " is not JSON";
        return false;
      });
  if (!seen) *why = "no lines";
  return kind;
}

std::string CocoToString(const Manifest& m) {
  json images = json::array(), anns = json::array(), cats = json::array();
  int ann_id = 1;
  for (size_t i = 0; i < m.images.size(); i++) {
    const LabeledImage& img = m.images[i];
    images.push_back({{"id", i + 1}, {"file_name", img.source_ref}, {"width", img.width}, {"height", img.height}});
    for (const Box& b : img.boxes) {
      anns.push_back({{"id", ann_id++},
                      {"image_id", i + 1},
                      {"category_id", b.class_id},
                      {"bbox", {Round2(b.left), Round2(b.top), Round2(b.width), Round2(b.height)}},
                      {"area", Round2(b.area())},
                      {"iscrowd", 0},
                      {"score", Round4(b.confidence)}});
    }
  }
  for (auto& [id, n] : m.class_map) cats.push_back({{"id", id}, {"name", n}, {"supercategory", "logo"}});
  json j = {{"info", {{"description", "Fieldkit label review export"}}},
            {"images", images},
            {"annotations", anns},
            {"categories", cats}};
  return DumpJson(j, 1);
}

}  // namespace fk::labels
