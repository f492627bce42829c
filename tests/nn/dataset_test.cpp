// nn/dataset: the generated shapes (pure function of seed, split and index;
// the same pixels natively and in wasm: a pinned checksum), and a user's
// pictures from a folder or a CSV with every refusal named.
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/image.h"
#include "nn/dataset.h"

using namespace fk::nn;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> Rgb8(const Dataset& d, Split s, int index, int* label = nullptr) {
  std::vector<uint8_t> px(size_t(d.ValuesPerImage()));
  d.GetRgb8(s, index, px.data(), label);
  return px;
}

GenOptions Small(uint64_t seed = 1) {
  GenOptions o;
  o.seed = seed;
  o.train = 1000, o.val = 100, o.test = 500;
  return o;
}

std::string Scratch(const std::string& name) {
  const std::string d = (fs::temp_directory_path() / ("fk_dataset_" + name)).string();
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A w x h picture of one colour, as PNG.
void WritePng(const std::string& path, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  fk::Image img(w, h);
  for (int i = 0; i < w * h; i++) img.rgb[size_t(3 * i)] = r, img.rgb[size_t(3 * i + 1)] = g, img.rgb[size_t(3 * i + 2)] = b;
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(fk::SavePng(img, path).ok());
}

void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The pixels of a shape drawn at difficulty 0 (flat background, centred,
// upright, filled): true where the pixel is not the background's colour.
std::vector<bool> Mask(const GeneratedShapes& g, int cls, int index) {
  std::vector<uint8_t> px(size_t(g.ValuesPerImage()));
  g.RenderClass(Split::kTrain, index, cls, px.data());
  std::vector<bool> m(px.size() / 3);
  for (size_t i = 0; i < m.size(); i++) {
    const int d = std::abs(px[3 * i] - px[0]) + std::abs(px[3 * i + 1] - px[1]) + std::abs(px[3 * i + 2] - px[2]);
    m[i] = d > 24;
  }
  return m;
}

}  // namespace

TEST_CASE("nn/dataset: generated images are a pure function of (seed, split, index)") {
  GeneratedShapes a(Small()), b(Small()), other_seed(Small(2));
  for (int i : {0, 1, 7, 999}) {
    int la = -1, lb = -2;
    CHECK(Rgb8(a, Split::kTrain, i, &la) == Rgb8(b, Split::kTrain, i, &lb));
    CHECK(la == lb);
  }
  CHECK(Rgb8(a, Split::kTrain, 3) != Rgb8(a, Split::kTrain, 4));
  CHECK(Rgb8(a, Split::kTrain, 3) != Rgb8(a, Split::kTest, 3));
  CHECK(Rgb8(a, Split::kTrain, 3) != Rgb8(a, Split::kVal, 3));
  CHECK(Rgb8(a, Split::kTrain, 3) != Rgb8(other_seed, Split::kTrain, 3));
  // Order of calls does not matter (no hidden state): render 5 after 900, and alone.
  Rgb8(b, Split::kTrain, 900);
  CHECK(Rgb8(a, Split::kTrain, 5) == Rgb8(b, Split::kTrain, 5));
  // The split sizes change nothing but the sizes.
  GenOptions bigger = Small();
  bigger.train = 20000;
  GeneratedShapes c(bigger);
  CHECK(Rgb8(a, Split::kTrain, 10) == Rgb8(c, Split::kTrain, 10));
  CHECK(c.Size(Split::kTrain) == 20000);
  CHECK(GeneratedShapes(GenOptions{}).Size(Split::kTest) == 5000);
}

TEST_CASE("nn/dataset: every split is balanced over the 10 classes; the label is the class drawn") {
  GeneratedShapes g(GenOptions{});
  CHECK(g.NumClasses() == 10);
  CHECK(g.ClassName(0) == "circle");
  CHECK(g.ClassName(9) == "hexagon");
  for (Split s : {Split::kTrain, Split::kVal, Split::kTest}) {
    const std::vector<int> counts = g.ClassCounts(s);
    REQUIRE(counts.size() == 10);
    for (int c : counts) CHECK(c == g.Size(s) / 10);
  }
  // Not simply index % 10.
  int same = 0;
  for (int i = 0; i < 100; i++) same += g.Label(Split::kTrain, i) == i % 10;
  CHECK(same < 50);
  // GetRgb8 draws the class Label says.
  for (int i = 0; i < 20; i++) {
    int label = -1;
    const auto px = Rgb8(g, Split::kTest, i, &label);
    CHECK(label == g.Label(Split::kTest, i));
    std::vector<uint8_t> again(px.size());
    g.RenderClass(Split::kTest, i, label, again.data());
    CHECK(px == again);
    std::vector<uint8_t> wrong(px.size());
    g.RenderClass(Split::kTest, i, (label + 1) % 10, wrong.data());
    CHECK(px != wrong);
  }
}

TEST_CASE("nn/dataset: without nuisances each class is its shape (told apart by shape alone)") {
  GenOptions o = Small();
  o.difficulty = 0;
  GeneratedShapes g(o);
  const int n = 32, c = n / 2;
  auto at = [&](const std::vector<bool>& m, float fx, float fy) {  // offsets in radii (r = 0.36 * 32)
    const float r = 0.36f * float(n);
    return bool(m[size_t(int(float(c) + fy * r)) * size_t(n) + size_t(int(float(c) + fx * r))]);
  };
  std::vector<std::vector<bool>> masks;
  for (int cls = 0; cls < 10; cls++) masks.push_back(Mask(g, cls, 3));
  const auto& circle = masks[0];
  CHECK(at(circle, 0, 0));
  CHECK_FALSE(at(circle, 0.72f, 0.72f));
  CHECK(at(circle, 0.8f, 0));
  const auto& ring = masks[1];
  CHECK_FALSE(at(ring, 0, 0));  // the hole
  CHECK(at(ring, 0.88f, 0));
  CHECK(at(masks[3], 0.68f, 0.68f));   // a square reaches its corners
  CHECK(at(masks[3], 0, 0));
  CHECK_FALSE(at(masks[5], 0.6f, 0.6f));  // a cross has none
  CHECK(at(masks[5], 0.8f, 0));
  // Shapes differ: every pair of classes differs in at least 20 pixels.
  for (int i = 0; i < 10; i++)
    for (int j = i + 1; j < 10; j++) {
      int diff = 0;
      for (size_t k = 0; k < masks[size_t(i)].size(); k++) diff += masks[size_t(i)][k] != masks[size_t(j)][k];
      INFO(g.ClassName(i), " vs ", g.ClassName(j));
      CHECK(diff >= 20);
    }
  // The colour is not the class: two images of one class differ in colour, not in shape.
  const auto a = Rgb8(g, Split::kTrain, 0), b = Rgb8(g, Split::kTrain, 10);
  CHECK(a != b);
}

TEST_CASE("nn/dataset: pinned checksums of rendered pixels (the wasm run must give the same)") {
  GeneratedShapes g32(GenOptions{});
  uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < 16; i++) {
    const auto px = Rgb8(g32, Split::kTrain, i * 997);
    h = HashBytes(px.data(), px.size(), h);
  }
  for (int i = 0; i < 8; i++) {
    const auto px = Rgb8(g32, Split::kTest, i);
    h = HashBytes(px.data(), px.size(), h);
  }
  GenOptions o48;
  o48.image_size = 48;
  o48.seed = 77;
  GeneratedShapes g48(o48);
  for (int i = 0; i < 4; i++) {
    const auto px = Rgb8(g48, Split::kVal, i);
    h = HashBytes(px.data(), px.size(), h);
  }
  INFO("checksum ", h);
  CHECK(h == 15783986756422221844ull);
}

TEST_CASE("nn/dataset: FillBatch gives NCHW floats in [0, 1], the GetRgb8 pixels / 255") {
  GeneratedShapes g(Small());
  const int idx[3] = {5, 2, 5};
  const int vpi = g.ValuesPerImage(), hw = 32 * 32;
  std::vector<float> x(size_t(3 * vpi), -1.f);
  int labels[3] = {-1, -1, -1};
  g.FillBatch(Split::kVal, idx, 3, x.data(), labels);
  for (int b = 0; b < 3; b++) {
    int l = -1;
    const auto px = Rgb8(g, Split::kVal, idx[b], &l);
    CHECK(labels[b] == l);
    bool same = true;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < hw; i++)
        same &= x[size_t(b * vpi + c * hw + i)] == float(px[size_t(3 * i + c)]) * (1.f / 255.f);
    CHECK(same);
  }
  CHECK(*std::min_element(x.begin(), x.end()) >= 0.f);
  CHECK(*std::max_element(x.begin(), x.end()) <= 1.f);
  std::vector<float> one(static_cast<size_t>(vpi));
  int l = -1;
  g.Render(Split::kVal, 2, one.data(), &l);
  CHECK(std::equal(one.begin(), one.end(), x.begin() + vpi));
  CHECK(l == labels[1]);
}

TEST_CASE("nn/dataset: rendering speed (images/s, reported)") {
  GeneratedShapes g(GenOptions{});
  std::vector<uint8_t> px(size_t(g.ValuesPerImage()));
  const int n = 2000;
  // CPU time, not wall time: the suite often shares its cores.
  const std::clock_t c0 = std::clock();
  uint64_t sum = 0;
  for (int i = 0; i < n; i++) {
    g.GetRgb8(Split::kTrain, i, px.data(), nullptr);
    sum += px[100];
  }
  const double s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  MESSAGE("rendered ", n, " 32x32 images in ", s * 1000, " ms of CPU: ", double(n) / s, " images/s (", sum, ")");
  CHECK(sum > 0);
}

TEST_CASE("nn/dataset: ResizeRgb8 averages areas when shrinking and interpolates when growing") {
  // 4x2 -> 2x1: each output pixel the mean of a 2x2 block.
  const uint8_t src[4 * 2 * 3] = {0, 0, 0, 100, 100, 100, 10, 20, 30, 10, 20, 30,
                                  0, 0, 0, 100, 100, 100, 10, 20, 30, 10, 20, 30};
  uint8_t dst[2 * 3];
  ResizeRgb8(src, 4, 2, dst, 2, 1);
  CHECK(dst[0] == 50);
  CHECK(dst[3] == 10);
  CHECK(dst[4] == 20);
  CHECK(dst[5] == 30);
  // 2x1 -> 4x1 bilinear: 0, 100 -> 0, 25, 75, 100 (edges clamped).
  const uint8_t two[2 * 3] = {0, 0, 0, 100, 100, 100};
  uint8_t four[4 * 3];
  ResizeRgb8(two, 2, 1, four, 4, 1);
  CHECK(four[0] == 0);
  CHECK(four[3] == 25);
  CHECK(four[6] == 75);
  CHECK(four[9] == 100);
  // 3x3 -> 2x2 (fractional areas) keeps a flat colour flat.
  std::vector<uint8_t> flat(27, 77), out(12, 0);
  ResizeRgb8(flat.data(), 3, 3, out.data(), 2, 2);
  for (uint8_t v : out) CHECK(v == 77);
}

TEST_CASE("nn/dataset: a folder per class loads, resized, with a stable seeded split") {
  const std::string d = Scratch("folder");
  // Class colours: blue is "b_blue", red is "a_red"; sizes differ and are not square.
  for (int i = 0; i < 30; i++) WritePng(d + "/b_blue/" + std::to_string(i) + ".png", 40 + i, 20, 0, 0, 200);
  for (int i = 0; i < 20; i++) WritePng(d + "/a_red/x" + std::to_string(i) + ".PNG", 10, 12, 200, 0, 0);
  WriteText(d + "/a_red/notes.txt", "not a picture");
  WriteText(d + "/README", "ignored");
  WriteText(d + "/b_blue/old.BMP", "BM");  // a format we do not read: ignored, with a warning
  ImageSetOptions o;
  o.image_size = 16;
  auto r = LoadImageFolder(d, o);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->NumClasses() == 2);
  CHECK(r->ClassName(0) == "a_red");
  CHECK(r->ClassName(1) == "b_blue");
  CHECK(r->ImageSize() == 16);
  CHECK(r->BytesPerImage() == 16 * 16 * 3);
  CHECK(r->ignored_files() == 3);
  CHECK(r->skipped() == 0);
  REQUIRE(r->warnings().size() == 1);
  CHECK(r->warnings()[0] == d + "/b_blue/old.BMP: only PNG and JPEG pictures are read (ignored)");
  const int total = r->Size(Split::kTrain) + r->Size(Split::kVal) + r->Size(Split::kTest);
  CHECK(total == 50);
  CHECK(r->Size(Split::kTrain) >= 30);  // 80% of 50 expected; a hash, so roughly
  CHECK(r->PixelBytes() == size_t(50) * r->BytesPerImage());
  for (Split s : {Split::kTrain, Split::kVal, Split::kTest})
    for (int i = 0; i < r->Size(s); i++) {
      int label = -1;
      const auto px = Rgb8(*r, s, i, &label);
      const bool red = px[0] == 200 && px[2] == 0, blue = px[0] == 0 && px[2] == 200;
      CHECK(label == (red ? 0 : 1));
      CHECK((red || blue));
      CHECK(px[px.size() - 1] == px[2]);  // a flat picture stays flat
    }
  // The same files give the same split; another seed another one.
  auto again = LoadImageFolder(d, o);
  REQUIRE(again.ok());
  std::set<std::string> test_a, test_b;
  for (int i = 0; i < r->Size(Split::kTest); i++) test_a.insert(r->Source(Split::kTest, i));
  for (int i = 0; i < again->Size(Split::kTest); i++) test_b.insert(again->Source(Split::kTest, i));
  CHECK(test_a == test_b);
  // FillBatch through the base class.
  const Dataset& base = *r;
  std::vector<float> x(size_t(base.ValuesPerImage()));
  int idx = 0, label = -1;
  base.FillBatch(Split::kTrain, &idx, 1, x.data(), &label);
  CHECK(x[0] == doctest::Approx(label == 0 ? 200.f / 255.f : 0.f));
  fs::remove_all(d);
}

TEST_CASE("nn/dataset: a CSV of path,label[,split] loads; explicit splits are honoured") {
  const std::string d = Scratch("csv");
  WritePng(d + "/img/c1.png", 8, 8, 10, 200, 10);
  WritePng(d + "/img/c2.png", 8, 8, 10, 200, 10);
  WritePng(d + "/img/d1.png", 64, 64, 250, 250, 0);
  WritePng(d + "/img/d2.png", 64, 64, 250, 250, 0);
  WriteText(d + "/list.csv",
            "Split,Path,Label\r\n"
            "train,img/c1.png,cat\r\n"
            "test,img/d1.png,dog\r\n"
            "\r\n"
            "validation,\"img/c2.png\",cat\r\n"
            ",img/d2.png,dog\r\n");
  ImageSetOptions o;
  o.image_size = 8;
  auto r = LoadImageCsv(d + "/list.csv", o);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->NumClasses() == 2);
  CHECK(r->ClassName(0) == "cat");
  CHECK(r->ClassName(1) == "dog");
  CHECK(r->Size(Split::kTest) + r->Size(Split::kTrain) + r->Size(Split::kVal) == 4);
  REQUIRE(r->Size(Split::kVal) >= 1);
  CHECK(r->Label(Split::kVal, 0) == 0);
  CHECK(r->Source(Split::kVal, 0) == d + "/list.csv:5 (img/c2.png)");
  bool found_d1 = false;
  for (int i = 0; i < r->Size(Split::kTest); i++) found_d1 |= r->Source(Split::kTest, i) == d + "/list.csv:3 (img/d1.png)";
  CHECK(found_d1);
  const auto px = Rgb8(*r, Split::kTrain, 0);
  CHECK(px[1] == 200);
  // OpenDataset picks the CSV reader by the extension, the generator by name.
  auto any = OpenDataset(d + "/list.csv", GenOptions{}, o);
  REQUIRE(any.ok());
  CHECK((*any)->NumClasses() == 2);
  auto gen = OpenDataset("generated", GenOptions{}, o);
  REQUIRE(gen.ok());
  CHECK((*gen)->NumClasses() == 10);
  fs::remove_all(d);
}

TEST_CASE("nn/dataset: a bad folder is refused with a message naming the folder or picture") {
  const std::string d = Scratch("bad_folder");
  ImageSetOptions o;
  o.image_size = 8;
  auto msg = [&](const std::string& dir, ImageSetOptions opts) {
    auto r = LoadImageFolder(dir, opts);
    CHECK_FALSE(r.ok());
    return r.ok() ? std::string("(loaded)") : r.status().message();
  };
  CHECK(msg(d + "/missing", o) == d + "/missing: cannot open (no such folder)");
  WriteText(d + "/file.txt", "x");
  CHECK(msg(d + "/file.txt", o) == d + "/file.txt: not a folder");
  CHECK(msg(d, o) == d + ": no class folders (pictures go in " + d + "/<class>/<picture>.png)");
  WritePng(d + "/cat/1.png", 4, 4, 1, 2, 3);
  CHECK(msg(d, o) == d + ": 1 class ('cat'); a classifier needs at least 2");
  fs::create_directories(d + "/dog");
  WriteText(d + "/dog/readme.md", "no pictures here");
  CHECK(msg(d, o) == d + "/dog: no .png/.jpg/.jpeg pictures in the class folder");
  // An undecodable picture: skipped with a warning naming it, or (strict) the load fails on it.
  WriteText(d + "/dog/broken.png", "not a png at all");
  WritePng(d + "/dog/ok.png", 4, 4, 9, 9, 9);
  auto r = LoadImageFolder(d, o);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->skipped() == 1);
  REQUIRE(r->warnings().size() == 1);
  CHECK(r->warnings()[0].find(d + "/dog/broken.png") == 0);
  CHECK(r->warnings()[0].find("(skipped)") != std::string::npos);
  ImageSetOptions strict = o;
  strict.skip_bad_images = false;
  const std::string m = msg(d, strict);
  CHECK(m.find(d + "/dog/broken.png") == 0);
  CHECK(m.find("(skipped)") == std::string::npos);
  // A class whose every picture is unreadable.
  fs::remove(d + "/dog/ok.png");
  CHECK(msg(d, o).find(d + ": class 'dog' has no readable pictures (1 skipped in all; the first: " + d + "/dog/broken.png") == 0);
  // Too many pictures for the cap.
  fs::remove(d + "/dog/broken.png");
  WritePng(d + "/dog/a.png", 4, 4, 9, 9, 9);
  WritePng(d + "/dog/b.png", 4, 4, 9, 9, 9);
  ImageSetOptions capped = o;
  capped.max_images = 2;
  CHECK(msg(d, capped) == d + ": 3 pictures; the limit is 2 (each is held in memory at the input size)");
  ImageSetOptions bad_opts = o;
  bad_opts.val_fraction = 0.7, bad_opts.test_fraction = 0.4;
  CHECK(msg(d, bad_opts) == d + ": the val and test fractions must be >= 0 and sum to less than 1");
  fs::remove_all(d);
}

TEST_CASE("nn/dataset: a bad CSV is refused naming the line and field") {
  const std::string d = Scratch("bad_csv");
  WritePng(d + "/a.png", 4, 4, 1, 2, 3);
  WritePng(d + "/b.png", 4, 4, 1, 2, 3);
  ImageSetOptions o;
  o.image_size = 8;
  int n = 0;
  auto msg = [&](const std::string& text) {
    const std::string p = d + "/l" + std::to_string(n++) + ".csv";
    WriteText(p, text);
    auto r = LoadImageCsv(p, o);
    CHECK_FALSE(r.ok());
    std::string m = r.ok() ? std::string("(loaded)") : r.status().message();
    return m.substr(0, p.size()) == p ? m.substr(p.size()) : m;  // without the path
  };
  auto missing = LoadImageCsv(d + "/nope.csv", o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == d + "/nope.csv: cannot open");
  CHECK(msg("") == ": empty (a header line 'path,label' is needed)");
  CHECK(msg("path,kind\na.png,x\n") == ":1: no 'label' column (the header is: path,kind)");
  CHECK(msg("name,label\na.png,x\n") == ":1: no 'path' column (the header is: name,label)");
  CHECK(msg("path,label,label\n") == ":1: two 'label' columns");
  CHECK(msg("path,label\na.png,x\nb.png\n") == ":3: 1 fields; the header has 2");
  CHECK(msg("path,label\na.png,\n") == ":2: empty label");
  CHECK(msg("path,label\n ,x\n") == ":2: empty path");
  CHECK(msg("path,label,split\na.png,x,holdout\n") == ":2: split 'holdout' is not train, val or test");
  CHECK(msg("path,label\n\"a.png,x\n") == ":2: unterminated quote");
  CHECK(msg("path,label\n") == ": no pictures listed");
  CHECK(msg("path,label\na.png,x\nb.png,x\n") == ": 1 class ('x'); a classifier needs at least 2");
  // A listed picture that is missing: skipped with a warning naming the line, or fatal when strict.
  const std::string p = d + "/gone.csv";
  WriteText(p, "path,label\na.png,x\nb.png,y\nc.png,y\n");
  auto r = LoadImageCsv(p, o);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->skipped() == 1);
  REQUIRE(r->warnings().size() == 1);
  CHECK(r->warnings()[0] == p + ":4 (c.png): " + d + "/c.png: cannot open (skipped)");
  ImageSetOptions strict = o;
  strict.skip_bad_images = false;
  auto s = LoadImageCsv(p, strict);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == p + ":4 (c.png): " + d + "/c.png: cannot open");
  fs::remove_all(d);
}

TEST_CASE("nn/dataset: ImageSetLoader in slices of one picture gives the one-shot data set") {
  const std::string d = Scratch("slices");
  for (int i = 0; i < 7; i++) WritePng(d + "/x/" + std::to_string(i) + ".png", 9 + i, 7, uint8_t(30 * i), 0, 0);
  for (int i = 0; i < 5; i++) WritePng(d + "/y/" + std::to_string(i) + ".png", 6, 6 + i, 0, uint8_t(40 * i), 0);
  ImageSetOptions o;
  o.image_size = 8;
  auto whole = LoadImageFolder(d, o);
  REQUIRE(whole.ok());
  auto l = ImageSetLoader::Folder(d, o);
  REQUIRE(l.ok());
  CHECK(l->Progress() == 0.f);
  int steps = 0;
  while (!l->Step(1)) steps++;
  CHECK(steps == 11);
  CHECK(l->Progress() == 1.f);
  auto sliced = l->Take();
  REQUIRE(sliced.ok());
  for (Split s : {Split::kTrain, Split::kVal, Split::kTest}) {
    REQUIRE(sliced->Size(s) == whole->Size(s));
    for (int i = 0; i < whole->Size(s); i++) {
      CHECK(sliced->Source(s, i) == whole->Source(s, i));
      CHECK(Rgb8(*sliced, s, i) == Rgb8(*whole, s, i));
    }
  }
  // Sources handed in directly are checked too.
  auto bad = ImageSetLoader::FromSources({{d + "/x/0.png", "x/0.png", "here", 5, -1}}, {"a", "b"}, o, "list");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "here: label or split out of range");
  fs::remove_all(d);
}
