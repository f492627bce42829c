// The logo data set for tests: generated once per test process into the temp
// dir (MEMFS under Node, where the repository's data/ is not mounted) with the
// seed of the bundled data/logos, so the same images as the page's demo.
#pragma once
#include <filesystem>
#include <fstream>
#include <utility>
#include <string>

#include "labels/generate.h"

inline std::string LogoDataParent() {
  const auto parent = std::filesystem::temp_directory_path() / "fk_lab_data";
  const std::string dir = (parent / "logos").string();
  if (!std::filesystem::exists(dir + "/test.manifest")) {
    std::string summary;
    fk::labels::GenerateLogoDataSet(dir, 7, &summary);
  }
  return parent.string();
}

// A smaller set for tests that run the whole loop (twice or more): the same
// generator and seed at 80x60, v2 cut to its first 6 images and test to its
// first 12 (the manifests keep their first lines). About 1.5 s per loop.
inline std::string SmallLogoDataDir() {
  const std::string dir = (std::filesystem::temp_directory_path() / "fk_lab_small" / "logos").string();
  if (!std::filesystem::exists(dir + "/done")) {
    std::string summary;
    fk::labels::GenerateLogoDataSet(dir, 7, &summary, 80, 60);
    for (auto [name, keep] : {std::pair<const char*, int>{"v2", 6}, {"test", 12}}) {
      const std::string path = dir + "/" + name + ".manifest";
      std::ifstream in(path);
      std::string lines, line;
      for (int i = 0; i < keep && std::getline(in, line); i++) lines += line + "\n";
      in.close();
      std::ofstream(path) << lines;
    }
    std::ofstream(dir + "/done") << "ok\n";
  }
  return dir;
}
