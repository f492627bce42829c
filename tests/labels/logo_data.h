// The logo data set for tests: generated once per test process into the temp
// dir (MEMFS under Node, where the repository's data/ is not mounted) with the
// seed of the bundled data/logos, so the same images as the page's demo.
#pragma once
#include <filesystem>
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
