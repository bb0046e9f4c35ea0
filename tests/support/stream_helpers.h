// Test-only helpers for the record stream: run a RecordReader over bytes in memory, capture what a
// RecordWriter writes, feed the driver from a list, and build records with each payload kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/driver.h"
#include "libcommon/record.h"
#include "libcommon/result.h"
#include "libcommon/stream_reader.h"
#include "libcommon/stream_writer.h"

namespace imgpipe::testing {

// An anonymous in-memory file (memfd); closed on destruction.
class MemFile {
 public:
  MemFile();
  explicit MemFile(std::string_view contents);  // filled, positioned at the start
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  int fd() const { return fd_; }
  std::string Contents() const;  // everything written so far (does not move the offset)

 private:
  int fd_ = -1;
};

// Everything a RecordReader gave back: the records, then the error that stopped it (if any).
struct ReadResult {
  std::vector<Record> records;
  std::optional<Error> error;
};

// Reads `bytes` to the end (or the first stream error) from a memfd.
ReadResult ReadAllRecords(std::string_view bytes, ReaderOptions options = {});
// The same through a pipe fed by a thread in `chunk`-byte writes, so the reader sees short reads.
ReadResult ReadAllRecordsViaPipe(std::string_view bytes, size_t chunk, ReaderOptions options = {});

// What a RecordWriter makes of `records`.
std::string WriteAllRecords(const std::vector<Record>& records,
                            OutputMode mode = OutputMode::kAuto);

// A RecordSource over a list; optionally ends with a stream error after the list.
class VectorSource : public RecordSource {
 public:
  explicit VectorSource(std::vector<Record> records, std::optional<Error> final_error = {})
      : records_(std::move(records)), final_error_(std::move(final_error)) {}
  Result<bool> Next(Record* record) override;
  size_t handed_out() const { return next_; }

 private:
  std::vector<Record> records_;
  std::optional<Error> final_error_;
  size_t next_ = 0;
};

// Records with each kind of payload (deterministic bytes derived from `seed`).
Record MakeEncodedRecord(std::string_view id, size_t bytes, uint8_t seed = 1);
Record MakePixelsRecord(std::string_view id, int width, int height, int channels,
                        std::string_view dtype = "u8", uint8_t seed = 2);
Record MakeTensorRecord(std::string_view id, std::vector<int64_t> shape,
                        std::string_view dtype = "f32", std::string_view layout = "chw",
                        uint8_t seed = 3);

// Little-endian field access on an encoded frame (for corrupting tests).
uint64_t GetLe(std::string_view bytes, size_t offset, int size);
void PutLe(std::string* bytes, size_t offset, uint64_t value, int size);
// Recomputes the CRC of the single frame starting at `start` (after a deliberate edit).
void FixFrameCrc(std::string* bytes, size_t start = 0);

}  // namespace imgpipe::testing
