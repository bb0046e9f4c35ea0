// Small pixel-format conversions the codecs need after decoding (gray, alpha, CMYK).
#pragma once

#include <cstddef>
#include <cstdint>

namespace imgpipe {

// Luma as stb_image computes it (ITU-R BT.601 weights, 8-bit fixed point), so gray output is
// the same whichever decoder produced the colour pixels.
inline uint8_t LumaOf(uint8_t r, uint8_t g, uint8_t b) {
  return uint8_t((r * 77 + g * 150 + b * 29) >> 8);
}

// Converts `pixels` interleaved pixels from `in_channels` (1..4; 2 and 4 carry alpha) to
// `out_channels` (1..4). Alpha is dropped when the output has none and set opaque when the input
// has none. `out` must not alias `in`.
void ConvertChannels(const uint8_t* in, int in_channels, uint8_t* out, int out_channels,
                     size_t pixels);

// CMYK as libjpeg(-turbo) hands it out of an Adobe JPEG is inverted (0 = full ink), so
// R = C*K/255 etc. For a JPEG without the Adobe marker the samples are plain ink amounts and are
// inverted first (`inverted` = false). Writes 1, 3 or 4 channels (4: alpha opaque).
void CmykToChannels(const uint8_t* cmyk, bool inverted, uint8_t* out, int out_channels,
                    size_t pixels);

}  // namespace imgpipe
