// The types shared by the image decoders: what a header says, how to decode, what comes out.
#pragma once

#include <cstdint>

#include "formats/codec/sniff.h"
#include "libcommon/image.h"

namespace imgpipe {

struct ImageInfo {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;
  int height = 0;
  int channels = 0;         // as stored: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha or CMYK
  int bits_per_sample = 8;  // 16 for 16-bit PNG/PSD
  int orientation = 1;      // EXIF 1..8, 1 if none; reported only, never applied here
};

struct DecodeOptions {
  int channels = 3;                // output: 1 gray, 3 RGB, 4 RGBA (converted as needed)
  bool keep_16bit = false;         // 16-bit sources give a kU16 image only when true
  int64_t max_pixels = 178956970;  // width*height limit, checked from the header before allocating
  int min_long_side = 0;           // JPEG only: smallest DCT scale whose long side stays >= this
  bool allow_truncated = false;    // otherwise truncated data is an error, never half an image
};

struct DecodedImage {
  Image image;
  ImageInfo info;     // of the encoded image (full size, as stored)
  int scale_num = 1;  // image = info size * scale_num / scale_denom (rounded up), JPEG only
  int scale_denom = 1;
};

}  // namespace imgpipe
