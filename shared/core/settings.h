// User settings: a small string map persisted as JSON (settings.json in the
// user directory; IDBFS-backed in the page). A corrupt file is kept aside as
// settings.json.bad and reported, never silently overwritten.
//
//   fk::Settings s;  fk::Status st = s.Load("/user/settings.json");
//   s.Set("theme", "dark");  s.Save("/user/settings.json");
#pragma once
#include <map>
#include <string>

#include "core/status.h"

namespace fk {

class Settings {
 public:
  Status Load(const std::string& path);  // missing file = empty settings, OK
  Status Save(const std::string& path) const;
  void Set(const std::string& key, const std::string& value) { values_[key] = value; }
  std::string Get(const std::string& key, const std::string& def = "") const;
  const std::map<std::string, std::string>& Values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace fk
