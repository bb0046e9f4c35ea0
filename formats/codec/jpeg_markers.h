// Walking the marker segments of a JPEG header (up to the first SOS), bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace imgpipe {

struct JpegSegment {
  uint8_t marker = 0;  // second byte of the marker, e.g. 0xE1 for APP1
  size_t start = 0;    // offset of the 0xFF that opens the marker
  size_t payload = 0;  // offset of the payload (after the 2-byte length)
  size_t length = 0;   // payload length in bytes (the length field minus 2)
  size_t end() const { return payload + length; }
};

struct JpegHeaderScan {
  bool is_jpeg = false;               // starts with SOI
  bool truncated = false;             // data ended inside the header (before SOS)
  bool malformed = false;             // something other than a marker where a marker must be
  size_t sos_start = 0;               // offset of the first SOS marker, 0 if not reached
  size_t stopped_at = 0;              // offset where the walk stopped (for messages)
  std::vector<JpegSegment> segments;  // in file order, SOS last when reached
};

// Never reads outside `bytes`; records at most kMaxJpegSegments segments (a header made of
// millions of empty segments is hostile, and what we need sits near the start anyway).
inline constexpr size_t kMaxJpegSegments = 1024;
JpegHeaderScan ScanJpegHeader(std::span<const uint8_t> bytes);

// True when an EOI marker follows the first SOS. Entropy-coded data stuffs every 0xFF with 0x00,
// so an 0xFF 0xD9 after SOS can only be the real EOI: its absence means the file was cut short.
bool JpegHasEoiAfter(std::span<const uint8_t> bytes, size_t sos_start);

}  // namespace imgpipe
