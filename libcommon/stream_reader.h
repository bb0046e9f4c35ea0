// RecordReader: reads NDJSON lines and binary frames, mixed freely, from a file descriptor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/frame.h"
#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

struct ReaderOptions {
  FrameLimits frame;
  size_t max_line = 64u << 20;  // bytes in one NDJSON line
  JsonLimits json;
  // When set, a line that is not JSON (does not start with '{') becomes {"<key>": "<line>"}:
  // plain URL lists for img-fetch, path lists for img-cat. Otherwise it is a bad-json record.
  std::string plain_line_key;
  std::string tool = "imgpipe";  // names the tool in error records made for malformed lines
  // Check payloads (length, CRC) but do not keep them: records come back with payload_info set
  // and an empty payload. For readers that only look at headers (img-cat --headers).
  bool skip_payloads = false;
};

class RecordReader {
 public:
  RecordReader(int fd, std::string source_name, ReaderOptions options);

  // Reads the next record into *record: true when one was read, false at the end of the stream.
  // A malformed NDJSON line is not an error here: it comes back as a record with `error`, `raw`
  // and `line`, and the stream goes on. A broken frame is an error (code "bad-frame",
  // "truncated" or "too-large"): frames carry explicit lengths, so nothing after it can be trusted.
  Result<bool> Next(Record* record);

  uint64_t records() const { return records_; }
  uint64_t bytes() const { return offset_; }

 private:
  bool Fill();                                   // false at EOF or read error
  size_t Available() const { return end_ - pos_; }
  bool ReadExact(void* dst, size_t n);           // false when the stream ends first
  bool SkipExact(uint64_t n, uint32_t* crc);     // reads n bytes into the CRC only
  Result<bool> ReadFrame(Record* record);
  Result<bool> ReadLine(Record* record);  // false: the line was blank, nothing read
  Error FrameError(std::string code, const std::string& what) const;

  int fd_;
  std::string name_;
  ReaderOptions options_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t offset_ = 0;       // stream offset of buf_[pos_]
  uint64_t frame_start_ = 0;  // stream offset of the frame being read
  uint64_t records_ = 0, frames_ = 0, lines_ = 0;
  bool eof_ = false;
  std::string read_error_;
};

}  // namespace imgpipe
