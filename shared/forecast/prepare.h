// Shaping raw records to the business question, as the Amazon Forecast data
// preparation guide does: keep some dimensions (the rest are aggregated away),
// bucket to a frequency with SUM/AVG/FIRST/MIN/MAX, then zero->null, fill
// gaps (middlefill / backfill; frontfill none), handle end-of-life items and
// report data quality. Problems in the input become messages; the rest proceeds.
//
//   fk::forecast::AggregateOptions a;  a.dims = {"product"};  ParseFrequency("D", &a.freq, &err);
//   fk::forecast::Panel p = fk::forecast::Aggregate(target, a);
//   std::string csv = fk::forecast::PanelToCsv(p);      // timestamp,item_id,sales
//   fk::forecast::ApplyFill(&p, fill);                  // then p.series[i].values feed the models
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "forecast/dataset.h"

namespace fk::forecast {

struct Frequency {
  char unit = 'D';  // 'm' minute, 'H', 'D', 'W', 'M', 'Q', 'Y'
  int n = 1;        // multiple: 1-59 min, 1-23 H, 1-6 D, 1-4 W, 1-11 M, 1 Q, 1 Y
  std::string Name() const;  // "D", "15min", "2W"
  int SeasonalPeriod() const;  // for the models: H 24, D 7, W 52, M 12, Q 4, else 1
};
bool ParseFrequency(const std::string& s, Frequency* out, std::string* error);
int64_t BucketOf(int64_t seconds, const Frequency& f);      // bucket index
int64_t BucketStart(int64_t bucket, const Frequency& f);    // seconds

enum class AggMethod { Sum, Avg, First, Min, Max };
bool ParseAgg(const std::string& s, AggMethod* out);
const char* AggName(AggMethod a);

struct AggregateOptions {
  bool keep_all_dims = true;      // false: keep only `dims` (empty = aggregate everything)
  std::vector<std::string> dims;
  Frequency freq;
  AggMethod agg = AggMethod::Sum;
  bool negative_to_null = true;   // negative demand is reported and treated as missing
};

struct PanelSeries {
  std::string item_id;
  std::vector<std::string> dims;   // kept dimension values
  std::vector<double> values;      // one per bucket of the common grid; NaN = no value
  std::vector<int> rows;           // raw rows per bucket (0 = no record)
};
struct Panel {
  std::string value_name = "demand";
  std::vector<std::string> dim_names;
  Frequency freq;
  DateFormat format = DateFormat::Date;
  int64_t first_bucket = 0;
  size_t length = 0;
  std::vector<PanelSeries> series;
  std::vector<std::string> messages;  // duplicates, negatives, mixed frequencies, short/empty series
  // Set (and `series` left empty) when the rows cannot be shaped into a grid:
  // an outlying date ("sales.csv:7: date 1010-01-01 lies 369626 buckets of D
  // before ... Fix or remove that row, ...") or a grid far larger than the rows
  // justify. Also in `messages`.
  std::string refused;
  int64_t TimeAt(size_t i) const { return BucketStart(first_bucket + int64_t(i), freq); }
  int FindSeries(const std::string& item_id) const;
};
Panel Aggregate(const TargetDataset& data, const AggregateOptions& options);
// The same in slices for a UI thread: Step(rows) reads up to `rows` more raw
// rows (true when all are read), Finish() builds the panel (reading whatever
// is left). Aggregate() is this run in one go, so the panels are identical.
// data must outlive the Aggregation.
class Aggregation {
 public:
  Aggregation(const TargetDataset& data, const AggregateOptions& options);
  ~Aggregation();
  bool Step(size_t rows);
  float Progress() const;
  Panel Finish();  // once

 private:
  struct State;
  static bool RefuseGrid(State& st);
  std::unique_ptr<State> s_;
};
// timestamp,item_id,<value> for the buckets that had records, by time then item.
std::string PanelToCsv(const Panel& panel);

// [SECTION] missing values, end-of-life, quality

enum class FillKind { None, Zero, NaN, Value, Median, Mean, Min, Max, Linear };
struct Fill {
  FillKind kind = FillKind::Zero;
  double value = 0;  // for Value
};

// Where a fill method may be used (bits of FillMethod::uses).
enum FillUse : unsigned {
  kFillMiddle = 1,    // target middlefill: between an item's first and last value
  kFillBack = 2,      // target backfill: after its last value to the global end
  kFillRelated = 4,   // related series (middle, back and future): a number at every step
};
// The fill methods, one row each (prepare.cpp). The parser, FillName, the
// CLI's help and errors, the panel's combos and ?run= parameters all read
// this table: a new method is a row there (and its arithmetic in FillRange).
struct FillMethod {
  FillKind kind;
  const char* name;  // as typed; the Value row takes "value:X"
  unsigned uses;     // FillUse bits
  const char* help;  // one line
};
const std::vector<FillMethod>& FillMethods();
// The methods allowed for one use, as typed: {"zero", "nan", "value:X", ...}.
std::vector<std::string> FillChoices(FillUse use);
std::string JoinChoices(const std::vector<std::string>& choices, const char* sep = "|");

// "zero", "nan", "value:3" (or value=3), "median", "mean", "min", "max", "none": any method.
bool ParseFill(const std::string& s, Fill* out);
// The same for one use; false with *error naming the choices when s is not one of them.
bool ParseFillFor(const std::string& s, FillUse use, Fill* out, std::string* error);
std::string FillName(const Fill& f);

enum class EolAction { Keep, Drop, Null };
struct FillOptions {
  bool zero_to_null = false;
  Fill middle;                 // between an item's first and last value (default zero)
  Fill back;                   // after an item's last value to the global end (default zero)
  EolAction eol = EolAction::Keep;
};

struct QualityItem {
  std::string item_id;
  size_t first = 0, last = 0;   // first/last bucket with a value
  size_t observed = 0;          // buckets with a value
  double density = 0;           // observed / (buckets from first to global end)
  size_t gaps = 0, longest_gap = 0;            // missing runs between first and last
  size_t zero_runs = 0, longest_zero_run = 0;  // runs of exact zeros (>= 2 long)
  size_t trailing = 0;          // blank/zero buckets after the last non-zero value
  bool end_of_life = false;     // only blanks/zeros at the end, long enough to matter
  bool is_new = false;          // starts after the global start
};
std::vector<QualityItem> QualityReport(const Panel& panel);

// Applies zero->null, the end-of-life action and the fills in place. The
// leading part before an item's first value stays NaN (frontfill none).
// Rolling statistics (median/mean/min/max) use up to 64 values before a gap.
std::vector<std::string> ApplyFill(Panel* panel, const FillOptions& options);

// The part of a series the models see: from its first value to the end.
std::vector<double> ModelInput(const PanelSeries& s);

// Holds out the last h buckets of the common grid (1 <= h < length): returns
// them as a panel of their own (same items and dims, grid starting where the
// held-out part starts) and shortens *panel to the rest. For scoring a
// forecast fitted on the rest against actuals it never saw.
Panel SplitHoldout(Panel* panel, size_t h);

// [SECTION] related series, item metadata

// Related fills (Amazon Forecast has no default for these; we use median; nan
// is not allowed: zero, value, median, mean, min, max per its featurization docs).
struct RelatedFill {
  Fill middle{FillKind::Median, 0}, back{FillKind::Median, 0}, future{FillKind::Median, 0};
};
// ParseFillFor(s, kFillRelated, ...): "nan" and "none" are refused with why
// (the service needs a number for every step).
bool ParseRelatedFill(const std::string& s, Fill* out, std::string* error);
// timestamp,item_id,<features> for every bucket of the grid and the horizon
// after it, as AlignRelated filled them (for `forecast prepare --related`).
std::string RelatedToCsv(const Panel& panel, const RelatedDataset& related,
                         const std::vector<std::vector<std::vector<double>>>& aligned);
// Aggregates the related features to the panel's items and grid (mean per
// bucket), extended by `horizon` future buckets (futurefill); leading gaps take
// the first value. Returns [series][bucket][feature]; messages name items
// without related rows (their features are all zero).
std::vector<std::vector<std::vector<double>>> AlignRelated(const RelatedDataset& related, const Panel& panel,
                                                           int horizon, const RelatedFill& fill,
                                                           std::vector<std::string>* messages);

// Cold start: the items most similar to `item` by matching metadata fields
// (at least one field in common), best first.
std::vector<std::string> SimilarItems(const ItemMetadata& meta, const std::string& item, const Panel& panel,
                                      size_t max_items = 5);

}  // namespace fk::forecast
