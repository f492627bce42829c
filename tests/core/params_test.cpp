#include <doctest/doctest.h>

#include "anomaly/detector.h"
#include "core/params.h"
#include "labels/detector.h"

namespace {
struct Opts {
  bool on = false;
  int epochs = 30;
  size_t window = 52;
  float rate = 0.5f;
  double margin = 1.4;
};
const std::vector<fk::ParamInfo<Opts>>& Table() {
  static const std::vector<fk::ParamInfo<Opts>> t = {{"on", "a switch", &Opts::on, 0, 1},
                                                     {"epochs", "passes", &Opts::epochs, 1, 1000},
                                                     {"window", "points", &Opts::window, 2, 1e6},
                                                     {"rate", "a rate", &Opts::rate, 0, 1},
                                                     {"margin", "a factor", &Opts::margin, 0, 100}};
  return t;
}
}  // namespace

TEST_CASE("core/params: SetParam sets each kind and names what is wrong") {
  Opts o;
  CHECK(fk::SetParam(Table(), &o, "on=1").ok());
  CHECK(o.on);
  CHECK(fk::SetParam(Table(), &o, "on=false").ok());
  CHECK_FALSE(o.on);
  CHECK(fk::SetParam(Table(), &o, "epochs=40").ok());
  CHECK(o.epochs == 40);
  CHECK(fk::SetParam(Table(), &o, "window=1e3").ok());
  CHECK(o.window == 1000);
  CHECK(fk::SetParam(Table(), &o, "rate=0.25").ok());
  CHECK(o.rate == 0.25f);
  CHECK(fk::SetParam(Table(), &o, "margin=2.5").ok());
  CHECK(o.margin == 2.5);

  const Opts before = o;
  auto err = [&](const char* kv) { return fk::SetParam(Table(), &o, kv).message(); };
  CHECK(err("epochs=abc") == "epochs: 'abc' is not a number");
  CHECK(err("epochs=") == "epochs: '' is not a number");
  CHECK(err("epochs=0.5") == "epochs: 0.5 is not a whole number in 1..1000");
  CHECK(err("epochs=0") == "epochs: 0 is not a whole number in 1..1000");
  CHECK(err("rate=2") == "rate: 2 is not a value in 0..1");
  CHECK(err("rate=nan") == "rate: 'nan' is not a number");
  CHECK(err("on=2") == "on: 2 is not a whole number in 0..1");
  CHECK(err("epoch=3") == "unknown option 'epoch' (known: on, epochs, window, rate, margin)");
  CHECK(err("epochs") == "wants key=value, got 'epochs'");
  CHECK(o.epochs == before.epochs);  // a refused value changes nothing
  CHECK(o.rate == before.rate);
  CHECK(fk::ParamHelp(Table()).find("  epochs               1..1000      passes\n") != std::string::npos);
}

namespace {
// Out of line: inlined into the test, GCC 12 warns that the struct "may be used uninitialized"
// (a false positive of std::visit over member pointers).
template <class S, class Field>
[[gnu::noinline]] double FieldValue(const S& s, const Field& field) {
  return std::visit([&](auto f) { return double(s.*f); }, field);
}
}  // namespace

TEST_CASE("core/params: the detector tables accept their own defaults") {
  // Every row's default lies in its range, so the ranges never refuse what the code ships with.
  const fk::anomaly::DetectorParams dp;
  for (const auto& row : fk::anomaly::DetectorParamTable()) {
    CAPTURE(row.name);
    fk::anomaly::DetectorParams p;
    const double v = FieldValue(dp, row.field);
    char kv[128];
    std::snprintf(kv, sizeof kv, "%s=%.17g", row.name, v);
    CHECK(fk::SetParam(fk::anomaly::DetectorParamTable(), &p, kv).ok());
  }
  const fk::anomaly::DetectorParams nab = fk::anomaly::DetectorParams::Nab();
  for (const auto& row : fk::anomaly::DetectorParamTable()) {
    CAPTURE(row.name);
    const double v = FieldValue(nab, row.field);
    CHECK(v >= row.lo);
    CHECK(v <= row.hi);
  }
  const fk::labels::DetectorOptions lo;
  for (const auto& row : fk::labels::DetectorOptionTable()) {
    CAPTURE(row.name);
    const double v = std::visit([&](auto f) { return double(lo.*f); }, row.field);
    CHECK(v >= row.lo);
    CHECK(v <= row.hi);
  }
  CHECK(fk::anomaly::DetectorParamTable().size() == 37);  // every DetectorParams field has a row
}
