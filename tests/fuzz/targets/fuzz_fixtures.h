// What the feature-store targets and the seed maker (tests/fuzz/make_seeds.cpp)
// must agree on: the fixed group a fuzzed log is replayed into, the store's
// clock (the group's uid is derived from it) and the CRC repair of log frames.
#pragma once
#include <cstring>
#include <string>

#include "features/schema.h"
#include "features/wal.h"

namespace fk::fuzz {

constexpr double kFuzzStoreNow = 1709294400.0;  // 2024-03-01T12:00:00Z

// The bundled customers.csv, reduced: CreateGroup at kFuzzStoreNow in an
// empty store gives it this uid, so seed logs written by a real store replay
// into it.
inline features::FeatureGroup FuzzGroup() {
  features::FeatureGroup g;
  g.name = "customers";
  g.record_id = "customer_id";
  g.event_time = "event_time";
  g.features = {{"customer_id", features::FeatureType::String},
                {"event_time", features::FeatureType::String},
                {"age", features::FeatureType::Integral},
                {"city", features::FeatureType::String},
                {"spend_30d", features::FeatureType::Fractional}};
  g.created = kFuzzStoreNow;
  g.uid = uint64_t(kFuzzStoreNow * 1e6);
  return g;
}

// Rewrites the CRC of every frame from the start whose magic and length fit
// (stops at the first that does not), as a writer would have computed it.
inline void FixWalCrcs(std::string* log) {
  size_t off = 0;
  while (log->size() - off >= features::kWalFrameHeader) {
    uint32_t magic, len;
    std::memcpy(&magic, log->data() + off, 4);
    std::memcpy(&len, log->data() + off + 4, 4);
    if (magic != features::kWalMagic || len > log->size() - off - features::kWalFrameHeader) return;
    const uint32_t crc =
        features::Crc32(log->data() + off + features::kWalFrameHeader, len, features::Crc32(log->data() + off + 4, 4));
    std::memcpy(&(*log)[off + 8], &crc, 4);
    off += features::kWalFrameHeader + len;
  }
}

}  // namespace fk::fuzz
