// A seeded generator of the logo-detection data set: two procedurally drawn
// marks ("smile", an arrow-tipped swoosh, and "cloud") on varied backgrounds
// (gradients, value noise, stripes/checks, horizon "photos", distractor
// shapes), at several scales, rotations and colours, partly occluded, 1-4 per
// image plus empty images. Same seed -> same pixels on every platform.
//
//   GeneratedImage g = GenerateLogoImage(seed, /*width=*/160, /*height=*/120, /*max_logos=*/4);
//   Status s = GenerateLogoDataSet("data/logos", 7, &summary);   // v1 (8), v2 (30), test (100)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/status.h"
#include "labels/box.h"
#include "labels/manifest.h"

namespace fk::labels {

const std::vector<std::string>& LogoClassNames();  // {"smile", "cloud"}

struct GeneratedImage {
  Image image;
  std::vector<Box> boxes;  // tight boxes of the full logos (occluded parts included)
};

GeneratedImage GenerateLogoImage(uint64_t seed, int width, int height, int max_logos);

// Whether logo `cls` covers the point (u, v) of its own coordinates (about
// [-1.1, 1.1] x [-0.8, 0.6], y down): the shapes above, for scenes that print
// the same logos elsewhere (the checkout workflow's shelf products).
bool InLogoShape(int cls, float u, float v);

struct LogoSplit {
  const char* name;
  int count;
};
// The bundled splits: v1 (8), v2 (30), test (100).
const std::vector<LogoSplit>& LogoSplits();

// The seed of the bundled set (data/logos). The page ships without its PNGs
// (2.3 MB gzip) and draws the same bytes on first use (see LoopOptions::generate_seed).
constexpr uint64_t kBundledLogoSeed = 7;

// Image `index` of split `split` (an index into LogoSplits()) of the set with this seed, with
// its boxes: what LogoDataSetWriter writes, drawn in memory (a detector trains on the bundled
// set without its files).
GeneratedImage BundledLogoImage(uint64_t seed, size_t split, int index, int width = 160, int height = 120);

// Writes DIR/<split>/NNNN.png and DIR/<split>.manifest for every split.
// *summary gets one line per split ("test: 100 images, 231 logos, 9 empty").
Status GenerateLogoDataSet(const std::string& dir, uint64_t seed, std::string* summary, int width = 160,
                           int height = 120);

// The same in steps, for a page that must not block a frame: one image drawn, its PNG
// written, or one split's manifest per Step.  LogoDataSetWriter w(dir, 7);  while (!w.Step()) {}
class LogoDataSetWriter {
 public:
  LogoDataSetWriter(std::string dir, uint64_t seed, int width = 160, int height = 120);
  bool Step();  // true when every split is written, or on the first failure (status())
  const Status& status() const { return status_; }
  float Progress() const;
  const std::string& summary() const { return summary_; }

 private:
  std::string dir_;
  uint64_t seed_;
  int width_, height_;
  size_t split_ = 0;
  int image_ = 0;
  int logos_ = 0, empty_ = 0, done_images_ = 0, total_images_ = 0;
  Manifest manifest_;
  std::optional<GeneratedImage> drawn_;  // drawn by one Step, its PNG written by the next (each ~half)
  std::string summary_;
  Status status_ = Status::Ok();
};
// True when DIR holds the three manifests of a written set (each split's manifest is written after its images).
bool LogoDataSetPresent(const std::string& dir);

}  // namespace fk::labels
