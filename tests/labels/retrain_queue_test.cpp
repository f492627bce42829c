// A retrain (Train v1 again) re-proposes boxes on the review queue but keeps
// the reviewer's work and every image the user imported.
#include <doctest/doctest.h>

#include "labels/review.h"

using namespace fk::labels;

namespace {
ReviewItem Item(const std::string& ref, bool reviewed = false, bool edited = false) {
  ReviewItem it = MakeReviewItem(ref, 64, 64, {Box{4, 4, 10, 10, 0, 0.9f}}, 0.5f);
  if (edited) {
    it.Edit();
    it.boxes.push_back({Box{30, 30, 8, 8, 1, 1.f}, -1});
  }
  it.reviewed = reviewed;
  return it;
}
}  // namespace

TEST_CASE("labels/review: the retrain plan keeps reviewed, edited and imported items and re-proposes the rest") {
  // Old queue: v2/a untouched, v2/b reviewed, v2/c edited not accepted, an
  // import reviewed with a drawn box, an import untouched, and a reviewed
  // data-set image the data set no longer lists.
  std::vector<ReviewItem> old = {Item("v2/a.png"),        Item("v2/b.png", true),          Item("v2/c.png", false, true),
                                 Item("mine.png", true, true), Item("other.png"), Item("v2/gone.png", true)};
  std::vector<bool> imported = {false, false, false, true, true, false};
  const auto plan = PlanRetrainQueue(old, imported, {"v2/a.png", "v2/b.png", "v2/c.png", "v2/d.png"});
  REQUIRE(plan.size() == 7);
  // The data set first, in its order: a and d pre-labelled again, b and c kept as they are.
  CHECK((plan[0].fresh_index == 0 && plan[0].old_index == -1 && plan[0].replaces == 0));
  CHECK((plan[1].old_index == 1 && plan[1].fresh_index == -1 && !plan[1].repropose));
  CHECK((plan[2].old_index == 2 && !plan[2].repropose));
  CHECK((plan[3].fresh_index == 3 && plan[3].old_index == -1 && plan[3].replaces == -1));
  // Then the rest of the old queue: both imports (the untouched one with new
  // proposals) and the reviewed image the data set dropped.
  CHECK((plan[4].old_index == 3 && !plan[4].repropose));
  CHECK((plan[5].old_index == 4 && plan[5].repropose));
  CHECK((plan[6].old_index == 5 && !plan[6].repropose));
  // An untouched data-set image the data set dropped is the only thing that goes.
  const auto plan2 = PlanRetrainQueue({Item("v2/x.png")}, {false}, {"v2/a.png"});
  REQUIRE(plan2.size() == 1);
  CHECK(plan2[0].fresh_index == 0);
  // An import named like a data-set image is still the user's: kept, not replaced.
  const auto plan3 = PlanRetrainQueue({Item("v2/a.png", true)}, {true}, {"v2/a.png"});
  REQUIRE(plan3.size() == 2);
  CHECK(plan3[0].fresh_index == 0);
  CHECK((plan3[1].old_index == 0 && !plan3[1].repropose));
  // First training: nothing old, every data-set image pre-labelled.
  const auto first = PlanRetrainQueue({}, {}, {"v2/a.png", "v2/b.png"});
  REQUIRE(first.size() == 2);
  CHECK((first[0].fresh_index == 0 && first[1].fresh_index == 1));
}

TEST_CASE("labels/review: Touched is what protects an item from new proposals") {
  ReviewItem it = Item("v2/a.png");
  CHECK_FALSE(it.Touched());
  it.SetThreshold(0.95f);  // untouched: follows the slider
  CHECK(it.boxes.empty());
  it.SetThreshold(0.5f);
  it.Edit();
  it.boxes.clear();
  CHECK(it.Touched());
  it.SetThreshold(0.95f);
  CHECK(it.boxes.empty());  // the edit stays
  ReviewItem accepted = Item("v2/b.png", true);
  CHECK(accepted.Touched());
}
