// The per-record driver every program runs: read, map on a worker pool, write in order, count.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "libcommon/record.h"
#include "libcommon/result.h"
#include "libcommon/stream_reader.h"
#include "libcommon/stream_writer.h"

namespace imgpipe {

enum class OnError { kPass, kDrop, kFail };

struct DriverConfig {
  std::string tool;
  int threads = 0;                        // 0: one per core
  bool unordered = false;                 // write records as they finish
  size_t max_inflight = 0;                // records read but not yet written; 0: 4 per thread
  uint64_t max_inflight_bytes = 1ull << 30;  // payload + metadata bytes in flight
  OnError on_error = OnError::kPass;
  bool progress = false;                  // progress line on stderr
  bool quiet = false;                     // nothing on stderr but errors
  size_t max_error_messages = 5;          // per-record errors echoed on stderr before the summary
};

// Where records come from: a stream on stdin, or something a tool builds (paths, URLs).
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // true: *record holds the next record; false: no more. An error is a stream error (exit 2).
  virtual Result<bool> Next(Record* record) = 0;
};

class StreamSource : public RecordSource {
 public:
  explicit StreamSource(RecordReader* reader) : reader_(reader) {}
  Result<bool> Next(Record* record) override { return reader_->Next(record); }

 private:
  RecordReader* reader_;
};

// The work done on one record, on a worker thread. Returning an error attaches it to the record
// as `error` (then --on-error decides). Must be safe to call from several threads at once.
using RecordFn = std::function<Status(Record&)>;

struct RunSummary {
  uint64_t in = 0, out = 0, dropped = 0;
  uint64_t failed = 0;           // failed in this tool
  uint64_t upstream_errors = 0;  // arrived with `error` already set, passed on untouched
  std::map<std::string, uint64_t> failures_by_code;
  bool stream_error = false;
  bool output_closed = false;
  bool stopped_on_error = false;
  int ExitCode() const;
};

// The end-of-run line on stderr: "<in> in<in_note>, <out> out, <dropped> dropped; <failed> failed
// (<code> <n>, ...); <notes>...". Nothing when the output was closed, or when quiet without
// failures. Tools with their own loop (img-fetch) print theirs through it too.
void PrintRunSummary(const DriverConfig& config, const RunSummary& summary,
                     const std::string& in_note = "", const std::vector<std::string>& notes = {});

// Runs `fn` over every record of `source`, writing results to `writer`. Records that arrive with
// an `error` key are passed on without calling `fn`. Prints the summary (unless quiet) and returns
// it; `summary.ExitCode()` is the program's exit code.
//
// `finish`, when given, runs on the writer thread just before each record is written, in output
// order (input order unless --unordered), for records `fn` did not fail: the place for steps whose
// outcome must not depend on thread timing, such as claiming an output file name.
RunSummary RunRecordMap(const DriverConfig& config, RecordSource& source, const RecordFn& fn,
                        RecordWriter& writer, const RecordFn& finish = nullptr);

// The common case: records from stdin, `fn` on each, records to stdout. Sets up the standard
// streams (SIGPIPE, pipe sizes) and returns the exit code.
int RunStdinMap(const DriverConfig& config, const ReaderOptions& reader_options,
                const RecordFn& fn, const RecordFn& finish = nullptr);

}  // namespace imgpipe
