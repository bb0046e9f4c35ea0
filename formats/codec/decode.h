// The front door for decoding: sniff the format, read headers, decode with the right codec.
#pragma once

#include <cstdint>
#include <span>

#include "formats/codec/decode_types.h"
#include "formats/codec/sniff.h"
#include "libcommon/result.h"

namespace imgpipe {

// Headers only; allocates no pixel buffer. Errors: "unsupported" (unknown format), "truncated",
// "corrupt".
Result<ImageInfo> ReadImageInfo(std::span<const uint8_t> bytes);

// Decodes JPEG, PNG, GIF (first frame), BMP, TGA, PSD and WebP. Error codes: "corrupt",
// "truncated", "unsupported", "too-large"; the message is one line naming format and problem.
// Never reads outside `bytes`. EXIF orientation is reported in info, not applied.
Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options);

}  // namespace imgpipe
