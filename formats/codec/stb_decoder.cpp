// stb_image-backed decoder with our own header parsing and truncation checks around it.
#include "formats/codec/stb_decoder.h"

#include <stb/stb_image.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "formats/codec/decode_checks.h"
#include "formats/codec/exif.h"

namespace imgpipe {
namespace {

uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}
uint32_t Le32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24);
}
uint32_t Le16(const uint8_t* p) { return p[0] | (p[1] << 8); }
uint32_t Be16(const uint8_t* p) { return (p[0] << 8) | p[1]; }

std::string Hex(uint8_t v) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[v >> 4] + digits[v & 15];
}

std::string Upper(ImageFormat f) {
  std::string s = NameOf(f);
  for (char& c : s) c = char(c - 'a' + 'A');
  return s;
}

Error Truncated(ImageFormat f, const std::string& what) {
  return MakeError("truncated", "truncated " + Upper(f) + " (" + what + ")");
}

Error StbFailure(ImageFormat f) {
  const char* reason_c = stbi_failure_reason();
  const std::string reason = reason_c ? reason_c : "unknown failure";
  const std::string detail = Upper(f) + " (stb_image: " + reason + ")";
  if (reason == "too large" || reason == "outofmem") {
    return MakeError("too-large", "image too large to decode: " + detail);
  }
  if (reason.find("not supported") != std::string::npos ||
      reason.find("unsupported") != std::string::npos || reason == "unknown image type") {
    return MakeError("unsupported", "unsupported " + detail);
  }
  if (reason == "outofdata" || reason.find("truncated") != std::string::npos) {
    return MakeError("truncated", "truncated " + detail);
  }
  return MakeError("corrupt", "corrupt " + detail);
}

Result<ImageInfo> ReadPngInfo(std::span<const uint8_t> b) {
  // Signature, then IHDR must be the first chunk: length 13, "IHDR", 13 bytes, CRC.
  if (b.size() < 33)
    return Truncated(ImageFormat::kPng, "header needs 33 bytes, got " + std::to_string(b.size()));
  if (Be32(&b[8]) != 13 || std::memcmp(&b[12], "IHDR", 4) != 0) {
    return MakeError("corrupt", "corrupt PNG (first chunk is not a 13-byte IHDR)");
  }
  ImageInfo info;
  info.format = ImageFormat::kPng;
  const uint32_t w = Be32(&b[16]), h = Be32(&b[20]);
  if (w == 0 || h == 0 || w > INT_MAX || h > INT_MAX) {
    return MakeError(
        "corrupt", "corrupt PNG (image size " + std::to_string(w) + "x" + std::to_string(h) + ")");
  }
  info.width = int(w);
  info.height = int(h);
  const int depth = b[24], color_type = b[25];
  switch (color_type) {
    case 0:
      info.channels = 1;
      break;
    case 2:
      info.channels = 3;
      break;
    case 3:
      info.channels = 3;
      break;
    case 4:
      info.channels = 2;
      break;
    case 6:
      info.channels = 4;
      break;
    default:
      return MakeError("corrupt", "corrupt PNG (colour type " + std::to_string(color_type) + ")");
  }
  info.bits_per_sample = color_type == 3 ? 8 : depth;
  // A tRNS chunk before the image data adds an alpha channel to palette images.
  for (size_t pos = 33; pos + 12 <= b.size();) {
    const uint32_t len = Be32(&b[pos]);
    if (len > b.size() - pos - 12) break;
    if (std::memcmp(&b[pos + 4], "IDAT", 4) == 0) break;
    if (std::memcmp(&b[pos + 4], "tRNS", 4) == 0 && color_type == 3) info.channels = 4;
    pos += 12 + size_t(len);
  }
  info.orientation = ParseExifOrientation(b);
  return info;
}

Status CheckPng(std::span<const uint8_t> b) {
  size_t pos = 8;
  bool saw_idat = false;
  while (true) {
    if (pos + 12 > b.size()) {
      return Truncated(ImageFormat::kPng,
                       "no IEND chunk; data ends at byte " + std::to_string(b.size()));
    }
    const uint32_t len = Be32(&b[pos]);
    if (len > 0x7FFFFFFF) {
      return MakeError("corrupt", "corrupt PNG (chunk length " + std::to_string(len) + " at byte " +
                                      std::to_string(pos) + ")");
    }
    const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
    if (len > b.size() - pos - 12) {
      return Truncated(ImageFormat::kPng, "chunk " + type + " at byte " + std::to_string(pos) +
                                              " needs " + std::to_string(len + 12) + " bytes, " +
                                              std::to_string(b.size() - pos) + " left");
    }
    if (type == "IDAT") saw_idat = true;
    if (type == "IEND") break;
    pos += 12 + size_t(len);
  }
  if (!saw_idat) return MakeError("corrupt", "corrupt PNG (no IDAT chunk)");
  return Status::Ok();
}

// Skips GIF data sub-blocks (length-prefixed, ended by a zero length) from *pos.
bool SkipGifSubBlocks(std::span<const uint8_t> b, size_t* pos) {
  while (true) {
    if (*pos >= b.size()) return false;
    const size_t len = b[*pos];
    ++*pos;
    if (len == 0) return true;
    if (len > b.size() - *pos) return false;
    *pos += len;
  }
}

Status CheckGif(std::span<const uint8_t> b) {
  const ImageFormat f = ImageFormat::kGif;
  if (b.size() < 13) return Truncated(f, "header needs 13 bytes, got " + std::to_string(b.size()));
  size_t pos = 13;
  if (b[10] & 0x80) pos += 3u << ((b[10] & 7) + 1);
  while (true) {
    if (pos >= b.size()) {
      return Truncated(f, "data ends at byte " + std::to_string(b.size()) + " before the image");
    }
    const uint8_t block = b[pos++];
    if (block == 0x21) {  // extension: label, then sub-blocks
      ++pos;
      if (!SkipGifSubBlocks(b, &pos)) {
        return Truncated(f, "extension runs past the end at byte " + std::to_string(b.size()));
      }
    } else if (block == 0x2C) {  // image descriptor: 9 bytes, optional local colour table
      if (pos + 9 > b.size()) return Truncated(f, "image descriptor cut off");
      const uint8_t flags = b[pos + 8];
      pos += 9;
      if (flags & 0x80) pos += 3u << ((flags & 7) + 1);
      ++pos;  // LZW minimum code size
      if (!SkipGifSubBlocks(b, &pos)) {
        return Truncated(
            f, "first frame's image data runs past the end at byte " + std::to_string(b.size()));
      }
      return Status::Ok();
    } else if (block == 0x3B) {
      return MakeError("corrupt", "corrupt GIF (trailer before any image)");
    } else {
      return MakeError("corrupt", "corrupt GIF (unknown block " + Hex(block) + " at byte " +
                                      std::to_string(pos - 1) + ")");
    }
  }
}

Status CheckBmp(std::span<const uint8_t> b) {
  if (b.size() < 26) return Truncated(ImageFormat::kBmp, "header cut off");
  const uint32_t offset = Le32(&b[10]);
  const uint32_t dib = Le32(&b[14]);
  int64_t width, height;
  uint32_t bpp, compression = 0;
  if (dib == 12) {
    width = Le16(&b[18]);
    height = Le16(&b[20]);
    bpp = Le16(&b[24]);
  } else {
    if (b.size() < 34) return Truncated(ImageFormat::kBmp, "header cut off");
    width = int32_t(Le32(&b[18]));
    height = int32_t(Le32(&b[22]));
    bpp = Le16(&b[28]);
    compression = Le32(&b[30]);
  }
  if (compression != 0 && compression != 3 && compression != 6) return Status::Ok();  // RLE etc.
  if (height < 0) height = -height;
  const int64_t row = ((int64_t(bpp) * width + 31) / 32) * 4;
  const int64_t need = int64_t(offset) + row * height;
  if (need > int64_t(b.size())) {
    return Truncated(ImageFormat::kBmp, "pixel data needs " + std::to_string(need) +
                                            " bytes, got " + std::to_string(b.size()));
  }
  return Status::Ok();
}

Status CheckTga(std::span<const uint8_t> b) {
  if (b.size() < 18) return Truncated(ImageFormat::kTga, "header cut off");
  const int image_type = b[2];
  if (image_type != 1 && image_type != 2 && image_type != 3) return Status::Ok();  // RLE
  const int64_t cmap_bytes = b[1] == 1 ? int64_t(Le16(&b[5])) * ((b[7] + 7) / 8) : 0;
  const int64_t pixels = int64_t(Le16(&b[12])) * Le16(&b[14]);
  const int64_t need = 18 + b[0] + cmap_bytes + pixels * ((b[16] + 7) / 8);
  if (need > int64_t(b.size())) {
    return Truncated(ImageFormat::kTga, "pixel data needs " + std::to_string(need) +
                                            " bytes, got " + std::to_string(b.size()));
  }
  return Status::Ok();
}

Status CheckPsd(std::span<const uint8_t> b) {
  const ImageFormat f = ImageFormat::kPsd;
  if (b.size() < 30) return Truncated(f, "header cut off");
  int64_t pos = 26;
  for (int section = 0; section < 3; ++section) {  // colour mode, resources, layers
    if (pos + 4 > int64_t(b.size())) return Truncated(f, "section lengths cut off");
    pos += 4 + int64_t(Be32(&b[pos]));
  }
  if (pos + 2 > int64_t(b.size())) return Truncated(f, "image data cut off");
  if (Be16(&b[pos]) != 0) return Status::Ok();  // RLE: not checkable without decoding
  const int64_t need =
      pos + 2 + int64_t(Be16(&b[12])) * Be32(&b[14]) * Be32(&b[18]) * (Be16(&b[22]) / 8);
  if (need > int64_t(b.size())) {
    return Truncated(
        f, "pixel data needs " + std::to_string(need) + " bytes, got " + std::to_string(b.size()));
  }
  return Status::Ok();
}

}  // namespace

Result<ImageInfo> ReadStbInfo(std::span<const uint8_t> bytes, ImageFormat format) {
  if (format == ImageFormat::kPng) return ReadPngInfo(bytes);
  if (bytes.size() > size_t(INT_MAX)) {
    return MakeError("too-large",
                     "encoded image over 2 GiB (" + std::to_string(bytes.size()) + " bytes)");
  }
  int x = 0, y = 0, comp = 0;
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = int(bytes.size());
  if (!stbi_info_from_memory(data, len, &x, &y, &comp)) {
    // A header that stb cannot read in a file this short is more likely cut than damaged.
    if (bytes.size() < 32) {
      return Truncated(
          format, "header needs more than the " + std::to_string(bytes.size()) + " bytes present");
    }
    return StbFailure(format);
  }
  ImageInfo info;
  info.format = format;
  info.width = x;
  info.height = y;
  info.channels = comp;
  info.bits_per_sample = stbi_is_16_bit_from_memory(data, len) ? 16 : 8;
  info.orientation = 1;
  return info;
}

Status CheckStbComplete(std::span<const uint8_t> bytes, ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return CheckPng(bytes);
    case ImageFormat::kGif:
      return CheckGif(bytes);
    case ImageFormat::kBmp:
      return CheckBmp(bytes);
    case ImageFormat::kTga:
      return CheckTga(bytes);
    case ImageFormat::kPsd:
      return CheckPsd(bytes);
    default:
      return Status::Ok();
  }
}

Result<DecodedImage> DecodeStb(std::span<const uint8_t> bytes, ImageFormat format,
                               const DecodeOptions& options) {
  if (Status s = ValidateDecodeOptions(options); !s) return s.error();
  Result<ImageInfo> info = ReadStbInfo(bytes, format);
  if (!info) return info.error();
  if (Status s = CheckPixelLimit(*info, options); !s) return s.error();
  if (!options.allow_truncated) {
    if (Status s = CheckStbComplete(bytes, format); !s) return s.error();
  }

  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = int(bytes.size());
  const bool wide = options.keep_16bit && info->bits_per_sample == 16;
  int x = 0, y = 0, comp = 0;
  void* pixels =
      wide
          ? static_cast<void*>(stbi_load_16_from_memory(data, len, &x, &y, &comp, options.channels))
          : static_cast<void*>(stbi_load_from_memory(data, len, &x, &y, &comp, options.channels));
  if (pixels == nullptr) return StbFailure(format);
  std::unique_ptr<void, void (*)(void*)> owned(pixels, stbi_image_free);
  // GIF/PSD report the canvas in the header; a mismatch would mean we checked the wrong size.
  if (int64_t(x) * y > options.max_pixels) {
    return MakeError("too-large", Upper(format) + " decoded to " + std::to_string(x) + "x" +
                                      std::to_string(y) + ", over the pixel limit");
  }
  DecodedImage out;
  out.info = *info;
  out.image.width = x;
  out.image.height = y;
  out.image.channels = options.channels;
  out.image.type = wide ? SampleType::kU16 : SampleType::kU8;
  if (Status s = AllocateBuffer(out.image.data, out.image.SizeBytes()); !s) return s.error();
  std::memcpy(out.image.data.data(), pixels, out.image.SizeBytes());
  return out;
}

}  // namespace imgpipe
