// Small string helpers every reader and every ?run= / --flag parser needs,
// written once.
//   Trim("  a b ") == "a b";  Lower("CSV") == "csv"
//   SplitList("0, 0.9,,1") == {"0", "0.9", "", "1"}   (items trimmed; empty items kept, so
//   SplitList(s, ',', true) == {"0", "0.9", "1"}       callers decide whether one is an error)
//   std::map<std::string, std::string> p;
//   SplitRunSpec("sparse-bench?sparsity=0,0.9&fp16", &p) == "sparse-bench", p == {sparsity: "0,0.9", fp16: ""}
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fk {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// s without a leading UTF-8 byte-order mark (files saved by Excel or Notepad start with one).
inline std::string_view StripUtf8Bom(std::string_view s) {
  return s.substr(0, 3) == kUtf8Bom ? s.substr(3) : s;
}

std::string Trim(std::string_view s);  // ASCII whitespace at both ends
std::string Lower(std::string_view s);  // ASCII only
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::vector<std::string> SplitList(std::string_view s, char sep = ',', bool drop_empty = false);
// "k=v&k2=v2&flag" -> {k: v, k2: v2, flag: ""}; empty pairs are skipped, a
// repeated key keeps the last value. No URL decoding (the page decodes).
std::map<std::string, std::string> ParseQuery(std::string_view query);
// "name?query" -> name, with the query's pairs in *params (ParseQuery).
std::string SplitRunSpec(std::string_view spec, std::map<std::string, std::string>* params);
// A whole finite number/decimal with nothing else around it (spaces, tabs and
// a trailing '\r' allowed): "12.5" yes; "nan", "inf", "12abc", "" no.
bool ParseNumber(std::string_view s, double* out);

}  // namespace fk
