// Option validation, the pixel-bomb check and exception-free allocation for the decoders.
#include "formats/codec/decode_checks.h"

#include <new>
#include <stdexcept>
#include <string>

namespace imgpipe {

Status ValidateDecodeOptions(const DecodeOptions& o) {
  if (o.channels != 1 && o.channels != 3 && o.channels != 4) {
    return MakeError("unsupported",
                     "decode channels must be 1, 3 or 4 (got " + std::to_string(o.channels) + ")");
  }
  if (o.max_pixels <= 0) return MakeError("unsupported", "max_pixels must be positive");
  return Status::Ok();
}

Status CheckPixelLimit(const ImageInfo& info, const DecodeOptions& o) {
  if (info.width <= 0 || info.height <= 0) {
    return MakeError("corrupt", std::string("corrupt ") + NameOf(info.format) +
                                    " header (image size " + std::to_string(info.width) + "x" +
                                    std::to_string(info.height) + ")");
  }
  const int64_t pixels = int64_t(info.width) * info.height;
  if (pixels > o.max_pixels) {
    return MakeError("too-large", std::string(NameOf(info.format)) + " image is " +
                                      std::to_string(info.width) + "x" +
                                      std::to_string(info.height) + " = " + std::to_string(pixels) +
                                      " pixels, over the limit of " + std::to_string(o.max_pixels));
  }
  return Status::Ok();
}

Status AllocateBuffer(std::vector<uint8_t>& buffer, size_t bytes) {
  try {
    buffer.assign(bytes, 0);
  } catch (const std::bad_alloc&) {
    return MakeError("too-large", "cannot allocate " + std::to_string(bytes) + " bytes for pixels");
  } catch (const std::length_error&) {
    return MakeError("too-large", "cannot allocate " + std::to_string(bytes) + " bytes for pixels");
  }
  return Status::Ok();
}

}  // namespace imgpipe
