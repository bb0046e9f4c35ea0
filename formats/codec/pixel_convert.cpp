// Channel-count and CMYK conversions for decoded pixels.
#include "formats/codec/pixel_convert.h"

namespace imgpipe {

void ConvertChannels(const uint8_t* in, int in_channels, uint8_t* out, int out_channels,
                     size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, in += in_channels, out += out_channels) {
    uint8_t r, g, b, a = 255;
    if (in_channels <= 2) {
      r = g = b = in[0];
      if (in_channels == 2) a = in[1];
    } else {
      r = in[0];
      g = in[1];
      b = in[2];
      if (in_channels == 4) a = in[3];
    }
    switch (out_channels) {
      case 1:
        out[0] = in_channels <= 2 ? r : LumaOf(r, g, b);
        break;
      case 2:
        out[0] = in_channels <= 2 ? r : LumaOf(r, g, b);
        out[1] = a;
        break;
      case 3:
        out[0] = r;
        out[1] = g;
        out[2] = b;
        break;
      default:
        out[0] = r;
        out[1] = g;
        out[2] = b;
        out[3] = a;
        break;
    }
  }
}

void CmykToChannels(const uint8_t* cmyk, bool inverted, uint8_t* out, int out_channels,
                    size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, cmyk += 4, out += out_channels) {
    int c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
    if (!inverted) {
      c = 255 - c;
      m = 255 - m;
      y = 255 - y;
      k = 255 - k;
    }
    // +127 rounds to nearest; with inverted samples c*k/255 is the remaining light.
    const uint8_t r = uint8_t((c * k + 127) / 255);
    const uint8_t g = uint8_t((m * k + 127) / 255);
    const uint8_t b = uint8_t((y * k + 127) / 255);
    if (out_channels == 1) {
      out[0] = LumaOf(r, g, b);
    } else {
      out[0] = r;
      out[1] = g;
      out[2] = b;
      if (out_channels == 4) out[3] = 255;
    }
  }
}

}  // namespace imgpipe
