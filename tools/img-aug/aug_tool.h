// img-aug: random geometric and photometric augmentation of `pixels` records, boxes included.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libcommon/driver.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"
#include "tools/img-aug/ops.h"
#include "tools/img-aug/pipeline.h"

namespace imgpipe {

struct AugToolConfig {
  aug::OpList ops;
  uint64_t seed = 0;
  int copies = 1;
  aug::ApplyOptions apply;
  std::string replay_file;  // --replay: apply the `aug` of these records instead of drawing
  DriverConfig driver;
  ReaderOptions reader;
};

// The key a record's randomness is drawn with: a hash of its `id` (else `sha256`, else its
// payload bytes), so it does not depend on the record's position in the stream.
uint64_t RecordKey(const Record& record);

// Replay entries by key: the `aug` objects of a previous run, in stream order.
using ReplayIndex = std::map<uint64_t, std::vector<std::string>>;
Result<ReplayIndex> LoadReplay(const std::string& path, const ReaderOptions& reader);

struct AugCounters {
  std::atomic<uint64_t> boxes_dropped{0};
};

// One record. Copy number and (for --replay) the logged `aug` come from the transient keys the
// source adds (`aug_copy`, `aug`).
Status AugRecord(const AugToolConfig& config, Record& record, AugCounters* counters);

// The whole program over stdin/stdout; returns the exit code.
int RunAug(const AugToolConfig& config);

}  // namespace imgpipe
