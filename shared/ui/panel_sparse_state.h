// State of the Sparse Inference panel: the user's choices, the running bench
// (owned here, stepped by the job runner), and the last results shown.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/prune_train.h"
#include "nn/real_models.h"
#include "nn/sparse_bench.h"

namespace fk::ui {

struct SparsePanelState {
  // Choices (indices into the option tables in panel_sparse.cpp).
  int width_idx = 3;                   // 1.0
  int size_idx = 4;                    // 224
  bool sparsity_on[6] = {true, true, true, true, true, false};
  int policy = 0;                      // 0 = PruneForLatencyOnXNNPack, 1 = PruneAll
  int block_idx = 0;                   // 1, 2, 4
  bool fp16 = false;
  int runs = 10;
  std::vector<std::string> backends;   // filled from KnownBackends() on first draw
  std::vector<char> backend_on;

  // Work in flight (owned here; the job lambdas point into it).
  std::unique_ptr<nn::SparseBench> bench;

  // Results.
  std::vector<nn::BenchResult> results;  // last finished bench
  std::string results_label;             // "MobileNetV2 1.0 @224, ..." of those results
  std::vector<nn::SizeRow> sizes;        // Figure 1
  std::string sizes_label;
  bool sizes_requested = false;          // computed once automatically on first view
  std::string imported_info;             // summary of an imported .fks (or its error)
  std::string last_export;               // path of the last exported .fks

  // Real models (panel_sparse_real.cpp): MediaPipe's released models side by side.
  int real_pair = 0;                     // index into the pair list (the last entry: your own model)
  std::string real_picture;              // a picture from the imported files; empty = the bundled one
  int real_runs = 20;
  std::string own_model;                 // a dropped .tflite (your own model); empty = none
  std::string own_info;                  // its inspection, or why it cannot run
  std::unique_ptr<nn::RealModelsSession> real;       // in flight (the job steps it)
  std::unique_ptr<nn::RealModelsSession> real_done;  // the last finished run: drawn and in status()
  uint64_t real_texture = 0;             // real_done's picture
  uint64_t real_texture_retired = 0;     // the previous picture: this frame's draw list may still show it
  // The camera (the page): each frame, the newest video frame through both loaded models.
  bool camera = false;
  int camera_frames = 0;                 // frames both models ran on
  double camera_ms[2] = {0, 0};          // per model, moving average of one inference
  std::string camera_state;              // the platform's words ("on", "unavailable: ...")

  // Train and prune (panel_sparse_train.cpp): the seed's 3-step strategy on a model trained here.
  int train_epochs = 10;
  bool train_sparsity_on[4] = {true, true, true, true};  // 0.5, 0.7, 0.8, 0.9
  int train_schedule = 0;                                // polynomial, constant
  nn::PruneTrainOptions train_opts;                      // the rest (?run= may override)
  int train_size = 20000;                                // generated training examples (?run= may override)
  float train_difficulty = 1.f;                          // generated data's nuisances, 0..1 (?run= may override)
  std::unique_ptr<nn::Dataset> train_data;               // the generated shapes (sessions borrow it)
  std::unique_ptr<nn::PruneTrainSession> train;          // in flight (stepped on the UI thread)
  std::unique_ptr<nn::PruneTrainSession> train_dense;    // the last finished dense training
  std::unique_ptr<nn::PruneTrainSession> train_pruned;   // the last finished pruning run
  bool train_then_prune = false;                         // ?run=sparse-train: prune when dense is done
  bool train_scroll = false;                             // ?run=sparse-train: bring the section into view once
  std::string train_error;
};

}  // namespace fk::ui
