// The released MediaPipe models Fieldkit bundles (fetched by `make deps` into
// third_party/models/, copied next to the programs as models/; never committed,
// never downloaded at run time), and how a name or a path becomes a file.
//
//   fk::nn::AddBundleRoot(exe_dir);                         // native main, at start
//   fk::Result<std::string> p = fk::nn::ResolveModelPath("mediapipe:face_full_sparse");
#pragma once
#include <string>
#include <vector>

#include "core/status.h"

namespace fk::nn {

enum class ModelTask { FaceDetection, HandLandmarks };

struct BundledModel {
  const char* name;     // "mediapipe:face_full_sparse"
  const char* file;     // "face_detection_full_range_sparse.tflite"
  const char* title;    // "Face detection, full range (sparse)"
  ModelTask task;
  const char* partner;  // the dense/sparse twin for side-by-side runs ("" = none)
};

const std::vector<BundledModel>& BundledModels();
const BundledModel* FindBundledModel(const std::string& name);  // by name or file name; nullptr if none
const BundledModel* BundledModelForFile(const std::string& path);  // by the path's file name
std::string ShortName(const BundledModel& m);  // "face_full_sparse" (the reference fixture's name)

// Bundle roots: directories holding models/ (the .tflite files and
// models/reference/*.json, TFLite's outputs) and images/ (astronaut.png), as the
// build lays them out next to the programs. Searched in order after the
// FIELDKIT_MODELS directory (env, native; it holds the .tflite files directly).
void AddBundleRoot(const std::string& dir);
const std::vector<std::string>& BundleRoots();
// `relative` (e.g. "images/astronaut.png") under the first root that has it.
Result<std::string> ResolveBundledFile(const std::string& relative);
// Every bundled file relative to a bundle root (models, their reference
// outputs, the picture): what the page fetches on first use.
std::vector<std::string> BundleFiles();
constexpr const char* kBundledImage = "images/astronaut.png";  // NASA portrait, public domain (skimage data)

// A bundled name -> the first search directory holding its file; anything else
// is taken as a path. The error names what was looked for and where.
Result<std::string> ResolveModelPath(const std::string& name_or_path);

}  // namespace fk::nn
