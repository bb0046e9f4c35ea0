// libwebp-backed decoder: RIFF size check for truncation, decode into our own buffer.
#include "formats/codec/webp_decoder.h"

#include <webp/decode.h>

#include <string>
#include <vector>

#include "formats/codec/decode_checks.h"
#include "formats/codec/exif.h"
#include "formats/codec/pixel_convert.h"

namespace imgpipe {
namespace {

const char* StatusName(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OK:
      return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
      return "suspended";
    case VP8_STATUS_USER_ABORT:
      return "user abort";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "not enough data";
  }
  return "unknown status";
}

Error FromStatus(VP8StatusCode s, size_t size) {
  switch (s) {
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return MakeError("truncated",
                       "truncated WebP (not enough data in " + std::to_string(size) + " bytes)");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return MakeError("unsupported", "unsupported WebP (libwebp: unsupported feature)");
    case VP8_STATUS_OUT_OF_MEMORY:
      return MakeError("too-large", "WebP too large to decode (libwebp: out of memory)");
    default:
      return MakeError("corrupt", std::string("corrupt WebP (libwebp: ") + StatusName(s) + ")");
  }
}

// Bytes the RIFF header promises (size field + 8), or 0 when there is no RIFF header.
size_t RiffTotal(std::span<const uint8_t> b) {
  if (b.size() < 12) return 0;
  const uint32_t size = b[4] | (b[5] << 8) | (b[6] << 16) | (uint32_t(b[7]) << 24);
  return size_t(size) + 8;
}

}  // namespace

Result<ImageInfo> ReadWebpInfo(std::span<const uint8_t> bytes) {
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (status != VP8_STATUS_OK) return FromStatus(status, bytes.size());
  ImageInfo info;
  info.format = ImageFormat::kWebp;
  info.width = features.width;
  info.height = features.height;
  info.channels = features.has_alpha ? 4 : 3;
  info.bits_per_sample = 8;
  info.orientation = ParseExifOrientation(bytes);
  if (features.has_animation) {
    return MakeError("unsupported", "unsupported WebP (animated WebP is not decoded)");
  }
  return info;
}

Result<DecodedImage> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  if (Status s = ValidateDecodeOptions(options); !s) return s.error();
  Result<ImageInfo> info = ReadWebpInfo(bytes);
  if (!info) return info.error();
  if (Status s = CheckPixelLimit(*info, options); !s) return s.error();
  const size_t riff_total = RiffTotal(bytes);
  if (!options.allow_truncated && riff_total > bytes.size()) {
    return MakeError("truncated", "truncated WebP (RIFF header promises " +
                                      std::to_string(riff_total) + " bytes, got " +
                                      std::to_string(bytes.size()) + ")");
  }

  DecodedImage out;
  out.info = *info;
  const int w = info->width, h = info->height;
  const size_t pixels = size_t(w) * h;
  const int decode_channels = options.channels == 1 ? 3 : options.channels;
  std::vector<uint8_t> rgb;
  std::vector<uint8_t>& target = options.channels == 1 ? rgb : out.image.data;
  if (Status s = AllocateBuffer(target, pixels * decode_channels); !s) return s.error();

  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return MakeError("unsupported", "libwebp version mismatch");
  config.output.colorspace = decode_channels == 4 ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = target.data();
  config.output.u.RGBA.stride = w * decode_channels;
  config.output.u.RGBA.size = target.size();
  // The incremental decoder would hand back a partial image on short data; the one-shot decoder
  // fails with NOT_ENOUGH_DATA instead, which is what we want unless truncation is allowed.
  VP8StatusCode status;
  if (options.allow_truncated) {
    WebPIDecoder* idec = WebPIDecode(nullptr, 0, &config);
    if (idec == nullptr) return MakeError("unsupported", "cannot create WebP decoder");
    status = WebPIUpdate(idec, bytes.data(), bytes.size());
    WebPIDelete(idec);
    if (status == VP8_STATUS_SUSPENDED) status = VP8_STATUS_OK;  // partial image accepted
  } else {
    status = WebPDecode(bytes.data(), bytes.size(), &config);
  }
  WebPFreeDecBuffer(&config.output);  // external memory: frees nothing of ours
  if (status != VP8_STATUS_OK) return FromStatus(status, bytes.size());

  out.image.width = w;
  out.image.height = h;
  out.image.channels = options.channels;
  out.image.type = SampleType::kU8;
  if (options.channels == 1) {
    if (Status s = AllocateBuffer(out.image.data, pixels); !s) return s.error();
    ConvertChannels(rgb.data(), 3, out.image.data.data(), 1, pixels);
  }
  return out;
}

}  // namespace imgpipe
