#include "checkout/metrics.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

namespace fk::checkout {

std::map<std::string, int> NetCart(const std::vector<Event>& events, int session) {
  std::map<std::string, int> cart;
  for (const Event& e : events)
    if (e.session == session) cart[e.item] += e.type == EventType::kTake ? 1 : -1;
  for (auto it = cart.begin(); it != cart.end();) it = it->second == 0 ? cart.erase(it) : std::next(it);
  return cart;
}

Scores Score(const std::vector<Event>& truth, const std::vector<Event>& predicted, int frame_tolerance) {
  Scores s;
  s.true_events = int(truth.size());
  s.predicted_events = int(predicted.size());
  // Event matching: every admissible pair, closest in time first (ties: earlier true, earlier predicted).
  std::vector<std::tuple<int, size_t, size_t>> pairs;
  for (size_t t = 0; t < truth.size(); t++)
    for (size_t p = 0; p < predicted.size(); p++) {
      const Event &a = truth[t], &b = predicted[p];
      const int d = std::abs(a.frame - b.frame);
      if (a.type == b.type && a.item == b.item && d <= frame_tolerance) pairs.emplace_back(d, t, p);
    }
  std::sort(pairs.begin(), pairs.end());
  std::vector<int> match_of_pred(predicted.size(), -1);
  std::vector<bool> true_used(truth.size(), false);
  for (const auto& pr : pairs) {
    const size_t t = std::get<1>(pr), p = std::get<2>(pr);
    if (true_used[t] || match_of_pred[p] >= 0) continue;
    true_used[t] = true;
    match_of_pred[p] = int(t);
    s.matched_events++;
  }
  if (s.predicted_events) s.precision = double(s.matched_events) / double(s.predicted_events);
  if (s.true_events) s.recall = double(s.matched_events) / double(s.true_events);

  // Sessions: the true ones with their frame spans, the predicted ones.
  std::map<int, std::pair<int, int>> span;  // true session -> first, last frame
  for (const Event& e : truth) {
    auto it = span.find(e.session);
    if (it == span.end()) span[e.session] = {e.frame, e.frame};
    else it->second = {std::min(it->second.first, e.frame), std::max(it->second.second, e.frame)};
  }
  std::set<int> pred_sessions;
  for (const Event& e : predicted) pred_sessions.insert(e.session);
  // Pair scores: (matched events shared, events inside the span), largest first.
  std::vector<std::tuple<int, int, int, int>> cand;  // -shared, -inside, true, pred
  for (const auto& sp : span)
    for (int ps : pred_sessions) {
      int shared = 0, inside = 0;
      for (size_t p = 0; p < predicted.size(); p++) {
        if (predicted[p].session != ps) continue;
        if (match_of_pred[p] >= 0 && truth[size_t(match_of_pred[p])].session == sp.first) shared++;
        if (predicted[p].frame >= sp.second.first - frame_tolerance && predicted[p].frame <= sp.second.second + frame_tolerance)
          inside++;
      }
      if (shared + inside > 0) cand.emplace_back(-shared, -inside, sp.first, ps);
    }
  std::sort(cand.begin(), cand.end());
  std::set<int> pred_used;
  for (const auto& sp : span) s.paired[sp.first] = -1;
  for (const auto& c : cand) {
    const int ts = std::get<2>(c), ps = std::get<3>(c);
    if (s.paired[ts] >= 0 || pred_used.count(ps)) continue;
    s.paired[ts] = ps;
    pred_used.insert(ps);
  }
  s.sessions = int(span.size());
  for (const auto& sp : span) {
    const int ps = s.paired[sp.first];
    const std::map<std::string, int> want = NetCart(truth, sp.first);
    const std::map<std::string, int> got = ps >= 0 ? NetCart(predicted, ps) : std::map<std::string, int>{};
    s.carts_right += want == got;
  }
  if (s.sessions) s.cart_accuracy = double(s.carts_right) / double(s.sessions);
  return s;
}

}  // namespace fk::checkout
