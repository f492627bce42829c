// User files: import (page: drop/picker into /imports; desktop: a typed path)
// and export (page: browser download; desktop: written next to the settings).
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "forecast/dataset.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {
// The first 20 lines are enough to tell a forecast target from other CSVs.
forecast::CsvGuess GuessCsvFile(const std::string& path, std::string* why) {
  std::ifstream in(path);
  std::string head, line;
  for (int i = 0; i < 20 && std::getline(in, line); i++) head += line + "\n";
  auto table = forecast::ParseCsvText(head, path);
  if (!table) {
    *why = table.status().message();
    return forecast::CsvGuess::Other;
  }
  return forecast::GuessForecastCsv(*table, why);
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
  // Hand the file to the panel that understands it.
  auto ends_with = [&](const char* ext) {
    const size_t n = std::char_traits<char>::length(ext);
    return path.size() > n && path.compare(path.size() - n, n, ext) == 0;
  };
  if (ends_with(".fks")) ImportSparseModel(app, path);
  // Pictures join the Label Review queue (pre-labelled when v1 is trained).
  if (ends_with(".png") || ends_with(".PNG") || ends_with(".jpg") || ends_with(".JPG") || ends_with(".jpeg"))
    ImportLabelImage(app, path);
  // CSVs by their header and first rows: a forecast target (dates plus an
  // item or target column) goes to Forecasts; a bare time series (dates and
  // numbers) is a forecast series or anomaly events alike, so it goes to the
  // one of the two panels that is open, or waits with a message saying so.
  // Event data goes to the Anomalies panel when it is the one open (else it
  // waits in the panel's file list).
  const std::string open_panel = Panels()[size_t(app.current_panel)].name;
  if (ends_with(".csv") || ends_with(".CSV")) {
    std::string why;
    const forecast::CsvGuess guess = GuessCsvFile(path, &why);
    if (guess == forecast::CsvGuess::ForecastTarget) {
      ImportForecastTarget(app, path, why);
      return true;
    }
    if (guess == forecast::CsvGuess::TimeSeries && open_panel == "Forecasts") {
      ImportForecastTarget(app, path, why);
      return true;
    }
    if (guess == forecast::CsvGuess::ItemSeries && open_panel != "Feature Store") {
      app.Log(path + ": " + why + " - a related series (price, promo) or a target under another name: in the "
              "Forecasts panel give its path as the related or the target file (it stays in the file list)");
      return true;
    }
    if (guess == forecast::CsvGuess::TimeSeries && open_panel != "Anomalies" && open_panel != "Feature Store") {
      app.Log(path + ": " + why + " - either one forecast series or anomaly events; open the Forecasts or the "
              "Anomalies panel and import it again (it stays in the file list)");
      return true;
    }
  }
  if ((ends_with(".jsonl") || ends_with(".json") || ends_with(".csv") || ends_with(".CSV")) && open_panel == "Anomalies")
    ImportAnomalyFile(app, path);
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

}  // namespace fk::ui
