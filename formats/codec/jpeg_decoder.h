// JPEG decoding with TurboJPEG: header info, DCT-domain downscaling, CMYK/YCCK to RGB.
#pragma once

#include <cstdint>
#include <span>

#include "formats/codec/decode_types.h"
#include "libcommon/result.h"

namespace imgpipe {

// Reads the header only (no pixel buffer). channels: 1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK.
Result<ImageInfo> ReadJpegInfo(std::span<const uint8_t> bytes);

// The TurboJPEG scaling factor (num/denom among 1/8, 1/4, 1/2, 1) with the smallest output whose
// long side is still >= min_long_side; 1/1 when min_long_side <= 0 or nothing smaller fits.
void ChooseJpegScale(int width, int height, int min_long_side, int* num, int* denom);

// Decodes to options.channels (1/3/4). CMYK and YCCK are converted to RGB (see pixel_convert.h
// for the Adobe inversion). A file without its end-of-image marker is "truncated" unless
// options.allow_truncated (then the missing rows come out as TurboJPEG fills them: grey).
Result<DecodedImage> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options);

}  // namespace imgpipe
