// Scoring a checkout run against the ground truth:
//  - events: a predicted event matches a true one of the same type and item
//    within `frame_tolerance` frames (one to one, closest first);
//    precision = matched / predicted, recall = matched / true (1 when the
//    denominator is 0: nothing claimed, nothing missed);
//  - carts: each true session is paired with at most one predicted session
//    (one to one, the pair sharing the most matched events first, then the most
//    events inside the true session's frame span); a session's cart is right
//    when its pair's net cart (takes minus put-backs per item) is exactly the
//    true one. cart_accuracy = right / true sessions.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "checkout/events.h"

namespace fk::checkout {

// Net quantity per item of one session's events (items at 0 left out).
std::map<std::string, int> NetCart(const std::vector<Event>& events, int session);

struct Scores {
  int true_events = 0, predicted_events = 0, matched_events = 0;
  double precision = 1, recall = 1;
  int sessions = 0, carts_right = 0;
  double cart_accuracy = 1;
  // For each true session (by id order): the predicted session paired with it, -1 = none.
  std::map<int, int> paired;
};

Scores Score(const std::vector<Event>& truth, const std::vector<Event>& predicted, int frame_tolerance = 10);

}  // namespace fk::checkout
