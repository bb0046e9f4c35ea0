// Dispatch from sniffed format to the JPEG, stb and WebP decoders.
#include "formats/codec/decode.h"

#include <string>

#include "formats/codec/jpeg_decoder.h"
#include "formats/codec/stb_decoder.h"
#include "formats/codec/webp_decoder.h"

namespace imgpipe {
namespace {

Error Unrecognised(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return MakeError("truncated", "empty image data (0 bytes)");
  return MakeError("unsupported", "unrecognised image format (" + std::to_string(bytes.size()) +
                                      " bytes, no known signature)");
}

}  // namespace

Result<ImageInfo> ReadImageInfo(std::span<const uint8_t> bytes) {
  const ImageFormat format = SniffFormat(bytes);
  switch (format) {
    case ImageFormat::kJpeg:
      return ReadJpegInfo(bytes);
    case ImageFormat::kWebp:
      return ReadWebpInfo(bytes);
    case ImageFormat::kUnknown:
      return Unrecognised(bytes);
    default:
      return ReadStbInfo(bytes, format);
  }
}

Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  const ImageFormat format = SniffFormat(bytes);
  switch (format) {
    case ImageFormat::kJpeg:
      return DecodeJpeg(bytes, options);
    case ImageFormat::kWebp:
      return DecodeWebp(bytes, options);
    case ImageFormat::kUnknown:
      return Unrecognised(bytes);
    default:
      return DecodeStb(bytes, format, options);
  }
}

}  // namespace imgpipe
