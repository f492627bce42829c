#include "nn/model_zoo.h"

#include <cstdlib>
#include <fstream>

namespace fk::nn {

const std::vector<BundledModel>& BundledModels() {
  static const std::vector<BundledModel> m = {
      {"mediapipe:face_full", "face_detection_full_range.tflite", "Face detection, full range (dense)",
       ModelTask::FaceDetection, "mediapipe:face_full_sparse"},
      {"mediapipe:face_full_sparse", "face_detection_full_range_sparse.tflite", "Face detection, full range (sparse)",
       ModelTask::FaceDetection, "mediapipe:face_full"},
      {"mediapipe:face_short", "face_detection_short_range.tflite", "Face detection, short range",
       ModelTask::FaceDetection, ""},
      {"mediapipe:hand_lite", "hand_landmark_lite.tflite", "Hand landmarks, lite", ModelTask::HandLandmarks,
       "mediapipe:hand_full"},
      {"mediapipe:hand_full", "hand_landmark_full.tflite", "Hand landmarks, full", ModelTask::HandLandmarks,
       "mediapipe:hand_lite"},
  };
  return m;
}

const BundledModel* FindBundledModel(const std::string& name) {
  for (const BundledModel& b : BundledModels())
    if (name == b.name || name == b.file) return &b;
  return nullptr;
}

const BundledModel* BundledModelForFile(const std::string& path) {
  size_t slash = path.find_last_of("/\\");
  return FindBundledModel(slash == std::string::npos ? path : path.substr(slash + 1));
}

namespace {
std::vector<std::string>& Dirs() {
  static std::vector<std::string> d;
  return d;
}
bool Readable(const std::string& p) { return std::ifstream(p, std::ios::binary).good(); }
}  // namespace

void AddBundleRoot(const std::string& dir) {
  for (const std::string& d : Dirs())
    if (d == dir) return;
  Dirs().push_back(dir);
}

const std::vector<std::string>& BundleRoots() { return Dirs(); }

std::string ShortName(const BundledModel& m) {
  std::string n = m.name;
  return n.substr(n.find(':') + 1);
}

std::vector<std::string> BundleFiles() {
  std::vector<std::string> f;
  for (const BundledModel& m : BundledModels()) {
    f.push_back(std::string("models/") + m.file);
    f.push_back("models/reference/" + ShortName(m) + ".json");
  }
  f.push_back(kBundledImage);
  return f;
}

Result<std::string> ResolveBundledFile(const std::string& relative) {
  std::string tried;
  for (const std::string& d : Dirs()) {
    std::string p = d + "/" + relative;
    if (Readable(p)) return p;
    tried += (tried.empty() ? "" : ", ") + d;
  }
  return Status::Error(relative + " is not on this machine (looked under " +
                       (tried.empty() ? std::string("no directory") : tried) +
                       "); `make deps` fetches the bundled models and image into third_party/ and the build copies them");
}

Result<std::string> ResolveModelPath(const std::string& name_or_path) {
  const BundledModel* b = name_or_path.rfind("mediapipe:", 0) == 0 ? FindBundledModel(name_or_path) : nullptr;
  if (!b) {
    if (name_or_path.rfind("mediapipe:", 0) == 0) {
      std::string names;
      for (const BundledModel& m : BundledModels()) names += std::string(names.empty() ? "" : ", ") + m.name;
      return Status::Error("unknown model name '" + name_or_path + "' (bundled: " + names + ")");
    }
    return name_or_path;
  }
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("FIELDKIT_MODELS"); env && *env) dirs.push_back(env);
  for (const std::string& d : Dirs()) dirs.push_back(d + "/models");
  std::string tried;
  for (const std::string& d : dirs) {
    std::string p = d + "/" + b->file;
    if (Readable(p)) return p;
    tried += (tried.empty() ? "" : ", ") + d;
  }
  return Status::Error(std::string(b->name) + ": " + b->file + " is not on this machine (looked in " +
                       (tried.empty() ? std::string("no directory") : tried) +
                       "); `make deps` fetches the bundled models into third_party/models and the build copies them");
}

}  // namespace fk::nn
