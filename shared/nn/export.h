// A pruned MobileNetV2 written as a .fks file, in steps: build the weights,
// prune to a sparsity, serialise, write. The Sparse panel's Export button
// steps it in job slices; `fieldkit-cli sparse prune` runs it to the end.
//
//   nn::PruneExportOptions o;  o.model.width = 0.35f;  o.sparsity = 0.9;
//   nn::PruneExport e(o, "m.fks");
//   while (!e.Step()) ShowProgress(e.Progress(), e.Detail());
//   if (!e.status()) Report(e.status().message());   else e.bytes(), e.zeros() ...
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/graph.h"
#include "nn/model_file.h"
#include "nn/pruning.h"

namespace fk::nn {

struct PruneExportOptions {
  MobileNetV2Options model;
  double sparsity = 0.9;  // [0, 1)
  PruneOptions prune;
  SaveOptions save;
};

// The panel's file name for these options: mobilenet_v2_w0.35_96_s90[_fp16].fks.
std::string PruneExportName(const PruneExportOptions& o);

class PruneExport {
 public:
  PruneExport(const PruneExportOptions& o, std::string path);
  ~PruneExport();
  bool Step();  // one slice (weights, a layer, a chunk of the file); true when written or failed
  float Progress() const;  // 0..1
  std::string Detail() const;
  const Status& status() const { return status_; }
  const std::string& path() const { return path_; }
  // Once written: the file's size, and the weights of the pruned layers and how many are zero.
  uint64_t bytes() const { return bytes_; }
  size_t pruned_weights() const { return pruned_; }
  size_t zeros() const { return zeros_; }

 private:
  enum class Stage { Build, Prune, Save, Done };
  PruneExportOptions o_;
  std::string path_;
  Stage stage_ = Stage::Build;
  Status status_;
  Model model_;
  std::unique_ptr<MobileNetV2Build> build_;
  std::unique_ptr<PruneTask> prune_;
  std::unique_ptr<ModelSaver> saver_;
  uint64_t bytes_ = 0;
  size_t pruned_ = 0, zeros_ = 0;
};

}  // namespace fk::nn
