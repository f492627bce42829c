// User files: import (page: drop/picker into /imports; desktop: a typed path)
// and export (page: browser download; desktop: written next to the settings).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

#include "core/csv.h"
#include "forecast/dataset.h"
#include "imgui.h"
#include "recommend/data.h"
#include "labels/manifest.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {
// The first 20 lines are enough to tell a forecast target from other CSVs.
forecast::CsvGuess GuessCsvFile(const std::string& path, std::string* why, bool* broken) {
  std::ifstream in(path);
  std::string head, line;
  for (int i = 0; i < 20 && std::getline(in, line); i++) head += line + "\n";
  auto table = forecast::ParseCsvText(head, path);
  if (!table) {
    *why = table.status().message();
    *broken = true;
    return forecast::CsvGuess::Other;
  }
  return forecast::GuessForecastCsv(*table, why);
}

SniffedFile Sniff(const std::string& path) {
  SniffedFile f;
  f.path = path;
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
    for (char c : path.substr(dot + 1)) f.ext += char(std::tolower(static_cast<unsigned char>(c)));
  {
    std::ifstream in(path, std::ios::binary);
    char buf[4096];
    in.read(buf, sizeof buf);
    f.head.assign(buf, size_t(in.gcount()));
    const size_t nl = f.head.find('\n');
    if (nl != std::string::npos) f.head.resize(nl);
    if (!f.head.empty() && f.head.back() == '\r') f.head.pop_back();
  }
  if (f.ext == "csv") {
    f.csv_guess = int(GuessCsvFile(path, &f.why, &f.broken));
    f.personalize = int(recommend::GuessPersonalizeCsv(SplitCsvLine(f.head)));
  }
  if (f.ext == "manifest" || f.ext == "jsonl" || f.ext == "json") {  // a Ground Truth manifest? (its first line says)
    std::ifstream in(path);
    std::string line, why;
    while (std::getline(in, line) && line.find_first_not_of(" \t\r") == std::string::npos) {
    }
    if (line.size() < (1u << 20)) f.gt_kind = labels::ManifestKind(line, &why);
  }
  return f;
}

// Hands the file to the panel that understands it, asking every row
// (PanelInfo::claim): a file only one panel takes goes there whatever is open;
// a file several could take goes to the open one, else the user is told
// which panels to open; a hint is said as it is.
void RouteImport(AppState& app, const std::string& path) {
  const SniffedFile f = Sniff(path);
  const auto& panels = Panels();
  std::vector<FileClaim> claims;
  for (const PanelInfo& p : panels) claims.push_back(p.claim ? p.claim(f) : FileClaim{});
  for (size_t i = 0; i < panels.size(); i++) {
    if (claims[i].claim == ImportClaim::kAlways && panels[i].import) {
      panels[i].import(app, f);
      return;
    }
  }
  const size_t open = size_t(app.current_panel);
  if (open < panels.size() && claims[open].claim == ImportClaim::kListOnly) return;
  for (const FileClaim& c : claims) {
    if (c.claim == ImportClaim::kHint) {
      app.Log(path + ": " + f.why + " - " + c.what + " (it stays in the file list)");
      return;
    }
  }
  if (open < panels.size() && claims[open].claim == ImportClaim::kWhenOpen && panels[open].import) {
    panels[open].import(app, f);
    return;
  }
  std::string what, where;
  for (size_t i = 0; i < panels.size(); i++) {
    if (claims[i].claim != ImportClaim::kWhenOpen) continue;
    if (what.empty()) what = claims[i].what;
    where += std::string(where.empty() ? "the " : " or the ") + panels[i].title;
  }
  if (!where.empty()) {
    app.Log(path + ": " + (f.why.empty() ? "" : f.why + " - ") + (what.empty() ? "" : what + "; ") + "open " + where +
            " panel and import it again (it stays in the file list)");
    return;
  }
  // Nobody takes it: say which files each panel does take (the import itself worked: a message, not an error).
  app.Log(path + ": no panel takes " + (f.ext.empty() ? std::string("this file") : "a ." + f.ext + " file") +
            " (Sparse Inference: .tflite, .fks; Label Review: PNG, JPEG; Forecasts: target CSVs; Anomalies: event "
            "CSV/JSON Lines and sink records (JSON Lines or Parquet); Recommendations: Personalize CSVs; Feature Store: CSVs from its own "
            "file picker). It stays in the file list.");
}
}  // namespace

bool ImportFile(AppState& app, const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    app.Error(path + ": cannot open for reading");
    return false;
  }
  ImportedFile f;
  f.path = path;
  f.bytes = uint64_t(in.tellg());
  auto it = std::find_if(app.imports.begin(), app.imports.end(),
                         [&](const ImportedFile& e) { return e.path == path; });
  if (it != app.imports.end()) *it = f;  // re-import of the same name replaces the entry
  else app.imports.push_back(f);
  app.Log("imported " + path + " (" + FormatBytes(double(f.bytes)) + ")");
  RouteImport(app, path);
  return true;
}

void DrawFilesSection(AppState& app) {
  SectionHeader("Files");
  if (app.platform.request_import) {
    if (ImGui::Button("Import file...")) app.platform.request_import();
    RecordItem(app, "files.import");
    HelpMarker("Or drop files anywhere on the page. They stay in this tab's memory; nothing is uploaded.");
  } else {
    ImGui::SetNextItemWidth(360);
    const bool enter = ImGui::InputTextWithHint("##path", "path to a file", app.import_path,
                                                sizeof app.import_path, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if ((ImGui::Button("Import") || enter) && app.import_path[0]) ImportFile(app, app.import_path);
  }
  ImGui::SameLine();
  if (ImGui::Button("Export settings")) {
    if (app.platform.offer_download) app.platform.offer_download(app.settings_path);
    else app.Log("settings are at " + app.settings_path);
  }
  if (app.imports.empty()) {
    ImGui::TextDisabled("No files imported yet.");
    return;
  }
  if (ImGui::BeginTable("imports", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (auto& f : app.imports) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.path.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatBytes(double(f.bytes)).c_str());
    }
    ImGui::EndTable();
  }
}

bool SaveUserFile(AppState& app, const std::string& name, const std::string& text, std::string* path_out) {
  const std::string path = app.platform.user_dir + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) {
    app.Error(path + ": cannot write");
    return false;
  }
  app.Persist();  // in the user dir: IndexedDB in the page
  if (path_out) *path_out = path;
  if (app.platform.offer_download) app.platform.offer_download(path);
  return true;
}

}  // namespace fk::ui
