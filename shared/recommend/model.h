// Rankers over a Dataset: popularity, popularity in context, item-kNN
// (cosine), EASE^R, and a factorisation machine trained with a ranking loss
// (BPR with the hardest of a few sampled negatives, a cheap WARP stand-in)
// whose features are user, persona, item, category, size and — in the
// context-aware variant — the temperature band. Every ranker scores all items
// for a Query; Recommend() turns scores into a top-k, optionally without the
// user's purchased items. Cold users (user = -1) are scored from their
// persona (if any) and the context alone. Fit keeps a pointer to the Dataset:
// keep it alive (and unchanged) while the ranker is in use.
//
//   auto m = fk::recommend::MakeRanker(fk::recommend::RankerKind::FmContext, {});
//   m->Fit(ds, train);  while (!m->TrainStep(20000)) {}   // sliced: one step per frame
//   auto top = fk::recommend::Recommend(*m, ds, {uid, persona, Band::Cold}, 5, /*filter_purchased=*/false);
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "recommend/data.h"

namespace fk::recommend {

struct Query {
  int user = -1;              // index into Dataset::users; -1 = a new (cold) user
  int persona = -1;           // index into Dataset::personas; -1 = unknown
  Band band = Band::Unknown;  // Unknown = no context
};

enum class RankerKind { Popularity, PopularityInContext, ItemKnn, Ease, FmContext, FmNoContext };
const char* RankerName(RankerKind k);  // "popularity", ..., "fm_context", "fm_no_context"
bool ParseRankerKind(const std::string& s, RankerKind* out);

constexpr int kMaxFactors = 1024;  // factorisation machine size a model file may declare (and training accepts)

struct RankerOptions {
  uint64_t seed = 1;
  // Factorisation machine.
  int factors = 24;  // 1..kMaxFactors
  int epochs = 25;           // passes over the training interactions
  float learning_rate = 0.05f;
  float reg = 0.002f;        // L2 on factors and biases
  float reg_user = 0.02f;    // stronger on the user id: shared parts carry what generalises
  int negatives = 3;         // hardest of n uniform negatives per positive
  // EASE^R.
  double ease_lambda = 300;
  // EASE^R scores divided by (users who had the item)^beta: 0 = plain EASE;
  // larger values push less popular items up (MovieLens chooses it on validation).
  double ease_pop_beta = 0;
  // Popularity in context: prior strength (pseudo-interactions of the global popularity).
  double context_prior = 50;
};

// A named additive part of a score, for explanations ("persona x category").
struct Factor {
  std::string label;
  float value = 0;
};

struct Scored {
  uint32_t item = 0;
  float score = 0;
};

class Ranker {
 public:
  virtual ~Ranker() = default;
  virtual RankerKind Kind() const = 0;
  // Takes the training interactions (ds gives attributes and sizes).
  virtual void Fit(const Dataset& ds, const std::vector<Interaction>& train) = 0;
  // Trains up to `samples` more samples; true when training is finished. Rankers
  // with closed-form training finish in Fit (one step; EASE inverts here).
  virtual bool TrainStep(size_t samples) { (void)samples; return true; }
  virtual float Progress() const { return 1.f; }
  virtual std::string Detail() const { return ""; }
  // One score per item (higher first).
  virtual void Score(const Query& q, std::vector<float>* scores) const = 0;
  // The largest additive parts of the item's score (default: none).
  virtual std::vector<Factor> Explain(const Query& q, uint32_t item, size_t n) const {
    (void)q, (void)item, (void)n;
    return {};
  }
  // Items the user had in training (for filtering and item-kNN).
  const std::vector<std::vector<uint32_t>>& History() const { return history_; }
  const std::vector<std::vector<uint32_t>>& Purchased() const { return purchased_; }

 protected:
  void BuildHistory(const Dataset& ds, const std::vector<Interaction>& train);
  std::vector<std::vector<uint32_t>> history_, purchased_;  // per user, sorted unique items
};

std::unique_ptr<Ranker> MakeRanker(RankerKind kind, const RankerOptions& opt);

// scores[i] /= max(1, degree[i])^beta (beta 0: unchanged). EASE's popularity
// discount, shared with the MovieLens tuning so both rank alike, bit for bit.
void DiscountByPopularity(const std::vector<float>& degree, double beta, std::vector<float>* scores);
// Per item, the users who had it in `history` (Ranker::History()).
std::vector<float> ItemDegrees(const std::vector<std::vector<uint32_t>>& history, size_t items);

// A trained FM as JSON (the other rankers retrain in well under a second), and
// back for the same data set; a model made for other data is refused with a
// message naming the mismatch. The loaded ranker's history is all of ds.
Status SaveRanker(const Ranker& r, const std::string& path);
Result<std::unique_ptr<Ranker>> LoadRanker(const std::string& path, const Dataset& ds);

// Top k by score; ties by item index. filter_purchased drops what the user bought
// in training (filter_seen drops everything they interacted with, as MovieLens wants).
std::vector<Scored> Recommend(const Ranker& r, const Query& q, size_t k, bool filter_purchased,
                              bool filter_seen = false);

}  // namespace fk::recommend
