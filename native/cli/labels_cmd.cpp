// fieldkit-cli labels generate|loop|eval|check — the model-assisted labelling
// workflow headless: the logo data set, the v1 -> v2 loop with a simulated
// reviewer, scoring prediction manifests, and validating a manifest.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/image.h"
#include "labels/generate.h"
#include "labels/loop.h"
#include "labels/manifest.h"
#include "labels/metrics.h"

namespace fk::cli {

namespace {

nlohmann::json EvalJson(const labels::Evaluation& e, const labels::Manifest& m) {
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < e.per_class.size(); c++) {
    auto it = m.class_map.find(int(c));
    const std::string name = it == m.class_map.end() ? std::to_string(c) : it->second;
    per[name] = {{"precision", e.per_class[c].precision}, {"recall", e.per_class[c].recall}, {"f1", e.per_class[c].f1}};
  }
  return {{"precision", e.overall.precision},
          {"recall", e.overall.recall},
          {"f1", e.overall.f1},
          {"tp", e.overall.tp},
          {"fp", e.overall.fp},
          {"fn", e.overall.fn},
          {"threshold", e.threshold},
          {"assumed_threshold", e.assumed_threshold},
          {"f1_at_assumed", e.assumed.f1},
          {"per_class", per}};
}

void PrintProblems(const std::vector<std::string>& problems) {
  const size_t shown = std::min<size_t>(problems.size(), 20);
  for (size_t i = 0; i < shown; i++) std::fprintf(stderr, "fieldkit-cli labels: %s\n", problems[i].c_str());
  if (problems.size() > shown) std::fprintf(stderr, "fieldkit-cli labels: ... and %zu more\n", problems.size() - shown);
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw InputError{path + ": cannot write"};
  f << text;
}

int Generate(const Args& a) {
  const std::string out = a.Get("out");
  if (out.empty()) throw UsageError{"generate needs --out DIR"};
  std::string summary;
  const long seed = a.GetInt("seed", 7), width = a.GetInt("width", 160), height = a.GetInt("height", 120);
  Status st = labels::GenerateLogoDataSet(out, uint64_t(seed), &summary, int(width), int(height));
  if (!st) throw InputError{st.message()};
  if (a.Has("json"))
    EmitJson({{"out", out}, {"seed", seed}, {"width", width}, {"height", height}, {"summary", summary}});
  else
    std::printf("%s", summary.c_str());
  return 0;
}

// The loop on a user's own manifests: v1 (test held out of it unless --test),
// then each --batch pre-labelled by the latest model, fixed by the simulated
// reviewer, and a retrain (v2, v3, ...): the panel's rounds, headless.
int OwnLoop(const Args& a, labels::LoopOptions o) {
  o.v1_manifest = a.Get("v1");
  o.test_manifest = a.Get("test");
  o.v2_manifest = a.Get("v2");
  // Without a v2 set there is nothing to review before the first batch.
  o.simulate_reviewer = !o.v2_manifest.empty() || !o.data_dir.empty();
  const std::vector<std::string> batches = a.GetList("batch", {});
  labels::ReviewQueue q;
  labels::Loop loop(o, &q);
  ProgressBar bar("labels loop", ProgressWanted(a));
  auto run = [&]() {
    while (!loop.Step(50.0)) bar.Update(loop.Progress(), loop.Detail());
    if (loop.failed()) {
      bar.Done();
      throw InputError{loop.error()};
    }
  };
  run();
  for (const std::string& b : batches) {
    Result<labels::LabelSet> set = labels::OpenLabelSet(b, /*allow_unlabeled=*/true);
    if (!set) throw InputError{set.status().message()};
    if (Status st = loop.AddBatch(std::move(*set)); !st) throw InputError{b + ": " + st.message()};
    run();
    labels::SimulateReview(&q, o.reviewer);
    if (Status st = loop.SubmitReview(); !st) throw InputError{b + ": " + st.message()};
    run();
  }
  bar.Done();
  const labels::LoopData& d = loop.data();
  PrintProblems(d.problems);
  nlohmann::json j = loop.StatusJson();
  const std::string out = a.Get("out");
  if (!out.empty()) {
    const labels::ReviewedFiles rf = labels::Reviewed(q, &*d.v2, o.job_name, &d.v1->manifest.class_map);
    if (Status st = labels::WriteManifest(rf.manifest, out + "/reviewed.manifest"); !st) throw InputError{st.message()};
    WriteText(out + "/verification.manifest", labels::VerificationToString(rf.verification, "verify-bounding-box",
                                                                           o.job_name + "/verify", labels::NowIso8601()));
  }
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  std::printf("test: %zu images%s\n", d.test->images.size(), d.test_split ? " (every 5th of --v1, held out)" : "");
  for (const auto& r : j["rounds"]) {
    std::printf("v%d (%d images, %d reviewed): P %.3f R %.3f F1 %.3f;", r["version"].get<int>(),
                r["trained_on"].get<int>(), r["reviewed"].get<int>(), r["precision"].get<double>(),
                r["recall"].get<double>(), r["f1"].get<double>());
    for (const auto& p : r["per_label"])
      std::printf(" %s F1 %.3f", p["label"].get<std::string>().c_str(), p["f1"].get<double>());
    std::printf("\n");
  }
  return 0;
}

int Loop(const Args& a) {
  const std::string data = a.Get("data");
  if (data.empty() && a.Get("v1").empty()) throw UsageError{"loop needs --data DIR or --v1 MANIFEST"};
  if (!a.Has("simulate-reviewer"))
    throw UsageError{"loop runs headless only with --simulate-reviewer (the person's review is the Label Review panel)"};
  labels::LoopOptions o;
  if (a.Has("threshold")) {
    o.threshold = float(a.GetDouble("threshold", 0.5));
    if (!(o.threshold >= 0.f && o.threshold <= 1.f)) throw UsageError{"--threshold wants a confidence in 0..1"};
  }
  o.reviewer.accept_iou = float(a.GetDouble("accept-iou", o.reviewer.accept_iou));
  o.detector.seed = uint64_t(a.GetInt("seed", long(o.detector.seed)));
  for (const std::string& kv : a.GetList("param", {}))
    if (Status st = SetParam(labels::DetectorOptionTable(), &o.detector, kv); !st.ok())
      throw UsageError{"--param " + st.message()};
  const std::string out = a.Get("out");
  if (!out.empty()) {  // before the run: a bad --out should not cost a training
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec || !std::filesystem::is_directory(out)) throw InputError{out + ": cannot create the output folder"};
  }
  if (data.empty() || a.Has("batch")) {
    if (!data.empty()) o.data_dir = data;
    return OwnLoop(a, o);
  }
  ProgressBar bar("labels loop", ProgressWanted(a));
  Result<labels::LoopResult> r =
      labels::RunLoop(data, o, [&](float share, const std::string& detail) { bar.Update(share, detail); });
  bar.Done();
  if (!r) throw InputError{r.status().message()};
  PrintProblems(r->problems);
  if (!out.empty()) {
    Status st = labels::WriteManifest(r->v2_reviewed, out + "/v2_reviewed.manifest");
    if (st) st = labels::WriteManifest(r->test_predictions_v1, out + "/test_predictions_v1.manifest");
    if (st) st = labels::WriteManifest(r->test_predictions_v2, out + "/test_predictions_v2.manifest");
    if (st) st = labels::WriteManifest(r->v2_proposals, out + "/v2_proposals_v1.manifest");
    if (!st) throw InputError{st.message()};
    WriteText(out + "/v2_verification.manifest",
              labels::VerificationToString(r->verification, "verify-bounding-box", o.job_name + "/verify",
                                           labels::NowIso8601()));
    WriteText(out + "/test_predictions_v2.coco.json", labels::CocoToString(r->test_predictions_v2));
  }
  const labels::ReviewStats& s = r->review;
  if (a.Has("json")) {
    nlohmann::json j = {{"v1", EvalJson(r->v1, r->test_predictions_v1)},
                        {"v2", EvalJson(r->v2, r->test_predictions_v2)},
                        {"accepted_unchanged", s.accepted_unchanged},
                        {"adjusted", s.adjusted},
                        {"deleted", s.deleted},
                        {"added", s.added},
                        {"proposed", s.proposed},
                        {"accepted_share", s.AcceptedShare()},
                        {"effort_saved", s.EffortSaved()},
                        {"train_seconds_v1", r->train_seconds_v1},
                        {"train_seconds_v2", r->train_seconds_v2},
                        {"prelabel_seconds_v2", r->prelabel_seconds},
                        {"detector_v1", r->detector_v1},
                        {"detector_v2", r->detector_v2},
                        {"calibration_v1", r->calibration_v1},
                        {"calibration_v2", r->calibration_v2},
                        {"problems", r->problems.size()}};
    EmitJson(j);
  } else {
    std::printf("v1 (trained on v1, %.2f s): P %.3f R %.3f F1 %.3f at %.2f (test's assumed threshold %.2f -> F1 %.3f)\n",
                r->train_seconds_v1, r->v1.overall.precision, r->v1.overall.recall, r->v1.overall.f1, r->v1.threshold,
                r->v1.assumed_threshold, r->v1.assumed.f1);
    std::printf("   %s\n", r->calibration_v1.c_str());
    std::printf("v2 (v1 + reviewed v2, %.2f s): P %.3f R %.3f F1 %.3f at %.2f (test's assumed threshold %.2f -> F1 %.3f)\n",
                r->train_seconds_v2, r->v2.overall.precision, r->v2.overall.recall, r->v2.overall.f1, r->v2.threshold,
                r->v2.assumed_threshold, r->v2.assumed.f1);
    std::printf("   %s\n", r->calibration_v2.c_str());
    std::printf("review of %d proposals: %d accepted unchanged (%.0f%%), %d adjusted, %d deleted, %d added; "
                "effort saved %.0f%% vs drawing every box\n",
                s.proposed, s.accepted_unchanged, 100 * s.AcceptedShare(), s.adjusted, s.deleted, s.added,
                100 * s.EffortSaved());
  }
  return 0;
}

int Eval(const Args& a) {
  if (!a.Has("truth") || !a.Has("pred")) throw UsageError{"eval needs --truth M --pred M"};
  std::vector<std::string> problems;
  Result<labels::Manifest> t = labels::ReadManifest(a.Get("truth"), &problems);
  if (!t) throw InputError{t.status().message()};
  Result<labels::Manifest> p = labels::ReadManifest(a.Get("pred"), &problems);
  if (!p) throw InputError{p.status().message()};
  PrintProblems(problems);
  std::map<std::string, const labels::LabeledImage*> by_ref;
  for (auto& im : p->images) by_ref[im.source_ref] = &im;
  std::vector<std::vector<labels::Box>> truth, pred;
  for (auto& im : t->images) {
    truth.push_back(im.boxes);
    auto it = by_ref.find(im.source_ref);
    pred.push_back(it == by_ref.end() ? std::vector<labels::Box>{} : it->second->boxes);
  }
  const int classes = t->class_map.empty() ? 0 : t->class_map.rbegin()->first + 1;
  labels::Evaluation e = labels::Evaluate(truth, pred, float(a.GetDouble("threshold", 0.5)), classes);
  if (a.Has("json")) {
    EmitJson(EvalJson(e, *t));
  } else {
    std::printf("P %.3f R %.3f F1 %.3f (TP %d FP %d FN %d); assumed threshold %.2f -> F1 %.3f\n", e.overall.precision,
                e.overall.recall, e.overall.f1, e.overall.tp, e.overall.fp, e.overall.fn, e.assumed_threshold,
                e.assumed.f1);
  }
  return 0;
}

int Check(const Args& a) {
  const std::string path = a.Get("manifest");
  if (path.empty()) throw UsageError{"check needs --manifest M"};
  std::vector<std::string> problems;
  size_t n = 0;
  if (a.Has("images")) {
    Result<labels::LabelSet> s = labels::LoadLabelSet(path);
    if (!s) throw InputError{s.status().message()};
    problems = s->problems;
    n = s->images.size();
  } else {
    Result<labels::Manifest> m = labels::ReadManifest(path, &problems);
    if (!m) throw InputError{m.status().message()};
    n = m->images.size();
  }
  if (a.Has("json")) {
    EmitJson({{"manifest", path}, {"images_usable", n}, {"problems", problems}});
  } else {
    for (auto& p : problems) std::printf("%s\n", p.c_str());
    std::printf("%zu images usable, %zu problems\n", n, problems.size());
  }
  return problems.empty() ? 0 : 1;
}

int Draw(const Args& a) {
  const std::string path = a.Get("manifest"), out = a.Get("out");
  if (path.empty() || out.empty()) throw UsageError{"draw needs --manifest M --out DIR"};
  std::vector<std::string> problems;
  Result<labels::Manifest> m = labels::ReadManifest(path, &problems);
  if (!m) throw InputError{m.status().message()};
  if (a.Has("images-from")) m->dir = a.Get("images-from");
  PrintProblems(problems);
  const float thr = float(a.GetDouble("threshold", 0));
  int n = 0;
  for (auto& li : m->images) {
    Result<Image> img = LoadImage(m->ResolvePath(li.source_ref));
    if (!img) {
      std::fprintf(stderr, "fieldkit-cli labels: %s\n", img.status().message().c_str());
      continue;
    }
    for (auto& b : li.boxes) {
      if (b.confidence < thr) continue;
      const bool c0 = b.class_id == 0, c1 = b.class_id == 1;
      DrawRect(&*img, b.left, b.top, b.width, b.height, c0 ? 0 : 255, c0 ? 255 : (c1 ? 0 : 255),
                       c1 ? 255 : 0);
    }
    std::string name = li.source_ref;
    for (char& ch : name)
      if (ch == '/') ch = '_';
    Status st = SavePng(*img, out + "/" + name);
    if (!st) throw InputError{st.message()};
    n++;
  }
  if (a.Has("json")) EmitJson({{"out", out}, {"drawn", n}, {"problems", problems}});
  else std::printf("%d images drawn into %s\n", n, out.c_str());
  return 0;
}

const VerbTable kLabels = {
    "labels",
    {{"generate", "the seeded logo data set (classes smile, cloud)",
      {{"out", "DIR", "where DIR/{v1,v2,test}/NNNN.png and DIR/{v1,v2,test}.manifest go (required)"},
       {"seed", "N", "data set seed (default 7)"},
       {"width", "PX", "image width (default 160)"},
       {"height", "PX", "image height (default 120)"}},
      Generate, "",
      "Ground Truth object-detection manifests, paths relative to the manifest.\n"
      "JSON keys: out, seed, width, height, summary."},
     {"loop", "train v1, pre-label v2, simulated review, train v2, evaluate both on test",
      {{"data", "DIR", "the data set folder: v1, v2 and test manifests (or --v1)"},
       {"v1", "MANIFEST", "your own Ground Truth manifest to train v1 on (instead of DIR/v1.manifest)"},
       {"test", "MANIFEST", "your test manifest (default with --v1: every 5th --v1 image, held out)"},
       {"v2", "MANIFEST", "with --v1: a first batch to pre-label and review"},
       {"batch", "M1,M2,..", "further batches: each pre-labelled by the latest model, reviewed, then v3, v4 ..."},
       {"simulate-reviewer", "", "the simulated reviewer fixes the proposals (required headless)"},
       {"out", "DIR", "write the reviewed, verification, prediction and COCO files here"},
       {"threshold", "T", "confidence for proposals and metrics (default: each model's own, by 3-fold CV)"},
       {"accept-iou", "IOU", "the reviewer accepts a box at this IoU with the right class (default 0.7)"},
       {"seed", "N", "detector seed (default 1)"},
       {"param", "K=V,..", "detector options, below"}},
      Loop, "",
      "Trains v1 on v1, pre-labels v2, a simulated reviewer fixes the proposals against the\n"
      "truth (accept if IoU >= accept-iou and class right, else adjust/delete/add), trains v2 on\n"
      "v1 + reviewed v2, evaluates both on test (P/R/F1 at IoU >= 0.5, confidence >= threshold).\n"
      "Each model's threshold is chosen on its own training images by 3-fold cross-validation\n"
      "(never on test); --threshold T overrides it for both. The test set's F1-maximising\n"
      "\"assumed threshold\" is reported beside it, as Rekognition Custom Labels does.\n"
      "--out writes v2_reviewed.manifest, v2_verification.manifest, test_predictions_v1.manifest,\n"
      "test_predictions_v2.manifest, test_predictions_v2.coco.json and v2_proposals_v1.manifest\n"
      "(v1's boxes on v2 at every confidence, before the review).\n"
      "JSON: {\"v1\":{\"precision\",\"recall\",\"f1\",\"assumed_threshold\",\"f1_at_assumed\",\"per_class\"},\n"
      "\"v2\":{...},\"accepted_unchanged\",\"adjusted\",\"deleted\",\"added\",\"proposed\",\n"
      "\"accepted_share\",\"effort_saved\",\"train_seconds_v1\",\"train_seconds_v2\",\"prelabel_seconds_v2\"}\n"
      "detector options (--param key=value):\n" + ParamHelp(labels::DetectorOptionTable())},
     {"eval", "score a prediction manifest against a truth manifest (matched by source-ref)",
      {{"truth", "M.manifest", "the truth (required)"},
       {"pred", "M.manifest", "the predictions (required)"},
       {"threshold", "T", "confidence below which predictions are ignored (default 0.5)"}},
      Eval},
     {"check", "read a manifest and list every problem (file:line: field); exit 1 when there is any",
      {{"manifest", "M.manifest", "the manifest (required)"}, {"images", "", "also decode the images"}}, Check, "",
      "JSON keys: manifest, images_usable, problems."},
     {"draw", "draw the manifest's boxes onto its images (class 0 green, 1 magenta, others yellow)",
      {{"manifest", "M.manifest", "the manifest (required)"},
       {"out", "DIR", "writes DIR/<name>.png (required)"},
       {"images-from", "DIR", "resolve source-refs against this folder (prediction manifests)"},
       {"threshold", "T", "skip boxes below this confidence (default 0)"}},
      Draw, "", "JSON keys: out, drawn, problems."}}};

}  // namespace

int LabelsCommand(const std::vector<std::string>& argv) { return RunVerbTable(kLabels, argv); }

}  // namespace fk::cli
