#include "nn/export.h"

#include <cmath>
#include <cstdio>

namespace fk::nn {

std::string PruneExportName(const PruneExportOptions& o) {
  char name[128];
  std::snprintf(name, sizeof name, "mobilenet_v2_w%.2g_%d_s%02d%s.fks", o.model.width, o.model.input_size,
                int(std::lround(o.sparsity * 100)), o.save.fp16 ? "_fp16" : "");
  return name;
}

PruneExport::PruneExport(const PruneExportOptions& o, std::string path) : o_(o), path_(std::move(path)) {
  if (!(o.sparsity >= 0 && o.sparsity < 1)) {
    status_ = Status::Error("--sparsity must be in [0, 1)");
    stage_ = Stage::Done;
  }
}

PruneExport::~PruneExport() = default;

// Each stage is a third of the bar.
float PruneExport::Progress() const {
  switch (stage_) {
    case Stage::Build: return build_ ? build_->Progress() / 3.f : 0.f;
    case Stage::Prune: return (1.f + (prune_ ? prune_->Progress() : 0.f)) / 3.f;
    case Stage::Save: return (2.f + (saver_ ? saver_->Progress() : 0.f)) / 3.f;
    case Stage::Done: return 1.f;
  }
  return 1.f;
}

std::string PruneExport::Detail() const {
  switch (stage_) {
    case Stage::Build: return "building MobileNetV2";
    case Stage::Prune: return "pruning";
    case Stage::Save: return "writing " + path_;
    case Stage::Done: return status_.ok() ? "wrote " + path_ : status_.message();
  }
  return "";
}

bool PruneExport::Step() {
  switch (stage_) {
    case Stage::Build:
      if (!build_) build_ = std::make_unique<MobileNetV2Build>(o_.model);
      if (!build_->Step()) return false;
      model_ = build_->Take();
      build_.reset();
      stage_ = Stage::Prune;
      return false;
    case Stage::Prune:
      if (!prune_) prune_ = std::make_unique<PruneTask>(model_, o_.sparsity, o_.prune);
      if (!prune_->Step()) return false;
      status_ = prune_->status();
      prune_.reset();
      stage_ = status_.ok() ? Stage::Save : Stage::Done;
      return !status_.ok();
    case Stage::Save: {
      if (!saver_) saver_ = std::make_unique<ModelSaver>(model_, o_.save);
      if (!saver_->Step()) return false;
      status_ = saver_->status();
      if (status_.ok()) {
        const std::vector<uint8_t> file = saver_->Take();
        status_ = WriteFileBytes(path_, file);
        bytes_ = file.size();
      }
      saver_.reset();
      for (auto& l : model_.layers)
        if (l.sparse) pruned_ += l.weights.size(), zeros_ += size_t(LayerSparsity(l) * double(l.weights.size()) + 0.5);
      stage_ = Stage::Done;
      return true;
    }
    case Stage::Done: return true;
  }
  return true;
}

}  // namespace fk::nn
