// [SECTION] names, history, Recommend
// [SECTION] popularity, popularity in context
// [SECTION] item-kNN (cosine)
// [SECTION] EASE^R (closed form: B = I - P diagMat(1/diag(P)), P = (X'X + lambda I)^-1)
// [SECTION] factorisation machine (BPR, hardest of n negatives)
#include "recommend/model.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/json_number.h"
#include "core/json_write.h"
#include "core/linalg.h"
#include "core/rng.h"

namespace fk::recommend {

// [SECTION] names, history, Recommend

static const char* const kRankerNames[] = {"popularity", "popularity_in_context", "item_knn",
                                           "ease",       "fm_context",            "fm_no_context"};

const char* RankerName(RankerKind k) { return kRankerNames[int(k)]; }

bool ParseRankerKind(const std::string& s, RankerKind* out) {
  for (int k = 0; k < 6; k++)
    if (s == kRankerNames[k]) return *out = RankerKind(k), true;
  return false;
}

void Ranker::BuildHistory(const Dataset& ds, const std::vector<Interaction>& train) {
  history_.assign(ds.users.size(), {});
  purchased_.assign(ds.users.size(), {});
  for (auto& x : train) {
    history_[x.user].push_back(x.item);
    if (x.event == EventType::Purchase) purchased_[x.user].push_back(x.item);
  }
  for (auto* v : {&history_, &purchased_})
    for (auto& h : *v) {
      std::sort(h.begin(), h.end());
      h.erase(std::unique(h.begin(), h.end()), h.end());
    }
}

std::vector<Scored> Recommend(const Ranker& r, const Query& q, size_t k, bool filter_purchased, bool filter_seen) {
  std::vector<float> s;
  r.Score(q, &s);
  std::vector<char> drop(s.size(), 0);
  if (q.user >= 0 && size_t(q.user) < r.History().size()) {
    if (filter_seen)
      for (uint32_t i : r.History()[size_t(q.user)]) drop[i] = 1;
    if (filter_purchased)
      for (uint32_t i : r.Purchased()[size_t(q.user)]) drop[i] = 1;
  }
  std::vector<Scored> all;
  all.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++)
    if (!drop[i]) all.push_back({uint32_t(i), s[i]});
  k = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + long(k), all.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  all.resize(k);
  return all;
}

void DiscountByPopularity(const std::vector<float>& degree, double beta, std::vector<float>* scores) {
  if (beta == 0) return;
  for (size_t i = 0; i < scores->size() && i < degree.size(); i++)
    (*scores)[i] /= float(std::pow(std::max(1.0, double(degree[i])), beta));
}

std::vector<float> ItemDegrees(const std::vector<std::vector<uint32_t>>& history, size_t items) {
  std::vector<float> d(items, 0.f);
  for (auto& h : history)
    for (uint32_t i : h)
      if (i < items) d[i] += 1;
  return d;
}

namespace {

// [SECTION] popularity, popularity in context

class Popularity : public Ranker {
 public:
  RankerKind Kind() const override { return RankerKind::Popularity; }
  void Fit(const Dataset& ds, const std::vector<Interaction>& train) override {
    BuildHistory(ds, train);
    count_.assign(ds.items.size(), 0.f);
    for (auto& x : train) count_[x.item] += 1;
  }
  void Score(const Query&, std::vector<float>* s) const override { *s = count_; }
  std::vector<Factor> Explain(const Query&, uint32_t item, size_t) const override {
    return {{"interactions with this item", count_[item]}};
  }

 private:
  std::vector<float> count_;
};

// Share of the item among interactions in the query's band, shrunk towards the
// global share by `prior` pseudo-interactions (bands with few days stay sane).
class PopularityInContext : public Ranker {
 public:
  explicit PopularityInContext(double prior) : prior_(prior) {}
  RankerKind Kind() const override { return RankerKind::PopularityInContext; }
  void Fit(const Dataset& ds, const std::vector<Interaction>& train) override {
    BuildHistory(ds, train);
    const size_t n = ds.items.size();
    global_.assign(n, 0.0);
    by_band_.assign(kNumBands, std::vector<double>(n, 0.0));
    band_total_.assign(kNumBands, 0.0);
    for (auto& x : train) {
      global_[x.item] += 1;
      if (x.band != Band::Unknown) by_band_[size_t(x.band)][x.item] += 1, band_total_[size_t(x.band)] += 1;
    }
    double total = 0;
    for (double c : global_) total += c;
    for (double& c : global_) c /= std::max(1.0, total);
  }
  void Score(const Query& q, std::vector<float>* s) const override {
    s->resize(global_.size());
    for (size_t i = 0; i < global_.size(); i++) (*s)[i] = float(Share(q.band, i));
  }
  std::vector<Factor> Explain(const Query& q, uint32_t item, size_t) const override {
    std::vector<Factor> f = {{"share of all interactions", float(global_[item])}};
    if (q.band != Band::Unknown)
      f.push_back({std::string("share on ") + BandName(q.band) + " days", float(Share(q.band, item))});
    return f;
  }

 private:
  double Share(Band b, size_t i) const {
    if (b == Band::Unknown) return global_[i];
    return (by_band_[size_t(b)][i] + prior_ * global_[i]) / (band_total_[size_t(b)] + prior_);
  }
  double prior_;
  std::vector<double> global_, band_total_;
  std::vector<std::vector<double>> by_band_;
};

// [SECTION] item-kNN (cosine)

class ItemKnn : public Ranker {
 public:
  RankerKind Kind() const override { return RankerKind::ItemKnn; }
  void Fit(const Dataset& ds, const std::vector<Interaction>& train) override {
    BuildHistory(ds, train);
    n_ = ds.items.size();
    sim_.assign(n_ * n_, 0.f);
    std::vector<float> deg(n_, 0.f);
    pop_.assign(n_, 0.f);
    for (auto& h : history_) {
      for (uint32_t a : h) {
        deg[a] += 1;
        for (uint32_t b : h)
          if (a != b) sim_[a * n_ + b] += 1;
      }
    }
    for (size_t a = 0; a < n_; a++) {
      pop_[a] = deg[a];
      for (size_t b = 0; b < n_; b++)
        if (sim_[a * n_ + b] > 0) sim_[a * n_ + b] /= std::sqrt(deg[a] * deg[b]);
    }
  }
  void Score(const Query& q, std::vector<float>* s) const override {
    s->assign(n_, 0.f);
    float maxpop = 1;
    for (float p : pop_) maxpop = std::max(maxpop, p);
    // Popularity breaks ties (and ranks for a cold user) without outweighing any similarity.
    for (size_t i = 0; i < n_; i++) (*s)[i] = 1e-4f * pop_[i] / maxpop;
    if (q.user < 0 || size_t(q.user) >= history_.size()) return;
    for (uint32_t j : history_[size_t(q.user)]) {
      const float* row = &sim_[j * n_];
      for (size_t i = 0; i < n_; i++) (*s)[i] += row[i];
    }
  }

 private:
  size_t n_ = 0;
  std::vector<float> sim_, pop_;
};

// [SECTION] EASE^R

class Ease : public Ranker {
 public:
  Ease(double lambda, double pop_beta) : lambda_(lambda), pop_beta_(pop_beta) {}
  RankerKind Kind() const override { return RankerKind::Ease; }
  void Fit(const Dataset& ds, const std::vector<Interaction>& train) override {
    BuildHistory(ds, train);
    n_ = ds.items.size();
    degree_ = ItemDegrees(history_, n_);
    done_ = false;
  }
  bool TrainStep(size_t) override {
    if (done_) return true;
    std::vector<double> g(n_ * n_, 0.0);
    for (auto& h : history_)
      for (uint32_t a : h)
        for (uint32_t b : h) g[a * n_ + b] += 1;
    for (size_t i = 0; i < n_; i++) g[i * n_ + i] += lambda_;
    b_.assign(n_ * n_, 0.f);
    if (InvertSpd(g.data(), n_)) {  // core/linalg: B = -G^-1 / diag(G^-1), zero diagonal
      for (size_t i = 0; i < n_; i++)
        for (size_t j = 0; j < n_; j++)
          b_[i * n_ + j] = i == j ? 0.f : float(-g[i * n_ + j] / g[j * n_ + j]);
    }
    done_ = true;
    return true;
  }
  float Progress() const override { return done_ ? 1.f : 0.f; }
  void Score(const Query& q, std::vector<float>* s) const override {
    s->assign(n_, 0.f);
    if (q.user < 0 || size_t(q.user) >= history_.size()) return;
    for (uint32_t j : history_[size_t(q.user)]) {
      const float* row = &b_[j * n_];
      for (size_t i = 0; i < n_; i++) (*s)[i] += row[i];
    }
    DiscountByPopularity(degree_, pop_beta_, s);
  }

 private:
  double lambda_, pop_beta_;
  size_t n_ = 0;
  bool done_ = false;
  std::vector<float> b_, degree_;
};

// [SECTION] factorisation machine

// score(q, i) = b_item + b_category + b_size + <U(q), V(i)>
//   U(q) = v_user + v_persona [+ v_band]      V(i) = v_item + v_category + v_size
// which is a factorisation machine over these six one-hot fields, keeping the
// user-side x item-side pairs (pairs within one side do not change a ranking).
class Fm : public Ranker {
 public:
  Fm(const RankerOptions& opt, bool context) : opt_(opt), context_(context), rng_(opt.seed) {}
  RankerKind Kind() const override { return context_ ? RankerKind::FmContext : RankerKind::FmNoContext; }

  void Fit(const Dataset& ds, const std::vector<Interaction>& train) override {
    BuildHistory(ds, train);
    ds_ = &ds;
    train_ = train;
    k_ = size_t(opt_.factors);
    auto init = [&](std::vector<float>* v, size_t rows) {
      v->resize(rows * k_);
      for (float& x : *v) x = 0.05f * rng_.Normal();
    };
    init(&vu_, ds.users.size());
    init(&vp_, std::max<size_t>(1, ds.personas.size()));
    init(&vb_, kNumBands);
    init(&vi_, ds.items.size());
    init(&vc_, std::max<size_t>(1, ds.categories.size()));
    init(&vs_, std::max<size_t>(1, ds.sizes.size()));
    bi_.assign(ds.items.size(), 0.f);
    bc_.assign(std::max<size_t>(1, ds.categories.size()), 0.f);
    bs_.assign(std::max<size_t>(1, ds.sizes.size()), 0.f);
    total_ = size_t(opt_.epochs) * train_.size();
    done_ = 0;
    loss_ = 0;
    loss_n_ = 0;
  }

  bool TrainStep(size_t samples) override {
    if (train_.empty()) return true;
    const size_t n_items = ds_->items.size();
    std::vector<float> u(k_), gu(k_), vpos(k_), vneg(k_), vtmp(k_);
    const size_t end = std::min(total_, done_ + samples);
    for (; done_ < end; done_++) {
      const Interaction& x = train_[rng_.Below(uint32_t(train_.size()))];
      // Dropping the user id (and the band) now and then trains the paths a
      // cold user and a query without context take at inference.
      Query q;
      q.user = rng_.Uniform01() < 0.15f ? -1 : int(x.user);
      q.persona = ds_->user_persona[x.user];
      q.band = context_ && rng_.Uniform01() >= 0.2f ? x.band : Band::Unknown;
      UserVector(q, u.data());
      ItemVector(x.item, vpos.data());
      const float spos = Bias(x.item) + Dot(u.data(), vpos.data());
      uint32_t neg = 0;
      float sneg = -1e30f;
      for (int t = 0; t < opt_.negatives; t++) {
        uint32_t j = rng_.Below(uint32_t(n_items));
        if (j == x.item) j = (j + 1) % uint32_t(n_items);
        ItemVector(j, vtmp.data());
        const float s = Bias(j) + Dot(u.data(), vtmp.data());
        if (s > sneg) sneg = s, neg = j, vneg.swap(vtmp);
      }
      const float d = spos - sneg;
      const float g = 1.f / (1.f + std::exp(d));  // d/dd of log sigmoid(d)
      loss_ += std::log1p(std::exp(-d));
      loss_n_++;
      const float lr = opt_.learning_rate * (1.f - 0.7f * float(done_) / float(total_));
      for (size_t f = 0; f < k_; f++) gu[f] = g * (vpos[f] - vneg[f]);
      auto step = [&](float* v, const float* grad, float sign, float reg) {
        for (size_t f = 0; f < k_; f++) v[f] += lr * (sign * grad[f] - reg * v[f]);
      };
      if (q.user >= 0) step(&vu_[size_t(q.user) * k_], gu.data(), 1.f, opt_.reg_user);
      if (q.persona >= 0) step(&vp_[size_t(q.persona) * k_], gu.data(), 1.f, opt_.reg);
      if (q.band != Band::Unknown) step(&vb_[size_t(q.band) * k_], gu.data(), 1.f, opt_.reg);
      const uint32_t pc = ds_->item_category[x.item], ps = ds_->item_size[x.item];
      const uint32_t nc = ds_->item_category[neg], ns = ds_->item_size[neg];
      step(&vi_[x.item * k_], u.data(), g, opt_.reg);
      step(&vi_[neg * k_], u.data(), -g, opt_.reg);
      if (pc != nc) {
        step(&vc_[pc * k_], u.data(), g, opt_.reg);
        step(&vc_[nc * k_], u.data(), -g, opt_.reg);
        bc_[pc] += lr * (g - opt_.reg * bc_[pc]);
        bc_[nc] += lr * (-g - opt_.reg * bc_[nc]);
      }
      if (ps != ns) {
        step(&vs_[ps * k_], u.data(), g, opt_.reg);
        step(&vs_[ns * k_], u.data(), -g, opt_.reg);
        bs_[ps] += lr * (g - opt_.reg * bs_[ps]);
        bs_[ns] += lr * (-g - opt_.reg * bs_[ns]);
      }
      bi_[x.item] += lr * (g - opt_.reg * bi_[x.item]);
      bi_[neg] += lr * (-g - opt_.reg * bi_[neg]);
    }
    return done_ >= total_;
  }

  float Progress() const override { return total_ ? float(done_) / float(total_) : 1.f; }

  // The trained parameters with the vocabulary sizes they were made for.
  nlohmann::json ToJson() const {
    return {{"format", "fieldkit-recommend-fm-1"},
            {"model", RankerName(Kind())},
            {"factors", k_},
            {"users", vu_.size() / k_},
            {"items", vi_.size() / k_},
            {"personas", vp_.size() / k_},
            {"categories", vc_.size() / k_},
            {"sizes", vs_.size() / k_},
            {"vu", vu_}, {"vp", vp_}, {"vb", vb_}, {"vi", vi_}, {"vc", vc_}, {"vs", vs_},
            {"bi", bi_}, {"bc", bc_}, {"bs", bs_}};
  }
  // Restores parameters saved by ToJson for this data set (history from all its interactions).
  Status FromJson(const nlohmann::json& j, const Dataset& ds, const std::string& path) {
    BuildHistory(ds, ds.interactions);
    ds_ = &ds;
    std::string why;
    int64_t factors = 0;
    if (!JsonIntAt(j, "factors", 1, kMaxFactors, &factors, &why)) return Status::Error(path + ": " + why);
    k_ = size_t(factors);
    auto need = [&](const char* key, size_t n) {
      int64_t have = 0;
      if (!JsonIntAt(j, key, 0, INT32_MAX, &have, &why)) return Status::Error(path + ": " + why);
      if (uint64_t(have) == n) return Status::Ok();
      return Status::Error(path + ": model has " + std::to_string(have) + " " + key + ", the data set " +
                           std::to_string(n) + " (trained on other data?)");
    };
    for (auto [key, n] : {std::pair<const char*, size_t>{"users", ds.users.size()}, {"items", ds.items.size()},
                          {"personas", std::max<size_t>(1, ds.personas.size())},
                          {"categories", std::max<size_t>(1, ds.categories.size())},
                          {"sizes", std::max<size_t>(1, ds.sizes.size())}})
      if (Status st = need(key, n); !st) return st;
    struct Field {
      const char* key;
      std::vector<float>* v;
      size_t n;
    };
    for (auto& f : {Field{"vu", &vu_, ds.users.size() * k_}, Field{"vp", &vp_, std::max<size_t>(1, ds.personas.size()) * k_},
                    Field{"vb", &vb_, size_t(kNumBands) * k_}, Field{"vi", &vi_, ds.items.size() * k_},
                    Field{"vc", &vc_, std::max<size_t>(1, ds.categories.size()) * k_},
                    Field{"vs", &vs_, std::max<size_t>(1, ds.sizes.size()) * k_}, Field{"bi", &bi_, ds.items.size()},
                    Field{"bc", &bc_, std::max<size_t>(1, ds.categories.size())},
                    Field{"bs", &bs_, std::max<size_t>(1, ds.sizes.size())}}) {
      const nlohmann::json& a = j.at(f.key);
      if (!a.is_array() || a.size() != f.n)
        return Status::Error(path + ": field " + f.key + " has " + std::to_string(a.is_array() ? a.size() : 0) +
                             " values, expected " + std::to_string(f.n));
      // Each value checked as a float before it becomes one (1e300 would not fit).
      f.v->resize(f.n);
      for (size_t i = 0; i < f.n; i++) {
        double v = 0;
        if (!JsonNumber(a[i], std::string(f.key) + "[" + std::to_string(i) + "]", -FLT_MAX, FLT_MAX, &v, &why))
          return Status::Error(path + ": " + why);
        (*f.v)[i] = float(v);
      }
    }
    total_ = done_ = 1;
    return Status::Ok();
  }

  std::string Detail() const override {
    char buf[96];
    std::snprintf(buf, sizeof buf, "epoch %zu/%d, BPR loss %.3f", train_.empty() ? 0 : done_ / train_.size(),
                  opt_.epochs, loss_n_ ? loss_ / double(loss_n_) : 0.0);
    return buf;
  }

  void Score(const Query& q, std::vector<float>* s) const override {
    const size_t n = ds_->items.size();
    s->resize(n);
    std::vector<float> u(k_), v(k_);
    UserVector(Clean(q), u.data());
    for (size_t i = 0; i < n; i++) {
      ItemVector(uint32_t(i), v.data());
      (*s)[i] = Bias(uint32_t(i)) + Dot(u.data(), v.data());
    }
  }

  std::vector<Factor> Explain(const Query& q0, uint32_t item, size_t n) const override {
    const Query q = Clean(q0);
    const uint32_t c = ds_->item_category[item], z = ds_->item_size[item];
    const std::string cat = ds_->categories.empty() ? "" : ds_->categories[c];
    const std::string size = ds_->sizes.empty() ? "" : ds_->sizes[z];
    struct Side {
      std::string label;
      const float* v;
    };
    std::vector<Side> us, is = {{"this item", &vi_[item * k_]}, {"category " + cat, &vc_[c * k_]},
                                {"size " + size, &vs_[z * k_]}};
    if (q.user >= 0) us.push_back({"your history", &vu_[size_t(q.user) * k_]});
    if (q.persona >= 0) us.push_back({"persona " + ds_->personas[size_t(q.persona)], &vp_[size_t(q.persona) * k_]});
    if (q.band != Band::Unknown) us.push_back({std::string(BandName(q.band)) + " day", &vb_[size_t(q.band) * k_]});
    std::vector<Factor> f = {{"popularity of this item", bi_[item]},
                             {"popularity of " + cat, bc_[c]},
                             {"popularity of size " + size, bs_[z]}};
    for (auto& a : us)
      for (auto& b : is) f.push_back({a.label + " x " + b.label, Dot(a.v, b.v)});
    std::sort(f.begin(), f.end(), [](const Factor& a, const Factor& b) {
      return std::fabs(a.value) > std::fabs(b.value);
    });
    if (f.size() > n) f.resize(n);
    return f;
  }

 private:
  Query Clean(Query q) const {
    if (q.user >= 0 && size_t(q.user) >= ds_->users.size()) q.user = -1;
    if (q.persona >= int(ds_->personas.size())) q.persona = -1;
    if (!context_) q.band = Band::Unknown;
    return q;
  }
  float Dot(const float* a, const float* b) const {
    float s = 0;
    for (size_t f = 0; f < k_; f++) s += a[f] * b[f];
    return s;
  }
  float Bias(uint32_t i) const { return bi_[i] + bc_[ds_->item_category[i]] + bs_[ds_->item_size[i]]; }
  void UserVector(const Query& q, float* u) const {
    std::fill(u, u + k_, 0.f);
    auto add = [&](const float* v) {
      for (size_t f = 0; f < k_; f++) u[f] += v[f];
    };
    if (q.user >= 0) add(&vu_[size_t(q.user) * k_]);
    if (q.persona >= 0) add(&vp_[size_t(q.persona) * k_]);
    if (q.band != Band::Unknown) add(&vb_[size_t(q.band) * k_]);
  }
  void ItemVector(uint32_t i, float* v) const {
    const float* a = &vi_[i * k_];
    const float* c = &vc_[ds_->item_category[i] * k_];
    const float* s = &vs_[ds_->item_size[i] * k_];
    for (size_t f = 0; f < k_; f++) v[f] = a[f] + c[f] + s[f];
  }

  RankerOptions opt_;
  bool context_;
  Rng rng_;
  const Dataset* ds_ = nullptr;
  std::vector<Interaction> train_;
  size_t k_ = 0, total_ = 0, done_ = 0;
  double loss_ = 0;
  size_t loss_n_ = 0;
  std::vector<float> vu_, vp_, vb_, vi_, vc_, vs_, bi_, bc_, bs_;
};

}  // namespace

Status SaveRanker(const Ranker& r, const std::string& path) {
  const Fm* fm = dynamic_cast<const Fm*>(&r);
  if (!fm) return Status::Error(std::string("only the FM models are saved (") + RankerName(r.Kind()) +
                                " retrains in well under a second)");
  std::ofstream out(path);
  if (!out) return Status::Error(path + ": cannot open for writing");
  out << DumpJson(fm->ToJson()) << '\n';
  if (!out) return Status::Error(path + ": write failed");
  return Status::Ok();
}

Result<std::unique_ptr<Ranker>> LoadRanker(const std::string& path, const Dataset& ds) {
  Result<std::string> text = ReadFile(path);
  if (!text) return text.status();
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    if (j.value("format", "") != "fieldkit-recommend-fm-1")
      return Status::Error(path + ": not a fieldkit FM model (format fieldkit-recommend-fm-1)");
    RankerKind kind;
    if (!ParseRankerKind(j.at("model").get<std::string>(), &kind) ||
        (kind != RankerKind::FmContext && kind != RankerKind::FmNoContext))
      return Status::Error(path + ": unknown model '" + j.at("model").get<std::string>() + "'");
    RankerOptions opt;
    int64_t factors = 0;
    std::string why;
    if (!JsonIntAt(j, "factors", 1, kMaxFactors, &factors, &why)) return Status::Error(path + ": " + why);
    opt.factors = int(factors);
    auto fm = std::make_unique<Fm>(opt, kind == RankerKind::FmContext);
    if (Status st = fm->FromJson(j, ds, path); !st) return st;
    return std::unique_ptr<Ranker>(std::move(fm));
  } catch (const std::exception& e) {
    return Status::Error(path + ": " + e.what());
  }
}

std::unique_ptr<Ranker> MakeRanker(RankerKind kind, const RankerOptions& opt) {
  switch (kind) {
    case RankerKind::Popularity: return std::make_unique<Popularity>();
    case RankerKind::PopularityInContext: return std::make_unique<PopularityInContext>(opt.context_prior);
    case RankerKind::ItemKnn: return std::make_unique<ItemKnn>();
    case RankerKind::Ease: return std::make_unique<Ease>(opt.ease_lambda, opt.ease_pop_beta);
    case RankerKind::FmContext: return std::make_unique<Fm>(opt, true);
    case RankerKind::FmNoContext: return std::make_unique<Fm>(opt, false);
  }
  return nullptr;
}

}  // namespace fk::recommend
