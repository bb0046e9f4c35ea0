// img-decode: `encoded` records (or records with `path`) to `pixels` records.
#pragma once

#include <cstdint>

#include "formats/codec/decode_types.h"
#include "libcommon/driver.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

struct DecodeToolConfig {
  DecodeOptions decode;          // channels, keep_16bit, max_pixels, allow_truncated
  int max_side = 0;              // shrink so the long side is at most this (0: full size)
  bool apply_orientation = true; // --orientation=apply|ignore
  bool boxes_oriented = false;   // boxes already refer to the displayed (oriented) image
  uint64_t max_file_bytes = 1ull << 30;
  DriverConfig driver;
  ReaderOptions reader;
};

// One record: decode, orient, shrink, move boxes, and replace the payload with pixels.
Status DecodeRecord(const DecodeToolConfig& config, Record& record);

// The whole program over stdin/stdout; returns the exit code.
int RunDecode(const DecodeToolConfig& config);

}  // namespace imgpipe
