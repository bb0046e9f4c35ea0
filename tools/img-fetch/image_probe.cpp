// ProbeImage: magic bytes and the width/height fields of JPEG SOF, PNG IHDR, GIF, WebP, BMP.
#include "tools/img-fetch/image_probe.h"

namespace imgpipe {
namespace {

uint32_t Be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t Be32(const uint8_t* p) { return Be16(p) << 16 | Be16(p + 2); }
uint32_t Le16(const uint8_t* p) { return uint32_t(p[1]) << 8 | p[0]; }
uint32_t Le24(const uint8_t* p) { return uint32_t(p[2]) << 16 | Le16(p); }
uint32_t Le32(const uint8_t* p) { return Le16(p + 2) << 16 | Le16(p); }

// Walks JPEG markers to the first SOFn; returns false while more bytes are needed.
bool JpegSize(std::span<const uint8_t> b, int64_t* w, int64_t* h) {
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return false;  // lost sync: leave it to the decoder
    uint8_t m = b[i + 1];
    if (m == 0xFF) { ++i; continue; }
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
    size_t len = Be16(&b[i + 2]);
    bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (i + 9 > b.size()) return false;
      *h = Be16(&b[i + 5]);
      *w = Be16(&b[i + 7]);
      return true;
    }
    if (len < 2) return false;
    i += 2 + len;
  }
  return false;
}

}  // namespace

ProbeResult ProbeImage(std::span<const uint8_t> b, bool final) {
  ProbeResult r;
  if (b.size() < 16 && !final) return r;
  r.format = SniffFormat(b);
  if (r.format == ImageFormat::kUnknown) {
    // SniffFormat may want a longer prefix for TGA; 64 bytes is plenty for every magic.
    r.state = (b.size() >= 64 || final) ? ProbeState::kNotImage : ProbeState::kNeedMore;
    return r;
  }
  r.state = ProbeState::kImage;
  switch (r.format) {
    case ImageFormat::kPng:
      if (b.size() >= 24) { r.width = Be32(&b[16]); r.height = Be32(&b[20]); }
      break;
    case ImageFormat::kGif:
      if (b.size() >= 10) { r.width = Le16(&b[6]); r.height = Le16(&b[8]); }
      break;
    case ImageFormat::kBmp:
      if (b.size() >= 26) {
        r.width = int32_t(Le32(&b[18]));
        int64_t h = int32_t(Le32(&b[22]));
        r.height = h < 0 ? -h : h;
      }
      break;
    case ImageFormat::kWebp:
      if (b.size() >= 30) {
        if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == ' ') {
          r.width = Le16(&b[26]) & 0x3FFF;
          r.height = Le16(&b[28]) & 0x3FFF;
        } else if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'L') {
          uint32_t bits = Le32(&b[21]);
          r.width = (bits & 0x3FFF) + 1;
          r.height = ((bits >> 14) & 0x3FFF) + 1;
        } else if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'X') {
          r.width = int64_t(Le24(&b[24])) + 1;
          r.height = int64_t(Le24(&b[27])) + 1;
        }
      }
      break;
    case ImageFormat::kJpeg: {
      int64_t w = 0, h = 0;
      if (JpegSize(b, &w, &h)) { r.width = w; r.height = h; }
      break;
    }
    default:
      break;
  }
  return r;
}

}  // namespace imgpipe
