// PNG, GIF (first frame), BMP, TGA and PSD decoding with stb_image, plus structural checks that
// stb itself does not make (it silently zero-fills missing data for several formats).
#pragma once

#include <cstdint>
#include <span>

#include "formats/codec/decode_types.h"
#include "libcommon/result.h"

namespace imgpipe {

// Header only. PNG headers are parsed here (bit depth, colour type, tRNS); the others via
// stbi_info_from_memory.
Result<ImageInfo> ReadStbInfo(std::span<const uint8_t> bytes, ImageFormat format);

// "truncated" when the container shows that data is missing: PNG without a complete IEND chunk,
// GIF whose first image's data blocks run past the end, uncompressed BMP/TGA/PSD shorter than their
// pixel array. RLE-compressed BMP/TGA/PSD cannot be checked without decoding them.
Status CheckStbComplete(std::span<const uint8_t> bytes, ImageFormat format);

// Decodes to options.channels (stb converts palette, gray+alpha, etc.). 16-bit sources give a
// kU16 image only with options.keep_16bit.
Result<DecodedImage> DecodeStb(std::span<const uint8_t> bytes, ImageFormat format,
                               const DecodeOptions& options);

}  // namespace imgpipe
