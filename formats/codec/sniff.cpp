// Format recognition from magic bytes, and the names, MIME types and extensions of formats.
#include "formats/codec/sniff.h"

#include <cctype>
#include <cstring>
#include <string>

namespace imgpipe {
namespace {

bool StartsWith(std::span<const uint8_t> bytes, const char* magic, size_t n) {
  return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
}

// TGA has no signature, so only a header whose every field is plausible counts: this keeps
// arbitrary garbage (and text) from being sent to the permissive TGA decoder.
bool PlausibleTga(std::span<const uint8_t> b) {
  if (b.size() < 18) return false;
  const int id_length = b[0];
  const int color_map_type = b[1];
  const int image_type = b[2];
  const int cmap_first = b[3] | (b[4] << 8);
  const int cmap_length = b[5] | (b[6] << 8);
  const int cmap_depth = b[7];
  const int width = b[12] | (b[13] << 8);
  const int height = b[14] | (b[15] << 8);
  const int depth = b[16];
  const int descriptor = b[17];
  (void)id_length;
  if (color_map_type > 1) return false;
  const bool mapped = image_type == 1 || image_type == 9;
  const bool truecolor = image_type == 2 || image_type == 10;
  const bool gray = image_type == 3 || image_type == 11;
  if (!mapped && !truecolor && !gray) return false;
  if (mapped != (color_map_type == 1)) return false;
  if (mapped) {
    if (depth != 8 && depth != 16) return false;
    if (cmap_length == 0 || cmap_first >= cmap_length) return false;
    if (cmap_depth != 15 && cmap_depth != 16 && cmap_depth != 24 && cmap_depth != 32) return false;
  } else if (truecolor) {
    if (depth != 15 && depth != 16 && depth != 24 && depth != 32) return false;
  } else if (depth != 8 && depth != 16) {
    return false;
  }
  if (width == 0 || height == 0) return false;
  if (descriptor & 0xC0) return false;  // interleaving bits: obsolete, never written in practice
  return true;
}

}  // namespace

ImageFormat SniffFormat(std::span<const uint8_t> b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat::kJpeg;
  if (StartsWith(b, "\x89PNG\r\n\x1a\n", 8)) return ImageFormat::kPng;
  if (StartsWith(b, "GIF87a", 6) || StartsWith(b, "GIF89a", 6)) return ImageFormat::kGif;
  if (b.size() >= 12 && StartsWith(b, "RIFF", 4) && std::memcmp(b.data() + 8, "WEBP", 4) == 0) {
    return ImageFormat::kWebp;
  }
  if (StartsWith(b, "8BPS", 4)) return ImageFormat::kPsd;
  // "BM" alone is too weak (text starts with it); require a known DIB header size too.
  if (b.size() >= 18 && b[0] == 'B' && b[1] == 'M') {
    const uint32_t dib = b[14] | (b[15] << 8) | (b[16] << 16) | (uint32_t(b[17]) << 24);
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
      return ImageFormat::kBmp;
    }
  }
  if (PlausibleTga(b)) return ImageFormat::kTga;
  return ImageFormat::kUnknown;
}

namespace {

// One row per format: its short name, MIME type and file extension.
struct FormatNames {
  ImageFormat format;
  const char* name;
  const char* mime;
  const char* ext;
};
constexpr FormatNames kFormatNames[] = {
    {ImageFormat::kJpeg, "jpeg", "image/jpeg", "jpg"},
    {ImageFormat::kPng, "png", "image/png", "png"},
    {ImageFormat::kGif, "gif", "image/gif", "gif"},
    {ImageFormat::kBmp, "bmp", "image/bmp", "bmp"},
    {ImageFormat::kTga, "tga", "image/x-tga", "tga"},
    {ImageFormat::kPsd, "psd", "image/vnd.adobe.photoshop", "psd"},
    {ImageFormat::kWebp, "webp", "image/webp", "webp"},
};
constexpr FormatNames kUnknownNames = {ImageFormat::kUnknown, "unknown",
                                       "application/octet-stream", "bin"};

const FormatNames& NamesOf(ImageFormat f) {
  for (const FormatNames& n : kFormatNames)
    if (n.format == f) return n;
  return kUnknownNames;
}

}  // namespace

const char* MimeOf(ImageFormat f) { return NamesOf(f).mime; }
const char* ExtensionOf(ImageFormat f) { return NamesOf(f).ext; }
const char* NameOf(ImageFormat f) { return NamesOf(f).name; }

ImageFormat FormatFromName(std::string_view name) {
  std::string s;
  for (char c : name) s += char(std::tolower(static_cast<unsigned char>(c)));
  if (!s.empty() && s[0] == '.') s.erase(0, 1);
  if (s.rfind("image/", 0) == 0) s.erase(0, 6);
  if (s == "jpeg" || s == "jpg" || s == "jpe" || s == "jfif" || s == "pjpeg") {
    return ImageFormat::kJpeg;
  }
  if (s == "png") return ImageFormat::kPng;
  if (s == "gif") return ImageFormat::kGif;
  if (s == "bmp" || s == "x-bmp" || s == "dib") return ImageFormat::kBmp;
  if (s == "tga" || s == "x-tga" || s == "targa" || s == "icb" || s == "vda") {
    return ImageFormat::kTga;
  }
  if (s == "psd" || s == "vnd.adobe.photoshop") return ImageFormat::kPsd;
  if (s == "webp") return ImageFormat::kWebp;
  return ImageFormat::kUnknown;
}

}  // namespace imgpipe
