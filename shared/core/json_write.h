// Writing JSON with nlohmann: numbers as a printf format would have shown
// them, and dumps that never throw. Every JSON writer goes through these (the
// CLI's EmitJson, status(), alert and record lines), so a user's path or name
// with a quote, a backslash or a stray byte still gives valid JSON.
//
//   nlohmann::json j = {{"file", path}, {"ms", fk::JsonNumberAs(ms, "%.4f")}};  // 0.7972, not 0.79720001
//   std::puts(fk::DumpJson(j).c_str());  // a 0xFF byte in path shows as U+FFFD instead of throwing
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace fk {

// v written with the printf `format` ("%.4f", "%.6g", "%.1f", ...) and read
// back, so the JSON carries the digits the format keeps and no float noise.
// Text without a '.' or exponent ("%.0f", or "%.6g" of 12) stays an integer, as
// printf showed it; NaN and infinities are null (JSON has no literal for them).
nlohmann::json JsonNumberAs(double v, const char* format);

// One line (indent < 0) or indented by `indent` spaces. Invalid UTF-8 in a
// string is replaced by U+FFFD: nlohmann's default would throw.
std::string DumpJson(const nlohmann::json& j, int indent = -1);
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);  // keys in insertion order

}  // namespace fk
