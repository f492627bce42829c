#include <doctest/doctest.h>

#include <cmath>

#include "anomaly/detector.h"
#include "core/rng.h"

using namespace fk::anomaly;

TEST_CASE("anomaly/detector: initializing at first, then a spike scores high and ordinary noise low") {
  SeriesDetector det;
  fk::Rng rng(3);
  int64_t t = 1600000000;
  double worst_normal = 0;
  for (int i = 0; i < 3000; i++, t += 300) {
    const double daily = 10 * std::sin(2 * M_PI * double(t % 86400) / 86400.0);
    const double x = 50 + daily + rng.Normal();
    const PointScore s = det.Update(t, x);
    if (i < 10) CHECK(s.initializing);
    if (i > 500) worst_normal = std::max(worst_normal, s.score);
  }
  const PointScore spike = det.Update(t, 50 + 15);
  CHECK_FALSE(spike.initializing);
  CHECK(spike.score > 0.7);
  CHECK(spike.severity == doctest::Approx(spike.score * 100).epsilon(0.01));
  CHECK(spike.lower < spike.expected);
  CHECK(spike.upper > spike.expected);
  CHECK(worst_normal < spike.score);
}

TEST_CASE("anomaly/detector: the tail-probability helpers are monotone and bounded") {
  CHECK(NormalSurprise(0) == doctest::Approx(0.0));
  CHECK(NormalSurprise(1.96) == doctest::Approx(-std::log10(0.05)).epsilon(1e-3));
  CHECK(NormalSurprise(40) > NormalSurprise(29));
  CHECK(SurpriseToScore(3, 3) == doctest::Approx(0.5));
  CHECK(SurpriseToScore(1000, 3) <= 1.0);
  CHECK(SurpriseToScore(0, 3) == 0.0);
}

TEST_CASE("anomaly/detector: constant input and time going backwards do not break it") {
  SeriesDetector det;
  for (int i = 0; i < 500; i++) {
    const PointScore s = det.Update(1600000000 + (i % 7 == 3 ? -300 : 300) * i, 0.0);
    CHECK(std::isfinite(s.score));
  }
  const PointScore s = det.Update(1600000000 + 300 * 600, 1.0);
  CHECK(std::isfinite(s.score));
  CHECK(s.score > 0.5);
}

TEST_CASE("anomaly/detector: the NAB preset reports an excursion once, then stays quiet while it lasts") {
  SeriesDetector det(DetectorParams::Nab());
  fk::Rng rng(5);
  int64_t t = 1600000000;
  for (int i = 0; i < 1000; i++, t += 300) det.Update(t, 10 + rng.Normal());
  // A level shift of +8 sigma lasting 50 points: the first point scores, the rest do not
  // (they are no more extreme than what was already reported).
  const PointScore first = det.Update(t, 18), second = det.Update(t + 300, 18 + 0.1);
  CHECK(first.score > 0.5);
  CHECK(second.score < first.score);
  size_t reported = 0;
  for (int i = 2; i < 50; i++) reported += det.Update(t + 300 * i, 18 + 0.3 * rng.Normal()).score > first.score;
  CHECK(reported == 0);
}
