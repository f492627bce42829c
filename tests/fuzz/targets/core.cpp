// Settings (settings.json in the user folder; in the page a file a user may
// import or an IndexedDB copy): Settings::Load, then what it keeps is saved
// and loaded back unchanged.
#include "../fuzz_target.h"
#include "core/settings.h"

namespace fk::fuzz {

Outcome CoreSettings(const uint8_t* data, size_t size) {
  Outcome o;
  RemoveScratch("settings");
  const std::string path =
      WriteScratchFile("settings/settings.json", std::string_view(reinterpret_cast<const char*>(data), size));
  Settings s;
  Status st = s.Load(path);
  if (!st) {
    o.Set(st);
    o.Check(s.Values().empty(), "a refused settings file left values behind");
    return o;
  }
  const std::string again = ScratchDir() + "/settings/again.json";
  st = s.Save(again);
  o.Check(st.ok(), "loaded settings do not save: " + st.message());
  Settings t;
  st = t.Load(again);
  o.Check(st.ok() && t.Values() == s.Values(), "saved settings do not load back the same");
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz
