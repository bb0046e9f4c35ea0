// Bounds-checked walk over JPEG header segments; shared by the EXIF reader and the JPEG decoder.
#include "formats/codec/jpeg_markers.h"

#include <cstring>

namespace imgpipe {

JpegHeaderScan ScanJpegHeader(std::span<const uint8_t> b) {
  JpegHeaderScan scan;
  if (b.size() < 2 || b[0] != 0xFF || b[1] != 0xD8) return scan;
  scan.is_jpeg = true;
  size_t pos = 2;
  while (true) {
    scan.stopped_at = pos;
    if (pos >= b.size()) {
      scan.truncated = true;
      return scan;
    }
    if (b[pos] != 0xFF) {
      scan.malformed = true;
      return scan;
    }
    // Any number of 0xFF fill bytes may precede a marker code.
    while (pos < b.size() && b[pos] == 0xFF) ++pos;
    if (pos >= b.size()) {
      scan.truncated = true;
      return scan;
    }
    const uint8_t marker = b[pos];
    const size_t start = pos - 1;
    ++pos;
    if (marker == 0x00) {
      scan.malformed = true;
      return scan;
    }
    // Standalone markers carry no length.
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;
    if (marker == 0xD9) {  // EOI before any scan: there is no image
      scan.malformed = true;
      return scan;
    }
    if (pos + 2 > b.size()) {
      scan.truncated = true;
      return scan;
    }
    const size_t len = (size_t(b[pos]) << 8) | b[pos + 1];
    if (len < 2) {
      scan.malformed = true;
      return scan;
    }
    if (pos + len > b.size()) {
      scan.truncated = true;
      return scan;
    }
    JpegSegment seg{marker, start, pos + 2, len - 2};
    if (scan.segments.size() < kMaxJpegSegments || marker == 0xDA) scan.segments.push_back(seg);
    pos += len;
    if (marker == 0xDA) {
      scan.sos_start = start;
      scan.stopped_at = pos;
      return scan;
    }
  }
}

bool JpegHasEoiAfter(std::span<const uint8_t> b, size_t sos_start) {
  if (sos_start >= b.size()) return false;
  const uint8_t* p = b.data() + sos_start;
  const uint8_t* end = b.data() + b.size();
  while (p < end) {
    p = static_cast<const uint8_t*>(std::memchr(p, 0xFF, size_t(end - p)));
    if (p == nullptr || p + 1 >= end) return false;
    if (p[1] == 0xD9) return true;
    ++p;
  }
  return false;
}

}  // namespace imgpipe
