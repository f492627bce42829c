// State of the Feature Store panel: the store (opened under the user dir: a
// folder natively, IDBFS in the page), the schema being edited before Create,
// the running ingest (per-worker progress, rejects with reasons), the record
// browser and the last point-in-time training set.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "features/ingest.h"
#include "features/session.h"
#include "features/store.h"

namespace fk::ui {

struct FeatureDefEdit {
  std::string name;
  int type = 2;  // features::FeatureType: 0 Integral, 1 Fractional, 2 String
};

struct FeaturesPanelState {
  std::unique_ptr<features::FeatureStore> store;
  std::string store_dir;
  std::string open_error;  // why the store could not be opened (shown instead of the panel)
  bool open_tried = false;

  // Create a group from a CSV: inferred schema, edited, then created.
  int source = 0;    // 0 = bundled demo CSV, 1 = an imported file
  int file_idx = 0;  // into AppState::imports
  std::string csv_path;
  std::vector<std::string> header;  // CSV columns (for the record id / event time pickers)
  char group_name[64] = "customers";
  char description[160] = "Customer features (SageMaker Feature Store fraud example)";
  float ttl_days = 0;  // 0 = records never expire
  std::vector<FeatureDefEdit> defs;
  int record_id = 0, event_time = 1;  // into defs
  std::vector<std::string> notes;     // what inference noticed (skipped rows, type choices)
  uint64_t rows_scanned = 0;
  bool schema_ready = false;

  // Ingest (a job stepping a features::IngestSession; one worker in the page,
  // hardware threads natively). The last session stays for its results.
  std::unique_ptr<features::IngestSession> session;
  std::string ingest_group, ingest_file;
  // idle | ingesting | checkpoint | training-set | saving (flushing to storage) | done | failed | cancelled
  std::string state = "idle";
  uint64_t run = 0;  // counts ingests: a late "saved" of an earlier one leaves a newer one's state alone
  // Ingests that stopped before the end (a reload, a crash, Cancel): shown with Resume.
  std::vector<features::IngestProgress> interrupted;
  int threads = 2;

  // Groups and records.
  std::string selected;            // group shown in Describe / Records
  std::vector<std::string> ids;    // live ids of the selected group (refreshed after writes)
  bool ids_stale = true;
  char get_id[96] = "";
  std::string get_result;          // "name = value" lines, or why not found
  std::string delete_result;
  bool hard_delete = false;

  // Point-in-time training set.
  int entity_source = 0;  // 0 = bundled demo orders.csv, 1 = an imported file
  int entity_file_idx = 0;
  char id_col[64] = "customer_id";
  char time_col[64] = "order_time";
  std::string pit_state = "idle";  // idle | running | done | failed
  std::string pit_path;            // the CSV written (page: /exports, desktop: user dir)
  uint64_t pit_rows = 0;
  std::vector<std::string> pit_preview;  // first lines of the set
};

}  // namespace fk::ui
