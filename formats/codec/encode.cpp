// Image encoders: TurboJPEG for JPEG, stb_image_write for 8-bit PNG, a chunk writer around stb's
// deflate for 16-bit PNG (stb_image_write has no 16-bit output), libwebp for WebP.
#include "formats/codec/encode.h"

#include <stb/stb_image_write.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "formats/codec/pixel_convert.h"

// Exported by Debian's libstb (the stb_image_write implementation) but only declared inside the
// header's implementation section.
extern "C" unsigned char* stbi_zlib_compress(unsigned char* data, int data_len, int* out_len,
                                             int quality);

namespace imgpipe {
namespace {

Status ValidateImage(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4) {
    return MakeError("unsupported", "cannot encode a " + std::to_string(image.width) + "x" +
                                        std::to_string(image.height) + "x" +
                                        std::to_string(image.channels) + " image");
  }
  if (image.data.size() != image.SizeBytes()) {
    return MakeError("corrupt", "image buffer holds " + std::to_string(image.data.size()) +
                                    " bytes, expected " + std::to_string(image.SizeBytes()));
  }
  if (image.SizeBytes() > size_t(INT_MAX) / 2) {
    return MakeError("too-large",
                     "image too large to encode (" + std::to_string(image.SizeBytes()) + " bytes)");
  }
  return Status::Ok();
}

// Copies `image` to `channels` channels (u8 only).
std::vector<uint8_t> WithChannels(const Image& image, int channels) {
  const size_t pixels = size_t(image.width) * image.height;
  std::vector<uint8_t> out(pixels * channels);
  ConvertChannels(image.data.data(), image.channels, out.data(), channels, pixels);
  return out;
}

Result<std::vector<uint8_t>> EncodeJpeg(const Image& image, const EncodeOptions& options) {
  int samp;
  switch (options.subsampling) {
    case 420:
      samp = TJSAMP_420;
      break;
    case 422:
      samp = TJSAMP_422;
      break;
    case 444:
      samp = TJSAMP_444;
      break;
    default:
      return MakeError("unsupported", "JPEG subsampling must be 420, 422 or 444 (got " +
                                          std::to_string(options.subsampling) + ")");
  }
  std::vector<uint8_t> converted;
  const uint8_t* src = image.data.data();
  int pixel_format = TJPF_RGB;
  switch (image.channels) {
    case 1:
      pixel_format = TJPF_GRAY;
      samp = TJSAMP_GRAY;
      break;
    case 2:  // JPEG has no alpha
      converted = WithChannels(image, 1);
      src = converted.data();
      pixel_format = TJPF_GRAY;
      samp = TJSAMP_GRAY;
      break;
    case 3:
      pixel_format = TJPF_RGB;
      break;
    default:
      pixel_format = TJPF_RGBA;
      break;  // alpha ignored
  }
  tjhandle tj = tjInitCompress();
  if (tj == nullptr) return MakeError("unsupported", "cannot initialise TurboJPEG");
  unsigned char* jpeg = nullptr;
  unsigned long jpeg_size = 0;
  const int flags = TJFLAG_ACCURATEDCT | (options.progressive ? TJFLAG_PROGRESSIVE : 0);
  const int quality = std::clamp(options.quality, 1, 100);
  const int rc = tjCompress2(tj, src, image.width, 0, image.height, pixel_format, &jpeg, &jpeg_size,
                             samp, quality, flags);
  Result<std::vector<uint8_t>> result = std::vector<uint8_t>();
  if (rc != 0) {
    result =
        MakeError("unsupported", std::string("JPEG encoding failed (") + tjGetErrorStr2(tj) + ")");
  } else {
    result = std::vector<uint8_t>(jpeg, jpeg + jpeg_size);
  }
  tjFree(jpeg);
  tjDestroy(tj);
  return result;
}

void AppendToVector(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

uint32_t Crc32(const uint8_t* data, size_t n, uint32_t crc = 0) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void PutBe32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void PutChunk(std::vector<uint8_t>& out, const char* type, const uint8_t* data, size_t n) {
  PutBe32(out, uint32_t(n));
  const size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  if (n > 0) out.insert(out.end(), data, data + n);
  PutBe32(out, Crc32(out.data() + type_at, n + 4));
}

Result<std::vector<uint8_t>> EncodePng16(const Image& image) {
  static const uint8_t kColorType[5] = {0, 0, 4, 2, 6};
  const size_t row_samples = size_t(image.width) * image.channels;
  std::vector<uint8_t> raw;
  raw.reserve((row_samples * 2 + 1) * image.height);
  const auto* samples = reinterpret_cast<const uint16_t*>(image.data.data());
  for (int y = 0; y < image.height; ++y) {
    raw.push_back(0);  // filter: none
    const uint16_t* row = samples + size_t(y) * row_samples;
    for (size_t i = 0; i < row_samples; ++i) {
      raw.push_back(uint8_t(row[i] >> 8));  // PNG samples are big-endian
      raw.push_back(uint8_t(row[i]));
    }
  }
  int zlen = 0;
  unsigned char* z = stbi_zlib_compress(raw.data(), int(raw.size()), &zlen, 8);
  if (z == nullptr) return MakeError("too-large", "PNG deflate failed (out of memory)");
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  PutBe32(ihdr, uint32_t(image.width));
  PutBe32(ihdr, uint32_t(image.height));
  ihdr.insert(ihdr.end(), {16, kColorType[image.channels], 0, 0, 0});
  PutChunk(out, "IHDR", ihdr.data(), ihdr.size());
  PutChunk(out, "IDAT", z, size_t(zlen));
  PutChunk(out, "IEND", nullptr, 0);
  std::free(z);
  return out;
}

Result<std::vector<uint8_t>> EncodePng(const Image& image) {
  if (image.type == SampleType::kU16) return EncodePng16(image);
  std::vector<uint8_t> out;
  if (!stbi_write_png_to_func(AppendToVector, &out, image.width, image.height, image.channels,
                              image.data.data(), int(image.RowBytes()))) {
    return MakeError("unsupported", "PNG encoding failed");
  }
  return out;
}

Result<std::vector<uint8_t>> EncodeWebp(const Image& image, const EncodeOptions& options) {
  if (image.width > WEBP_MAX_DIMENSION || image.height > WEBP_MAX_DIMENSION) {
    return MakeError("unsupported", "WebP cannot hold " + std::to_string(image.width) + "x" +
                                        std::to_string(image.height) + " (max side " +
                                        std::to_string(WEBP_MAX_DIMENSION) + ")");
  }
  const bool alpha = image.channels == 2 || image.channels == 4;
  const int channels = alpha ? 4 : 3;
  std::vector<uint8_t> converted;
  const uint8_t* src = image.data.data();
  if (image.channels != channels) {
    converted = WithChannels(image, channels);
    src = converted.data();
  }
  const int stride = image.width * channels;
  const float quality = float(std::clamp(options.quality, 1, 100));
  uint8_t* webp = nullptr;
  size_t size;
  if (options.lossless) {
    size = alpha ? WebPEncodeLosslessRGBA(src, image.width, image.height, stride, &webp)
                 : WebPEncodeLosslessRGB(src, image.width, image.height, stride, &webp);
  } else {
    size = alpha ? WebPEncodeRGBA(src, image.width, image.height, stride, quality, &webp)
                 : WebPEncodeRGB(src, image.width, image.height, stride, quality, &webp);
  }
  if (size == 0 || webp == nullptr) {
    WebPFree(webp);
    return MakeError("unsupported", "WebP encoding failed");
  }
  std::vector<uint8_t> out(webp, webp + size);
  WebPFree(webp);
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeImage(const Image& image, ImageFormat format,
                                         const EncodeOptions& options) {
  if (Status s = ValidateImage(image); !s) return s.error();
  if (image.type == SampleType::kU16 && format != ImageFormat::kPng) {
    return MakeError("unsupported", std::string("16-bit images can be encoded only as PNG, not ") +
                                        NameOf(format));
  }
  switch (format) {
    case ImageFormat::kJpeg:
      return EncodeJpeg(image, options);
    case ImageFormat::kPng:
      return EncodePng(image);
    case ImageFormat::kWebp:
      return EncodeWebp(image, options);
    default:
      return MakeError("unsupported",
                       std::string("encoding to ") + NameOf(format) + " is not supported");
  }
}

}  // namespace imgpipe
