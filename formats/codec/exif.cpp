// EXIF orientation reader (JPEG APP1, WebP EXIF, PNG eXIf) and a minimal JPEG EXIF writer.
#include "formats/codec/exif.h"

#include <cstring>
#include <string>

#include "formats/codec/jpeg_markers.h"
#include "formats/codec/sniff.h"

namespace imgpipe {
namespace {

constexpr uint8_t kExifPrefix[6] = {'E', 'x', 'i', 'f', 0, 0};

bool HasExifPrefix(std::span<const uint8_t> b) {
  return b.size() >= 6 && std::memcmp(b.data(), kExifPrefix, 6) == 0;
}

uint32_t Le32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24);
}
uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

int FromJpeg(std::span<const uint8_t> b) {
  const JpegHeaderScan scan = ScanJpegHeader(b);
  for (const JpegSegment& s : scan.segments) {
    if (s.marker != 0xE1) continue;
    auto payload = b.subspan(s.payload, s.length);
    if (HasExifPrefix(payload)) return ParseTiffOrientation(payload.subspan(6));
  }
  return 1;
}

int FromWebp(std::span<const uint8_t> b) {
  // RIFF chunks: fourcc, little-endian size, payload padded to even length.
  size_t pos = 12;
  while (pos + 8 <= b.size()) {
    const uint32_t size = Le32(&b[pos + 4]);
    if (size > b.size() - pos - 8) return 1;
    if (std::memcmp(&b[pos], "EXIF", 4) == 0) {
      auto payload = b.subspan(pos + 8, size);
      // Some writers keep the JPEG-style "Exif\0\0" prefix inside the chunk.
      if (HasExifPrefix(payload)) payload = payload.subspan(6);
      return ParseTiffOrientation(payload);
    }
    pos += 8 + size + (size & 1);
  }
  return 1;
}

int FromPng(std::span<const uint8_t> b) {
  size_t pos = 8;
  while (pos + 12 <= b.size()) {
    const uint32_t len = Be32(&b[pos]);
    if (len > b.size() - pos - 12) return 1;
    if (std::memcmp(&b[pos + 4], "eXIf", 4) == 0) {
      return ParseTiffOrientation(b.subspan(pos + 8, len));
    }
    if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) return 1;
    pos += 12 + len;
  }
  return 1;
}

// A big-endian TIFF with one IFD0 entry: Orientation SHORT = n.
std::vector<uint8_t> MakeOrientationApp1(int n) {
  const uint8_t tiff[] = {
      'M',  'M',  0, 42, 0, 0, 0, 8,  // header, IFD0 at offset 8
      0,    1,                        // one entry
      0x01, 0x12, 0, 3,  0, 0, 0, 1, uint8_t(n >> 8), uint8_t(n & 0xFF),
      0,    0,    0, 0,  0, 0,  // no next IFD
  };
  const size_t len = 2 + sizeof(kExifPrefix) + sizeof(tiff);
  std::vector<uint8_t> seg = {0xFF, 0xE1, uint8_t(len >> 8), uint8_t(len & 0xFF)};
  seg.insert(seg.end(), kExifPrefix, kExifPrefix + sizeof(kExifPrefix));
  seg.insert(seg.end(), tiff, tiff + sizeof(tiff));
  return seg;
}

}  // namespace

int ParseTiffOrientation(std::span<const uint8_t> t) {
  if (t.size() < 8) return 1;
  bool little;
  if (t[0] == 'I' && t[1] == 'I') {
    little = true;
  } else if (t[0] == 'M' && t[1] == 'M') {
    little = false;
  } else {
    return 1;
  }
  auto u16 = [&](size_t off) -> uint32_t {
    return little ? (t[off] | (t[off + 1] << 8)) : ((t[off] << 8) | t[off + 1]);
  };
  auto u32 = [&](size_t off) -> uint32_t { return little ? Le32(&t[off]) : Be32(&t[off]); };
  if (u16(2) != 42) return 1;
  const uint32_t ifd = u32(4);
  if (ifd < 8 || ifd > t.size() - 2) return 1;
  const uint32_t count = u16(ifd);
  // Entries are read only while they lie wholly inside the buffer; count is at most 65535.
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = size_t(ifd) + 2 + size_t(i) * 12;
    if (entry + 12 > t.size()) return 1;
    if (u16(entry) != 0x0112) continue;
    const uint32_t type = u16(entry + 2);
    const uint32_t n = u32(entry + 4);
    if (type != 3 || n < 1) return 1;  // SHORT only; anything else is malformed
    const uint32_t value = u16(entry + 8);
    return (value >= 1 && value <= 8) ? int(value) : 1;
  }
  return 1;
}

int ParseExifOrientation(std::span<const uint8_t> bytes) {
  switch (SniffFormat(bytes)) {
    case ImageFormat::kJpeg:
      return FromJpeg(bytes);
    case ImageFormat::kWebp:
      return FromWebp(bytes);
    case ImageFormat::kPng:
      return FromPng(bytes);
    default:
      return 1;
  }
}

Result<std::vector<uint8_t>> AddExifOrientation(std::span<const uint8_t> jpeg, int orientation) {
  if (orientation < 1 || orientation > 8) {
    return MakeError("unsupported",
                     "EXIF orientation must be 1..8 (got " + std::to_string(orientation) + ")");
  }
  const JpegHeaderScan scan = ScanJpegHeader(jpeg);
  if (!scan.is_jpeg) return MakeError("unsupported", "cannot add EXIF: data is not a JPEG");
  if (scan.sos_start == 0) {
    const std::string where =
        " at byte " + std::to_string(scan.stopped_at) + " of " + std::to_string(jpeg.size());
    if (scan.truncated) return MakeError("truncated", "truncated JPEG header" + where);
    return MakeError("corrupt", "corrupt JPEG header (bad marker" + where + ")");
  }
  if (scan.segments.size() >= kMaxJpegSegments) {
    return MakeError("unsupported", "cannot add EXIF: JPEG header has too many segments");
  }
  std::vector<uint8_t> out = {0xFF, 0xD8};
  out.reserve(jpeg.size() + 64);
  const std::vector<uint8_t> app1 = MakeOrientationApp1(orientation);
  bool inserted = false;
  for (size_t i = 0; i < scan.segments.size(); ++i) {
    const JpegSegment& s = scan.segments[i];
    if (s.marker == 0xDA) break;
    // JFIF requires its APP0 to come first, so the EXIF goes after it.
    if (!inserted && !(i == 0 && s.marker == 0xE0)) {
      out.insert(out.end(), app1.begin(), app1.end());
      inserted = true;
    }
    const bool is_exif = s.marker == 0xE1 && HasExifPrefix(jpeg.subspan(s.payload, s.length));
    if (!is_exif) out.insert(out.end(), jpeg.begin() + s.start, jpeg.begin() + s.end());
  }
  if (!inserted) out.insert(out.end(), app1.begin(), app1.end());
  out.insert(out.end(), jpeg.begin() + scan.sos_start, jpeg.end());
  return out;
}

}  // namespace imgpipe
