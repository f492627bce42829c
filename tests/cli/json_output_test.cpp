// Every --json output of fieldkit-cli is one line of strict JSON, whatever the
// user's paths, names and numbers hold: quotes, backslashes, non-ASCII (valid
// UTF-8 and a stray byte) and NaN. The verbs run in-process (run_verb.h, native
// only) with stdout captured; nlohmann::json::parse rejects NaN literals,
// invalid UTF-8, raw control characters and anything after the value.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "nn/graph.h"
#include "nn/model_file.h"
#include "run_verb.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A quote, a backslash, é (valid UTF-8) and 0xFF (never valid in UTF-8).
const std::string kOdd = "q\"b\\s \xC3\xA9 \xFF";
// kOdd as it must come back: the stray byte replaced by U+FFFD, the rest as is.
std::string Shown(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\xFF' ? std::string("\xEF\xBF\xBD") : std::string(1, c);
  return out;
}

std::string Describe(const std::vector<std::string>& argv) {
  std::string s = "fieldkit-cli";
  for (auto& a : argv) s += " '" + a + "'";
  return s;
}

// The verb's output: exit `code` (0: success) and exactly one line that parses strictly.
json RunJson(int (*command)(const std::vector<std::string>&), const std::vector<std::string>& argv, int code = 0) {
  const fk::test::VerbOutput o = fk::test::RunVerb(command, argv);
  INFO(Describe(argv));
  INFO("stdout: ", o.out);
  INFO("error: ", o.error);
  REQUIRE(o.code == code);
  REQUIRE(!o.out.empty());
  CHECK(o.out.back() == '\n');
  CHECK(o.out.find('\n') == o.out.size() - 1);
  json j;
  REQUIRE_NOTHROW(j = json::parse(o.out));
  return j;
}

// Every line of a JSON Lines file, parsed strictly; returns the line count.
size_t CheckJsonLines(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  size_t n = 0;
  std::string first_bad;
  for (std::string line; std::getline(f, line);) {
    n++;
    if (first_bad.empty() && !json::accept(line)) first_bad = std::to_string(n) + ": " + line;
  }
  INFO(path, ":", first_bad);
  CHECK(first_bad.empty());
  return n;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A fresh folder under the system's temporary directory (never inside a checkout the
// tests happen to be run from).
std::string Scratch(const std::string& name) {
  const std::string dir = (fs::temp_directory_path() / ("fk_cli_json_" + name)).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("cli/json: sparse prune, info, run, size and bench print strict JSON for odd paths and NaN outputs") {
  using fk::cli::SparseCommand;
  const std::string dir = Scratch("sparse");
  const std::string model = dir + "/" + kOdd + ".fks";
  json j = RunJson(SparseCommand, {"prune", "--sparsity", "0.5", "--width", "0.35", "--size", "96", "--out", model,
                                   "--json", "--quiet"});
  CHECK(j["out"] == Shown(model));
  CHECK(j["sparsity"] == 0.5);
  CHECK(j["bytes"].get<uint64_t>() == fs::file_size(model));

  j = RunJson(SparseCommand, {"info", model, "--json"});
  CHECK(j["file"] == Shown(model));
  CHECK(j["arch"] == "mobilenet_v2");
  CHECK(j["input"] == json::array({96, 96, 3}));

  j = RunJson(SparseCommand, {"run", model, "--json"});
  CHECK(j["file"] == Shown(model));
  REQUIRE(j["top5"].size() == 5);
  CHECK(j["top5"][0]["p"].get<double>() > 0);

  // NaN biases in the classifier: every probability is NaN, which JSON can only say as null.
  fk::nn::MobileNetV2Options mo;
  mo.width = 0.35f;
  mo.input_size = 96;
  mo.num_classes = 10;
  fk::nn::Model m = fk::nn::BuildMobileNetV2(mo);
  for (float& b : m.layers[size_t(m.LogitsLayer())].bias) b = std::nanf("");
  const std::string nan_model = dir + "/nan " + kOdd + ".fks";
  REQUIRE(fk::nn::SaveModel(m, nan_model).ok());
  j = RunJson(SparseCommand, {"run", nan_model, "--json"});
  REQUIRE(j["top5"].size() == 5);
  for (auto& t : j["top5"]) CHECK(t["p"].is_null());

  j = RunJson(SparseCommand, {"size", "--sparsity", "0,0.5", "--width", "0.35", "--size", "96", "--json"});
  REQUIRE(j["sizes"].size() == 2);
  CHECK(j["sizes"][1]["sparsity"] == 0.5);

  j = RunJson(SparseCommand, {"bench", "--width", "0.35", "--size", "96", "--sparsity", "0.5", "--backend",
                              "own-dense,own-sparse", "--runs", "1", "--warmup", "0", "--layers", "--json", "--quiet"});
  REQUIRE(j["results"].size() == 2);
  CHECK(j["results"][0]["median_ms"].get<double>() > 0);
  CHECK(!j["layers"].empty());
  REQUIRE(!j["layer_types"].empty());
  for (auto& t : j["layer_types"]) CHECK(t["gflops_per_s"].get<double>() >= 0);
}

TEST_CASE("cli/json: anomaly simulate and backtest print strict JSON; alert lines too, for odd series, rules and paths") {
  using fk::cli::AnomalyCommand;
  const std::string dir = Scratch("anomaly");
  const std::string events = dir + "/events.jsonl";
  json j = RunJson(AnomalyCommand, {"simulate", "--days", "7", "--cameras", "2", "--events", events, "--json", "--quiet"});
  REQUIRE(j["events"].get<size_t>() > 1000);
  CHECK(CheckJsonLines(events) == j["events"].get<size_t>());

  // cam1 renamed to kOdd (JSON-escaped, the stray byte raw) and a NaN literal,
  // which the reader counts as a bad line and names in its message.
  std::string text = ReplaceAll(ReadFile(events), "\"cam1\"", "\"q\\\"b\\\\s \xC3\xA9 \xFF\"");
  text = R"({"car":NaN,"camera_id":"cam2","ts":"2021-06-01T00:10:00"})" "\n" + text;
  const std::string input = dir + "/in " + kOdd + ".jsonl", alerts = dir + "/alerts " + kOdd + ".jsonl";
  WriteFile(input, text);
  j = RunJson(AnomalyCommand, {"backtest", "--input", input, "--dimensions", "camera_id", "--rule", "r\"\\\xFF:50",
                               "--alerts", alerts, "--json", "--quiet"});
  CHECK(j["bad_lines"] == 1);
  REQUIRE(j["bad_line_messages"].size() == 1);
  CHECK(j["bad_line_messages"][0].get<std::string>().rfind(Shown("in " + kOdd + ".jsonl:1: "), 0) == 0);
  REQUIRE(j["alerts"].get<size_t>() > 0);
  bool odd_series = false;
  for (auto& g : j["top_groups"])
    for (auto& c : g["contributions"]) odd_series = odd_series || c["series"] == "camera_id=" + Shown(kOdd);
  CHECK(odd_series);
  CHECK(CheckJsonLines(alerts) == j["alerts"].get<size_t>());
  const json first = json::parse(ReadFile(alerts).substr(0, ReadFile(alerts).find('\n')));
  CHECK(first["alert"] == Shown("r\"\\\xFF"));
}

// A Ground Truth manifest line: a.png (100 x 80) with one box of class 0; `meta` goes into its metadata.
static std::string OneBoxLine(const std::string& meta) {
  return R"({"source-ref":"a.png","bounding-box":{"image_size":[{"width":100,"height":80,"depth":3}],)"
         R"("annotations":[{"class_id":0,"left":1,"top":2,"width":10,"height":10}]},"bounding-box-metadata":{)" +
         meta + R"(,"type":"groundtruth/object-detection"}})" + "\n";
}

TEST_CASE("cli/json: labels eval prints strict JSON for odd class names, an odd manifest path and a NaN threshold") {
  using fk::cli::LabelsCommand;
  const std::string dir = Scratch("labels");
  const std::string truth = dir + "/" + kOdd + ".manifest";
  WriteFile(truth, OneBoxLine(R"("objects":[{"confidence":0.9}],"class-map":{"0":"q\"b\\s \u00e9","1":"cl\u00e9"})"));
  json j = RunJson(LabelsCommand, {"eval", "--truth", truth, "--pred", truth, "--threshold", "nan", "--json"});
  CHECK(j["threshold"].is_null());
  CHECK(j["tp"] == 1);
  CHECK(j["per_class"].contains("q\"b\\s \xC3\xA9"));
  CHECK(j["per_class"].contains("cl\xC3\xA9"));
}

TEST_CASE("cli/json: labels check, draw and generate print strict JSON for an odd manifest path and odd problems") {
  using fk::cli::LabelsCommand;
  const std::string dir = Scratch("labels_check");
  const std::string manifest = dir + "/" + kOdd + ".manifest";
  // One good line, one line whose problem quotes the odd bytes back.
  WriteFile(manifest, OneBoxLine(R"("class-map":{"0":"smile"})") + "{\"source-ref\": \"" + kOdd + "\"\n");
  json j = RunJson(LabelsCommand, {"check", "--manifest", manifest, "--json"}, 1);  // 1: there is a problem
  CHECK(j["manifest"] == Shown(manifest));
  CHECK(j["images_usable"] == 1);
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0].get<std::string>().find(":2: not valid JSON") != std::string::npos);
  const std::string out = dir + "/" + kOdd + "_drawn";
  std::filesystem::create_directories(out);
  j = RunJson(LabelsCommand, {"draw", "--manifest", manifest, "--out", out, "--json"});
  CHECK(j["out"] == Shown(out));
  CHECK(j["drawn"] == 0);  // a.png is not there: said on stderr, nothing drawn
  j = RunJson(LabelsCommand, {"generate", "--out", dir + "/" + kOdd + "_gen", "--width", "64", "--height", "48",
                              "--json"});
  CHECK(j["out"] == Shown(dir + "/" + kOdd + "_gen"));
  CHECK(j["summary"].get<std::string>().size() > 0);
}

TEST_CASE("cli/json: recommend generate, train and top print strict JSON for odd paths, item names and messages") {
  using fk::cli::RecommendCommand;
  const std::string data = Scratch("recommend") + "/" + kOdd;
  json j = RunJson(RecommendCommand, {"generate", "--out", data, "--users", "40", "--days", "20", "--json", "--quiet"});
  CHECK(j["out"] == Shown(data));
  // Every item named kOdd (CSV-quoted) and one malformed interaction row, whose
  // message names the file.
  std::string items = "ITEM_ID,CATEGORY,SIZE,NAME\n";
  std::istringstream in(ReadFile(data + "/items.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) items += line.substr(0, line.rfind(',')) + ",\"q\"\"b\\s \xC3\xA9 \xFF\"\n";
  WriteFile(data + "/items.csv", items);
  WriteFile(data + "/interactions.csv", ReadFile(data + "/interactions.csv") + "1,2\n");

  j = RunJson(RecommendCommand, {"train", "--data", data, "--model", "popularity", "--json", "--quiet"});
  REQUIRE(j["data"]["messages"].size() == 1);
  CHECK(j["data"]["messages"][0].get<std::string>().rfind(Shown(data) + "/interactions.csv:", 0) == 0);
  CHECK(j["models"].contains("popularity"));

  j = RunJson(RecommendCommand, {"top", "--data", data, "--user", "new", "--model", "popularity", "--k", "3", "--json",
                                 "--quiet"});
  REQUIRE(j["with_context"].size() == 3);
  CHECK(j["with_context"][0]["name"] == Shown(kOdd));
}

TEST_CASE("cli/json: forecast demo, prepare, fit, backtest and eval print strict JSON for odd paths and item names") {
  using fk::cli::ForecastCommand;
  const std::string dir = Scratch("forecast") + "/" + kOdd;
  json j = RunJson(ForecastCommand, {"demo", "--out", dir, "--json"});
  CHECK(j["dir"] == Shown(dir));
  // An item whose name has a quote, a backslash, an accent and a stray byte.
  const std::string sales = dir + "/sales.csv";
  WriteFile(sales, ReplaceAll(ReadFile(sales), "bath-towel", "\"" + ReplaceAll(kOdd, "\"", "\"\"") + "\""));
  const std::string train = dir + "/train.csv", actual = dir + "/actual.csv", fc = dir + "/f.csv";
  j = RunJson(ForecastCommand, {"prepare", "--target", sales, "--dims", "product", "--freq", "D", "--holdout", "14",
                                "--holdout-out", actual, "--out", train, "--json"});
  CHECK(j["series"].get<int>() > 0);
  j = RunJson(ForecastCommand,
              {"fit", "--target", train, "--freq", "D", "--horizon", "14", "--model", "snaive", "--out", fc, "--json"});
  CHECK(j.is_object());
  j = RunJson(ForecastCommand, {"backtest", "--target", sales, "--dims", "product", "--freq", "D", "--horizon", "7",
                                "--windows", "1", "--models", "snaive", "--json"});
  REQUIRE(j["models"].size() == 1);
  j = RunJson(ForecastCommand,
              {"eval", "--actual", actual, "--forecast", fc, "--history", train, "--freq", "D", "--json"});
  CHECK(j.is_object());
  CHECK(ReadFile(fc).find("b\\s \xC3\xA9") != std::string::npos);  // the odd item was forecast under its own name
}

TEST_CASE("cli/json: features verbs print strict JSON for an odd store path and odd values") {
  using fk::cli::FeaturesCommand;
  const std::string dir = Scratch("features");
  const std::string store = dir + "/store " + kOdd, csv = dir + "/rows.csv";
  // Values the store keeps (valid UTF-8) and one it rejects (the stray byte).
  WriteFile(csv, "id,ts,name,score\n"
                 "u1,1700000000,\"q\"\"b\\s \xC3\xA9\",1.5\n"
                 "u2,1700000001,\"\xFF\",2.5\n");
  json j = RunJson(FeaturesCommand, {"create", "--store", store, "--group", "g", "--from-csv", csv, "--record-id", "id",
                                     "--event-time", "ts", "--json"});
  CHECK(j["created"] == true);
  j = RunJson(FeaturesCommand, {"ingest", "--store", store, "--group", "g", "--file", csv, "--json", "--quiet"});
  CHECK(j["ingested"] == 1);
  CHECK(j["rejected"] == 1);
  j = RunJson(FeaturesCommand, {"get", "--store", store, "--group", "g", "--id", "u1", "--json"});
  CHECK(j["record"]["name"] == "q\"b\\s \xC3\xA9");
  j = RunJson(FeaturesCommand, {"get", "--store", store, "--group", "g", "--id", kOdd, "--json"});
  CHECK(j["found"] == false);
  CHECK(j["id"] == Shown(kOdd));
  j = RunJson(FeaturesCommand, {"describe", "--store", store, "--group", "g", "--json"});
  CHECK(j["offline_store"] == Shown(store) + "/offline/g");
  j = RunJson(FeaturesCommand, {"list", "--store", store, "--json"});
  CHECK(j["groups"].size() == 1);
  j = RunJson(FeaturesCommand, {"verify", "--store", store, "--json"});
  CHECK(j["ok"] == true);
  j = RunJson(FeaturesCommand, {"demo-data", "--out", dir + "/demo " + kOdd, "--customers", "10", "--json"});
  CHECK(j["customers_csv"] == Shown(dir + "/demo " + kOdd) + "/customers.csv");
}
