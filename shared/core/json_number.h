// Numbers read from JSON files, checked before they are converted. nlohmann's
// get<int>() of 1e10 converts a double to int out of range (undefined), and
// get<float>() of 1e300 does the same to float; these helpers refuse instead.
// Each returns false with *why naming the field and the problem (missing, not
// a number, not whole, or outside lo..hi); callers prefix the file and line.
//
//   int64_t id;  std::string why;
//   if (!fk::JsonIntAt(box, "class_id", 0, INT32_MAX, &id, &why)) report(where + ": " + why);
//   // why: "field 'class_id' = 1e+10 is outside 0..2147483647"
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace fk {

// `value` itself, called `field` in messages.
bool JsonNumber(const nlohmann::json& value, const std::string& field, double lo, double hi, double* out,
                std::string* why);
bool JsonInt(const nlohmann::json& value, const std::string& field, int64_t lo, int64_t hi, int64_t* out,
             std::string* why);
// obj[key]; a missing key (or obj not an object) is an error.
bool JsonNumberAt(const nlohmann::json& obj, const std::string& key, double lo, double hi, double* out,
                  std::string* why);
bool JsonIntAt(const nlohmann::json& obj, const std::string& key, int64_t lo, int64_t hi, int64_t* out,
               std::string* why);

}  // namespace fk
