// WebP decoding with libwebp (still images; animated WebP is reported as unsupported).
#pragma once

#include <cstdint>
#include <span>

#include "formats/codec/decode_types.h"
#include "libcommon/result.h"

namespace imgpipe {

// Header only (WebPGetFeatures). channels: 4 when the file has alpha, else 3.
Result<ImageInfo> ReadWebpInfo(std::span<const uint8_t> bytes);

// Decodes straight into the output buffer; gray output is computed from RGB. A file shorter than
// its RIFF size field is "truncated" unless options.allow_truncated.
Result<DecodedImage> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options);

}  // namespace imgpipe
