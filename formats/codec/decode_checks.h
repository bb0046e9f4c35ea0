// Checks every decoder makes before allocating: sane options and the pixel-count limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/codec/decode_types.h"
#include "libcommon/result.h"

namespace imgpipe {

// "unsupported" unless channels is 1, 3 or 4 and max_pixels > 0.
Status ValidateDecodeOptions(const DecodeOptions& options);

// "too-large" when width*height exceeds options.max_pixels; "corrupt" for non-positive sizes.
Status CheckPixelLimit(const ImageInfo& info, const DecodeOptions& options);

// Sizes `buffer` to `bytes` without throwing: a failed allocation becomes "too-large".
Status AllocateBuffer(std::vector<uint8_t>& buffer, size_t bytes);

}  // namespace imgpipe
