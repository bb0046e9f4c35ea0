// img-cat: paths and streams in, one record stream out; also views, validates and extracts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/driver.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

struct CatConfig {
  std::vector<std::string> inputs;  // image files, stream files (.ndjson/.jsonl or frames), "-"
  bool headers = false;             // frames as NDJSON headers
  int64_t head = -1;                // stop after this many records (-1: all)
  std::string extract_dir;          // write payloads here; emit NDJSON with `path`
  uint64_t max_file_bytes = 1ull << 30;
  DriverConfig driver;
  ReaderOptions reader;
};

// The whole program: returns the exit code.
int RunCat(const CatConfig& config);

// --validate: walks the streams, checks every frame and CRC and every NDJSON line; reports the
// first bad one by number and byte offset. Exit 0 when all is well, 2 otherwise.
int RunValidate(const CatConfig& config);

}  // namespace imgpipe
