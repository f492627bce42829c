#include "nn/prune_train.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/clock.h"
#include "core/json_write.h"
#include "core/rng.h"
#include "kernels/nn_kernels.h"
#include "nn/executor.h"
#include "nn/model_file.h"
#include "nn/sparse_bench.h"

namespace fk::nn {

namespace {
template <typename... A>
std::string StrCat(const A &...a) {
  std::ostringstream os;
  (os << ... << a);
  return os.str();
}
std::string StrFormat(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}
}  // namespace

const char *SparsityScheduleName(SparsitySchedule s) {
  return s == SparsitySchedule::Constant ? "constant" : "polynomial";
}

Status PruneTrainOptions::Validate() const {
  if (epochs < 0 || epochs > 1000) return Status::Error(StrCat("epochs ", epochs, " is outside 0..1000"));
  if (batch < 1 || batch > 512) return Status::Error(StrCat("batch ", batch, " is outside 1..512"));
  if (!(lr > 0 && lr < 10)) return Status::Error(StrCat("lr ", lr, " is outside (0, 10)"));
  if (!(prune_lr > 0 && prune_lr < 10)) return Status::Error(StrCat("prune lr ", prune_lr, " is outside (0, 10)"));
  if (!(finetune_lr > 0 && finetune_lr < 10))
    return Status::Error(StrCat("fine-tune lr ", finetune_lr, " is outside (0, 10)"));
  if (!(warmup_epochs >= 0 && warmup_epochs <= 100)) return Status::Error("warmup epochs must be in 0..100");
  if (!(prune_epochs > 0 && prune_epochs <= 100)) return Status::Error("prune epochs must be in (0, 100]");
  if (!(finetune_epochs >= 0 && finetune_epochs <= 100)) return Status::Error("fine-tune epochs must be in 0..100");
  if (frequency < 1) return Status::Error(StrCat("frequency ", frequency, " must be >= 1"));
  if (!(initial_sparsity >= 0 && initial_sparsity < 1)) return Status::Error("initial sparsity must be in [0, 1)");
  if (block != 1 && block != 2 && block != 4) return Status::Error(StrCat("block ", block, " must be 1, 2 or 4"));
  if (latency_runs < 0 || latency_runs > 10000) return Status::Error("latency runs must be in 0..10000");
  if (eval_limit < 0) return Status::Error("eval limit must be >= 0");
  for (double s : sparsities)
    if (!(s > 0 && s < 1)) return Status::Error(StrCat("sparsity ", s, " is outside (0, 1)"));
  if (!sparsities.empty() && !one_shot && !three_step) return Status::Error("no strategy chosen (one-shot, 3step)");
  return Status::Ok();
}

namespace {

// Stage 0, and stages 2-3 of one target: a run of training steps.
struct TrainStage {
  std::string name;
  int64_t steps = 0, done = 0;
  int64_t steps_per_epoch = 1;
  std::vector<int> order;  // this epoch's shuffled example indices
  size_t pos = 0;          // next example in `order`
  bool in_step = false;    // BeginStep done, slices pending
  int epoch = -1;
  double loss_sum = 0;
  int loss_n = 0;
  bool val_pending = false;  // an epoch ended: score validation before the next step
  int val_index = 0, val_correct = 0;
};

// Scoring one exported model: validation, test, size, latency.
struct Scoring {
  enum class Phase { Val, Test, Size, Warmup, Time, Done } phase = Phase::Val;
  std::optional<Executor> ex;  // accuracy (best kernels, sparse where marked)
  std::optional<Executor> dense_ex, sparse_ex;
  int index = 0, correct = 0, limit = 0;
  int run = 0;
  int reps = 1;  // inferences per timed sample
  std::vector<double> dense_ms, sparse_ms;
  std::vector<float> image;  // one test picture for the timings
};

enum class TaskKind { TrainDense, Dense, OneShot, Prune, Finetune, Score };

struct Task {
  TaskKind kind;
  double sparsity = 0;
  std::string strategy;
};

}  // namespace

struct PruneTrainSession::Impl {
  const Dataset &data;
  PruneTrainOptions o;
  Status status;
  bool done = false;
  std::vector<Task> tasks;
  size_t ti = 0;
  bool task_started = false;
  bool calibrate_pending = false;  // a Prune task's trainer is calibrated once its buffers exist

  std::optional<Trainer> tr;
  std::optional<Model> dense;
  std::optional<Model> scoring_model;  // the model the Score task measures
  std::string scoring_strategy;
  double scoring_sparsity = 0;
  int64_t scoring_steps = 0;
  TrainStage stage;
  Scoring sc;
  PruneOptions po;
  std::optional<PolynomialDecay> poly;
  std::optional<ConstantSparsity> constant;
  double current_target = 0;
  int64_t finetune_steps_done = 0;

  std::vector<PruneTrainResult> results;
  std::vector<TrainCurvePoint> curve;
  double train_ms = 0;
  int64_t train_images = 0;

  // Buffers for one batch.
  std::vector<float> x;
  std::vector<int> y;
  std::vector<uint8_t> rgb;

  // Work estimate for Progress (a training step = 1 unit).
  double units_total = 1, units_done = 0;

  Impl(const Dataset &d, const PruneTrainOptions &opt) : data(d), o(opt) {}

  int64_t StepsPerEpoch() const { return std::max<int64_t>(1, data.Size(Split::kTrain) / o.batch); }
  int64_t EpochSteps(double epochs) const {
    return std::max<int64_t>(1, int64_t(std::llround(epochs * double(StepsPerEpoch()))));
  }
  int EvalCount(Split s) const {
    const int n = data.Size(s);
    return o.eval_limit > 0 ? std::min(n, o.eval_limit) : n;
  }
  double EpochValUnits(double epochs) const {  // per-epoch validation while training
    return std::ceil(epochs) * EvalCount(Split::kVal) / 120.0;
  }
  double ScoreUnits() const {  // an inference ~ 1/40 of a training step; a timed
                               // run both kernels
    return (EvalCount(Split::kVal) + EvalCount(Split::kTest)) / 40.0 + o.latency_runs / 10.0;
  }

  void Plan(bool train_dense) {
    po.policy = PrunePolicy::ForLatencyOnXNNPack;
    po.block = o.block;
    if (train_dense) {
      tasks.push_back({TaskKind::TrainDense, 0, "dense"});
      units_total += double(EpochSteps(o.epochs)) + EpochValUnits(o.epochs);
    }
    tasks.push_back({TaskKind::Dense, 0, "dense"});
    tasks.push_back({TaskKind::Score, 0, "dense"});
    units_total += ScoreUnits();
    for (double s : o.sparsities) {
      if (o.one_shot) {
        tasks.push_back({TaskKind::OneShot, s, "one-shot"});
        tasks.push_back({TaskKind::Score, s, "one-shot"});
        units_total += ScoreUnits();
      }
      if (o.three_step) {
        tasks.push_back({TaskKind::Prune, s, "3step"});
        units_total += double(EpochSteps(o.prune_epochs)) + EpochValUnits(o.prune_epochs);
        if (o.finetune_epochs > 0) {
          tasks.push_back({TaskKind::Finetune, s, "3step"});
          units_total += double(EpochSteps(o.finetune_epochs)) + EpochValUnits(o.finetune_epochs);
        }
        tasks.push_back({TaskKind::Score, s, "3step"});
        units_total += ScoreUnits();
      }
    }
  }

  void Fail(Status s) {
    status = std::move(s);
    done = true;
  }

  // [SECTION] Training steps

  void StartStage(const std::string &name, int64_t steps) {
    stage = TrainStage{};
    stage.name = name;
    stage.steps = steps;
    stage.steps_per_epoch = StepsPerEpoch();
  }

  void NextEpochOrder() {
    ++stage.epoch;
    const int n = data.Size(Split::kTrain);
    stage.order.resize(size_t(n));
    for (int i = 0; i < n; ++i) stage.order[size_t(i)] = i;
    // A seeded Fisher-Yates per (stage, epoch): runs are reproducible.
    uint64_t h = o.seed * 0x9E3779B97F4A7C15ull + uint64_t(stage.epoch) * 0xBF58476D1CE4E5B9ull;
    for (char c : stage.name) h = (h ^ uint64_t(uint8_t(c))) * 0x100000001B3ull;
    Rng rng(h);
    for (int i = n - 1; i > 0; --i) std::swap(stage.order[size_t(i)], stage.order[rng.Below(uint32_t(i + 1))]);
    stage.pos = 0;
  }

  // One example as the executor and the trainer take it: HWC floats in [0, 1].
  void Picture(Split split, int index, float *hwc, int *label) {
    rgb.resize(size_t(data.ValuesPerImage()));
    data.GetRgb8(split, index, rgb.data(), label);
    for (size_t k = 0; k < rgb.size(); ++k) hwc[k] = float(rgb[k]) * (1.0f / 255.0f);
  }

  void FillTrainBatch() {
    const int b = o.batch, side = data.ImageSize();
    const size_t per = size_t(side) * size_t(side) * 3;
    x.resize(size_t(b) * per);
    y.resize(size_t(b));
    // An epoch is floor(n / batch) full batches; the remainder waits for the
    // next shuffle.
    if (stage.order.empty() || stage.pos + size_t(b) > stage.order.size()) NextEpochOrder();
    for (int i = 0; i < b; ++i) {
      const int idx = stage.order[stage.pos++];
      Picture(Split::kTrain, idx, x.data() + size_t(i) * per, &y[size_t(i)]);
    }
  }

  // One slice of the stage; true when the stage is finished.
  bool TrainSlice() {
    if (stage.val_pending) return ValSlice();
    if (stage.done >= stage.steps) return true;
    if (!stage.in_step) {
      if (stage.name != "dense" && !stage.name.empty() && stage.name.rfind("prune", 0) == 0) MaybePrune();
      if (done) return true;
      FillTrainBatch();
      if (Status s = tr->BeginStep(x.data(), y.data(), o.batch); !s) {
        Fail(s);
        return true;
      }
      stage.in_step = true;
    }
    const double t0 = NowMs();
    const bool finished = tr->StepSlice();
    train_ms += NowMs() - t0;
    if (!finished) return false;
    stage.in_step = false;
    auto loss = tr->StepLoss();
    if (!loss) {
      Fail(Status::Error(StrCat(stage.name, ": step ", stage.done, ": ", loss.status().message())));
      return true;
    }
    train_images += o.batch;
    units_done += 1;
    ++stage.done;
    stage.loss_sum += *loss;
    ++stage.loss_n;
    // About 20 points per epoch, and the stage's last step.
    const int64_t every = std::max<int64_t>(1, stage.steps_per_epoch / 20);
    const bool epoch_end = stage.done % stage.steps_per_epoch == 0 || stage.done == stage.steps;
    if (stage.done % every == 0 || epoch_end) {
      TrainCurvePoint p;
      p.stage = stage.name;
      p.step = stage.done;
      p.epoch = double(stage.done) / double(stage.steps_per_epoch);
      p.loss = stage.loss_sum / std::max(1, stage.loss_n);
      p.lr = tr->CurrentLearningRate();
      p.sparsity = current_target;
      curve.push_back(p);
      stage.loss_sum = 0;
      stage.loss_n = 0;
    }
    if (epoch_end) {
      stage.val_pending = true;
      stage.val_index = stage.val_correct = 0;
      return false;
    }
    return stage.done >= stage.steps;
  }

  // The validation accuracy at an epoch's end, a batch per slice (the
  // trainer's eval forward: running BN statistics).
  bool ValSlice() {
    const int n = EvalCount(Split::kVal), side = data.ImageSize();
    const size_t per = size_t(side) * size_t(side) * 3;
    const int b = std::min(o.batch, n - stage.val_index);
    if (b > 0) {
      x.resize(size_t(b) * per);
      y.resize(size_t(b));
      for (int i = 0; i < b; ++i) {
        Picture(Split::kVal, stage.val_index + i, x.data() + size_t(i) * per, &y[size_t(i)]);
      }
      auto acc = tr->Evaluate(x.data(), y.data(), b);
      if (!acc) {
        Fail(acc.status());
        return true;
      }
      stage.val_correct += int(std::lround(double(*acc) * b));
      stage.val_index += b;
      units_done += b / 120.0;
      if (stage.val_index < n) return false;
    }
    stage.val_pending = false;
    if (!curve.empty()) curve.back().val_accuracy = double(stage.val_correct) / double(std::max(1, n));
    return stage.done >= stage.steps;
  }

  // Stage 2: TF MOT's mask update before the step whose index the schedule
  // names.
  void MaybePrune() {
    const int64_t step = stage.done;
    PruneDecision d = poly ? (*poly)(step) : (*constant)(step);
    if (!d.prune) return;
    current_target = d.sparsity;
    if (Status s = PruneLayers(tr->RawModel(), d.sparsity, po); !s) Fail(s);
  }

  // [SECTION] Tasks

  TrainOptions DenseOptions(int64_t steps) const {
    TrainOptions t;
    t.optimizer = OptimizerKind::Sgd;
    t.momentum = 0.9f;
    t.nesterov = true;
    t.weight_decay = o.weight_decay;
    const int64_t warm = std::min<int64_t>(steps, int64_t(std::llround(o.warmup_epochs * double(StepsPerEpoch()))));
    t.schedule = LrSchedule::Cosine(o.lr, warm, steps);
    t.batch_norm = true;
    t.max_batch = o.batch;
    return t;
  }

  TrainOptions FinetuneOptions(float lr, int64_t steps, bool cosine) const {
    TrainOptions t;
    t.optimizer = OptimizerKind::Sgd;
    t.momentum = 0.9f;
    t.nesterov = true;
    t.weight_decay = o.weight_decay;
    t.schedule = cosine ? LrSchedule::Cosine(lr, 0, steps) : LrSchedule::Constant(lr);
    t.batch_norm = true;  // on the folded model, calibrated to the identity first (StartTask)
    t.max_batch = o.batch;
    return t;
  }

  void StartTask() {
    const Task &t = tasks[ti];
    switch (t.kind) {
      case TaskKind::TrainDense: {
        SmallNetOptions so = o.net;
        so.input_size = data.ImageSize();
        so.num_classes = data.NumClasses();
        so.seed = o.seed;
        const int64_t steps = EpochSteps(o.epochs);
        // Its buffers are allocated in the next steps (PrepareStep): one step was 80 ms natively.
        auto r = Trainer::CreateDeferred(BuildSmallMobileNetV2(so), DenseOptions(steps));
        if (!r) return Fail(r.status());
        tr.emplace(std::move(*r));
        StartStage("dense", steps);
        break;
      }
      case TaskKind::Prune: {
        current_target = 0;
        const int64_t steps = EpochSteps(o.prune_epochs);
        // Buffers in the next steps (PrepareStep), then the calibration (Calibrate) in one of its own.
        auto r = Trainer::CreateDeferred(*dense, FinetuneOptions(o.prune_lr, steps, false));
        if (!r) return Fail(r.status());
        tr.emplace(std::move(*r));
        calibrate_pending = true;
        poly.reset();
        constant.reset();
        if (o.schedule == SparsitySchedule::Polynomial) {
          // The last mask update lands exactly on end_step, so the target is
          // reached.
          const int64_t end = std::max<int64_t>(0, (steps - 1) / o.frequency * o.frequency);
          poly.emplace(std::min(o.initial_sparsity, t.sparsity), t.sparsity, 0, end, 3.0, o.frequency);
        } else {
          constant.emplace(t.sparsity, 0, -1, o.frequency);
        }
        StartStage(StrCat("prune ", FormatSparsity(t.sparsity)), steps);
        break;
      }
      case TaskKind::Finetune: {
        const int64_t steps = EpochSteps(o.finetune_epochs);
        // Masks stay as stage 2 left them (the trainer keeps masked weights at
        // 0).
        if (Status s = tr->SetOptions(FinetuneOptions(o.finetune_lr, steps, true), true); !s) return Fail(s);
        StartStage(StrCat("finetune ", FormatSparsity(t.sparsity)), steps);
        break;
      }
      default:
        break;
    }
  }

  // A fixed calibration batch (the split's first examples): every sparsity starts identical.
  void Calibrate() {
    calibrate_pending = false;
    const int b = std::min(o.batch, data.Size(Split::kTrain));
    const int side = data.ImageSize();
    const size_t per = size_t(side) * size_t(side) * 3;
    x.resize(size_t(b) * per);
    for (int i = 0; i < b; ++i) {
      Picture(Split::kTrain, i, x.data() + size_t(i) * per, nullptr);
    }
    if (Status s = tr->CalibrateBatchNormAsIdentity(x.data(), b); !s) return Fail(s);
  }

  static std::string FormatSparsity(double s) { return StrFormat("%.2g", s); }

  // Runs one unit of the current task; true when the task is finished.
  bool RunTask() {
    const Task &t = tasks[ti];
    switch (t.kind) {
      case TaskKind::TrainDense:
      case TaskKind::Prune:
        return TrainSlice() && !done;
      case TaskKind::Finetune:
        return TrainSlice() && !done;
      case TaskKind::Dense: {
        if (tr && !dense) dense = tr->Export();
        tr.reset();
        SetScoring(*dense, "dense", 0, 0);
        return true;
      }
      case TaskKind::OneShot: {
        Model m = *dense;
        if (Status s = PruneLayers(m, t.sparsity, po); !s) {
          Fail(s);
          return true;
        }
        Strip(m);
        SetScoring(std::move(m), "one-shot", t.sparsity, 0);
        return true;
      }
      case TaskKind::Score:
        return ScoreSlice();
    }
    return true;
  }

  void SetScoring(Model m, const std::string &strategy, double sparsity, int64_t steps) {
    scoring_model = std::move(m);
    scoring_strategy = strategy;
    scoring_sparsity = sparsity;
    scoring_steps = steps;
    sc = Scoring{};
  }

  // After stages 2-3: the stripped model is the one scored.
  void FinishThreeStep(double sparsity) {
    Model m = tr->Export();
    Strip(m);
    const int64_t steps = tr->Step();
    tr.reset();
    SetScoring(std::move(m), "3step", sparsity,
               EpochSteps(o.prune_epochs) + (o.finetune_epochs > 0 ? EpochSteps(o.finetune_epochs) : 0));
    (void)steps;
  }

  bool EvalChunk(Split split, int &correct_out, bool &finished) {
    const int side = data.ImageSize(), classes = data.NumClasses();
    const size_t per = size_t(side) * size_t(side) * 3;
    x.resize(per);
    const int n = EvalCount(split);
    for (int k = 0; k < 16 && sc.index < n; ++k, ++sc.index) {
      int label = 0;
      Picture(split, sc.index, x.data(), &label);
      sc.ex->Run(x.data());
      const float *logits = sc.ex->Logits();
      int best = 0;
      for (int c = 1; c < classes; ++c)
        if (logits[c] > logits[best]) best = c;
      sc.correct += best == label;
      units_done += 1.0 / 40.0;
    }
    finished = sc.index >= n;
    if (finished) correct_out = sc.correct;
    return true;
  }

  double val_accuracy = 0;

  bool ScoreSlice() {
    Model &m = *scoring_model;
    switch (sc.phase) {
      case Scoring::Phase::Val:
      case Scoring::Phase::Test: {
        if (!sc.ex) {
          auto ex = Executor::Create(m, kernels::BestNnKernels());
          if (!ex) {
            Fail(ex.status());
            return true;
          }
          sc.ex.emplace(std::move(*ex));
        }
        const Split split = sc.phase == Scoring::Phase::Val ? Split::kVal : Split::kTest;
        int correct = 0;
        bool finished = false;
        EvalChunk(split, correct, finished);
        if (!finished) return false;
        const double acc = double(correct) / double(std::max(1, EvalCount(split)));
        if (split == Split::kVal) {
          val_accuracy = acc;
          sc.phase = Scoring::Phase::Test;
        } else {
          PruneTrainResult r;
          r.sparsity = scoring_sparsity;
          r.strategy = scoring_strategy;
          r.accuracy = acc;
          r.val_accuracy = val_accuracy;
          r.top1_drop = results.empty() ? 0.0 : results.front().accuracy - acc;
          r.train_steps = scoring_steps;
          r.achieved_sparsity = PrunedSparsity(m);
          results.push_back(std::move(r));
          sc.phase = Scoring::Phase::Size;
        }
        sc.index = 0;
        sc.correct = 0;
        return false;
      }
      case Scoring::Phase::Size: {
        auto bytes = SaveModelBytes(m);
        if (!bytes) {
          Fail(bytes.status());
          return true;
        }
        results.back().model_bytes = bytes->size();
        if (o.latency_runs == 0) {
          sc.phase = Scoring::Phase::Done;
          return Finish();
        }
        ExecutorOptions dense_opt;
        dense_opt.sparse = false;
        auto d = Executor::Create(m, kernels::BestNnKernels(), dense_opt);
        auto s = Executor::Create(m, kernels::BestNnKernels());
        if (!d || !s) {
          Fail(!d ? d.status() : s.status());
          return true;
        }
        sc.dense_ex.emplace(std::move(*d));
        sc.sparse_ex.emplace(std::move(*s));
        const int side = data.ImageSize();
        sc.image.resize(size_t(side) * size_t(side) * 3);
        Picture(Split::kTest, 0, sc.image.data(), nullptr);
        sc.phase = Scoring::Phase::Warmup;
        return false;
      }
      case Scoring::Phase::Warmup: {
        // A sample is `reps` inferences of about 1 ms in all: one inference of
        // this small net takes ~0.03 ms natively, below the page's timer
        // resolution (performance.now() is coarsened to 0.1 ms without
        // cross-origin isolation), so single runs would read 0 or 0.1.
        for (int i = 0; i < 3; ++i) sc.dense_ex->Run(sc.image.data()), sc.sparse_ex->Run(sc.image.data());
        int n = 0;
        const double t0 = NowMs();
        while (n < 1000 && (n < 8 || NowMs() - t0 < 2.0)) sc.dense_ex->Run(sc.image.data()), ++n;
        const double per_run = std::max(1e-4, (NowMs() - t0) / n);
        sc.reps = std::max(1, std::min(1000, int(std::ceil(1.0 / per_run))));
        sc.phase = Scoring::Phase::Time;
        return false;
      }
      case Scoring::Phase::Time: {
        // Interleaved, a sample per slice: both kernel sets see the same machine state.
        if (sc.run < o.latency_runs) {
          double t0 = NowMs();
          for (int r = 0; r < sc.reps; ++r) sc.dense_ex->Run(sc.image.data());
          sc.dense_ms.push_back((NowMs() - t0) / sc.reps);
          t0 = NowMs();
          for (int r = 0; r < sc.reps; ++r) sc.sparse_ex->Run(sc.image.data());
          sc.sparse_ms.push_back((NowMs() - t0) / sc.reps);
          units_done += 0.1;
          ++sc.run;
        }
        if (sc.run < o.latency_runs) return false;
        results.back().median_ms_dense = Percentile(sc.dense_ms, 0.5);
        results.back().median_ms_sparse = Percentile(sc.sparse_ms, 0.5);
        sc.phase = Scoring::Phase::Done;
        return Finish();
      }
      case Scoring::Phase::Done:
        return Finish();
    }
    return true;
  }

  bool Finish() {
    results.back().model = std::move(*scoring_model);
    scoring_model.reset();
    sc = Scoring{};
    return true;
  }

  double PrunedSparsity(const Model &m) const {
    auto layers = PrunableLayers(m, po);
    if (!layers) return 0;
    size_t zeros = 0, n = 0;
    for (int i : *layers) {
      for (float w : m.layers[size_t(i)].weights) zeros += w == 0.f;
      n += m.layers[size_t(i)].weights.size();
    }
    return n ? double(zeros) / double(n) : 0.0;
  }

  bool Step() {
    if (done) return true;
    if (ti >= tasks.size()) {
      done = true;
      return true;
    }
    if (!task_started) {
      // A step of its own: making a trainer (the model, every batch buffer) was, with the first
      // batch after it, one 550 ms step in the page.
      StartTask();
      task_started = true;
      return done;
    }
    if (tr && !tr->Ready()) {
      if (tr->PrepareStep() && !tr->Ready()) Fail(Status::Error("trainer: the first pass over a batch of zeros failed"));
      return done;
    }
    if (calibrate_pending) {
      Calibrate();
      return done;
    }
    if (!RunTask()) return done;
    if (done) return true;
    // Task finished: hand-offs between tasks.
    const Task &t = tasks[ti];
    if (t.kind == TaskKind::TrainDense) {
      dense = tr->Export();
      tr.reset();
    } else if ((t.kind == TaskKind::Prune && o.finetune_epochs <= 0) || t.kind == TaskKind::Finetune) {
      FinishThreeStep(t.sparsity);
    }
    ++ti;
    task_started = false;
    if (ti >= tasks.size()) done = true;
    return done;
  }
};

PruneTrainSession::PruneTrainSession(const Dataset &data, const PruneTrainOptions &o)
    : impl_(std::make_unique<Impl>(data, o)) {
  if (Status s = o.Validate(); !s) {
    impl_->Fail(std::move(s));
    return;
  }
  if (data.Size(Split::kTrain) < o.batch) {
    impl_->Fail(Status::Error(
        StrCat("the training split has ", data.Size(Split::kTrain), " examples, fewer than a batch (", o.batch, ")")));
    return;
  }
  impl_->Plan(true);
}

PruneTrainSession::PruneTrainSession(const Dataset &data, Model dense, const PruneTrainOptions &o)
    : impl_(std::make_unique<Impl>(data, o)) {
  if (Status s = o.Validate(); !s) {
    impl_->Fail(std::move(s));
    return;
  }
  if (Status s = dense.InferShapes(); !s) {
    impl_->Fail(std::move(s));
    return;
  }
  if (dense.in_h != data.ImageSize() || dense.in_w != data.ImageSize()) {
    impl_->Fail(Status::Error(StrCat("the model takes ", dense.in_h, "x", dense.in_w, " pictures, the data set has ",
                                     data.ImageSize(), "x", data.ImageSize())));
    return;
  }
  if (dense.NumClasses() != data.NumClasses()) {
    impl_->Fail(
        Status::Error(StrCat("the model has ", dense.NumClasses(), " classes, the data set ", data.NumClasses())));
    return;
  }
  if (data.Size(Split::kTrain) < o.batch && !o.sparsities.empty() && o.three_step) {
    impl_->Fail(Status::Error(
        StrCat("the training split has ", data.Size(Split::kTrain), " examples, fewer than a batch (", o.batch, ")")));
    return;
  }
  for (Layer &l : dense.layers) l.mask.clear();  // a dense start: strip_pruning already baked any mask in
  impl_->dense = std::move(dense);
  impl_->Plan(false);
}

PruneTrainSession::~PruneTrainSession() = default;
PruneTrainSession::PruneTrainSession(PruneTrainSession &&) noexcept = default;
PruneTrainSession &PruneTrainSession::operator=(PruneTrainSession &&) noexcept = default;

bool PruneTrainSession::Step() { return impl_->Step(); }
bool PruneTrainSession::Done() const { return impl_->done; }
const Status &PruneTrainSession::status() const { return impl_->status; }
float PruneTrainSession::Progress() const {
  if (impl_->done) return 1.f;
  return float(std::min(1.0, impl_->units_done / impl_->units_total));
}

std::string PruneTrainSession::Detail() const {
  const Impl &m = *impl_;
  if (m.done || m.ti >= m.tasks.size()) return m.status ? "done" : m.status.message();
  const Task &t = m.tasks[m.ti];
  switch (t.kind) {
    case TaskKind::TrainDense:
    case TaskKind::Prune:
    case TaskKind::Finetune:
      if (!m.task_started)  // not begun: its stage is not set up yet
        return StrCat(t.kind == TaskKind::TrainDense ? std::string("dense")
                      : t.kind == TaskKind::Prune    ? "prune " + Impl::FormatSparsity(t.sparsity)
                                                     : "finetune " + Impl::FormatSparsity(t.sparsity),
                      ": starting");
      if (m.tr && !m.tr->Ready()) return StrCat(m.stage.name, ": making the trainer (its buffers)");
      if (m.calibrate_pending) return StrCat(m.stage.name, ": calibrating batch norm");
      return StrCat(m.stage.name, ": epoch ",
                    std::min<int64_t>(m.stage.done / m.stage.steps_per_epoch + 1,
                                      (m.stage.steps + m.stage.steps_per_epoch - 1) / m.stage.steps_per_epoch),
                    ", step ", m.stage.done, "/", m.stage.steps,
                    t.kind == TaskKind::Prune ? StrFormat(", sparsity %.2f", m.current_target) : std::string());
    case TaskKind::Score:
      return StrCat("scoring ", t.strategy, t.sparsity > 0 ? StrFormat(" %.2g", t.sparsity) : std::string(),
                    m.sc.phase == Scoring::Phase::Val    ? ": validation"
                    : m.sc.phase == Scoring::Phase::Test ? ": test"
                                                         : ": size and latency");
    default:
      return t.strategy;
  }
}

const std::vector<PruneTrainResult> &PruneTrainSession::Results() const { return impl_->results; }
const std::vector<TrainCurvePoint> &PruneTrainSession::Curve() const { return impl_->curve; }
const Model *PruneTrainSession::DenseModel() const { return impl_->dense ? &*impl_->dense : nullptr; }
double PruneTrainSession::ImagesPerSecond() const {
  return impl_->train_ms > 0 ? double(impl_->train_images) / (impl_->train_ms / 1000.0) : 0.0;
}
int64_t PruneTrainSession::TrainImages() const { return impl_->train_images; }

nlohmann::json PruneTrainSession::Json() const {
  const Impl &m = *impl_;
  nlohmann::json rs = nlohmann::json::array();
  for (const PruneTrainResult &r : m.results) {
    rs.push_back({{"sparsity", r.sparsity},
                  {"strategy", r.strategy},
                  {"accuracy", JsonNumberAs(r.accuracy, "%.4f")},
                  {"val_accuracy", JsonNumberAs(r.val_accuracy, "%.4f")},
                  {"top1_drop", JsonNumberAs(r.top1_drop, "%.4f")},
                  {"achieved_sparsity", JsonNumberAs(r.achieved_sparsity, "%.4f")},
                  {"model_bytes", r.model_bytes},
                  {"median_ms_dense", JsonNumberAs(r.median_ms_dense, "%.4f")},
                  {"median_ms_sparse", JsonNumberAs(r.median_ms_sparse, "%.4f")},
                  {"train_steps", r.train_steps}});
  }
  const auto &o = m.o;
  nlohmann::json sp = nlohmann::json::array();
  for (double s : o.sparsities) sp.push_back(s);
  return {{"results", rs},
          {"dense_accuracy",
           m.results.empty() ? nlohmann::json(nullptr) : JsonNumberAs(m.results.front().accuracy, "%.4f")},
          {"images_per_s", JsonNumberAs(ImagesPerSecond(), "%.1f")},
          {"train_images", m.train_images},
          {"data",
           {{"classes", m.data.NumClasses()},
            {"image_size", m.data.ImageSize()},
            {"train", m.data.Size(Split::kTrain)},
            {"val", m.data.Size(Split::kVal)},
            {"test", m.data.Size(Split::kTest)},
            {"scored_val", m.EvalCount(Split::kVal)},
            {"scored_test", m.EvalCount(Split::kTest)}}},
          {"options",
           {{"epochs", o.epochs},
            {"batch", o.batch},
            {"lr", o.lr},
            {"seed", o.seed},
            {"sparsities", sp},
            {"schedule", SparsityScheduleName(o.schedule)},
            {"initial_sparsity", o.initial_sparsity},
            {"frequency", o.frequency},
            {"prune_epochs", o.prune_epochs},
            {"prune_lr", o.prune_lr},
            {"finetune_epochs", o.finetune_epochs},
            {"finetune_lr", o.finetune_lr},
            {"block", o.block},
            {"latency_runs", o.latency_runs}}}};
}

nlohmann::json PruneTrainSession::CurveJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const TrainCurvePoint &p : impl_->curve) {
    nlohmann::json j = {{"stage", p.stage},
                        {"step", p.step},
                        {"epoch", JsonNumberAs(p.epoch, "%.3f")},
                        {"loss", JsonNumberAs(p.loss, "%.5f")},
                        {"lr", JsonNumberAs(p.lr, "%.6g")},
                        {"sparsity", JsonNumberAs(p.sparsity, "%.4f")}};
    if (p.val_accuracy >= 0) j["val_accuracy"] = JsonNumberAs(p.val_accuracy, "%.4f");
    out.push_back(j);
  }
  return out;
}

}  // namespace fk::nn
