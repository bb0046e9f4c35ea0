// RecordWriter: writes records to a file descriptor, as frames when they carry a payload and as
// NDJSON lines otherwise, through one large buffer.
#pragma once

#include <cstdint>
#include <string>

#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

enum class OutputMode {
  kAuto,         // payload -> frame, no payload -> NDJSON line
  kHeadersOnly,  // every record as an NDJSON line; a payload is described, not written
};

class RecordWriter {
 public:
  explicit RecordWriter(int fd, OutputMode mode = OutputMode::kAuto);
  ~RecordWriter();

  // Errors: code "closed" when the reader went away (EPIPE: end quietly), "usage" when binary
  // frames would go to a terminal, "io" otherwise.
  Status Write(const Record& record);
  Status Flush();

 private:
  Status WriteLargeFrame(const Record& record);
  Status WriteLarge(const uint8_t* data, size_t size);  // buffered bytes, then `data`
  int fd_;
  OutputMode mode_;
  std::string buf_;
  bool is_terminal_;
};

// Makes the process survive a closed pipe (EPIPE is handled as an error code instead), and asks
// for larger pipe buffers on stdin/stdout where the OS allows it.
void PrepareStandardStreams();

}  // namespace imgpipe
