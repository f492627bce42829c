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
#include <string>
#include <vector>

#include "core/image.h"
#include "core/status.h"
#include "labels/box.h"

namespace fk::labels {

const std::vector<std::string>& LogoClassNames();  // {"smile", "cloud"}

struct GeneratedImage {
  Image image;
  std::vector<Box> boxes;  // tight boxes of the full logos (occluded parts included)
};

GeneratedImage GenerateLogoImage(uint64_t seed, int width, int height, int max_logos);

struct LogoSplit {
  const char* name;
  int count;
};
// The bundled splits: v1 (8), v2 (30), test (100).
const std::vector<LogoSplit>& LogoSplits();

// Writes DIR/<split>/NNNN.png and DIR/<split>.manifest for every split.
// *summary gets one line per split ("test: 100 images, 231 logos, 9 empty").
Status GenerateLogoDataSet(const std::string& dir, uint64_t seed, std::string* summary, int width = 160,
                           int height = 120);

}  // namespace fk::labels
