// Test-only image fixtures: deterministic pictures and hand-made encodings of every format we read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "libcommon/image.h"

namespace imgpipe::testing {

using Bytes = std::vector<uint8_t>;

// A deterministic smooth gradient with a disc and a bar, so codecs have both flat areas and
// edges. channels 1..4 (alpha varies across the image); u16 uses the full 16-bit range.
Image MakePattern(int width, int height, int channels, bool u16 = false);

// JPEG via the libjpeg API (not TurboJPEG, so restart markers and CMYK are possible).
struct JpegFixtureOptions {
  int quality = 95;
  bool progressive = false;
  int subsampling = 420;     // 420, 422 or 444 (ignored for gray)
  int restart_interval = 0;  // in MCUs; 0 = none
  bool cmyk = false;         // write inverted (Adobe) CMYK from an RGB image
  bool ycck = false;         // with cmyk: store as YCCK instead of plain CMYK
};
// `image` must be u8 with 1 (gray) or 3 (RGB) channels.
Bytes MakeJpeg(const Image& image, const JpegFixtureOptions& options = {});
// The RGB picture a decoder should produce from MakeJpeg(image, {.cmyk = true}), up to JPEG loss
// (the CMYK values are quantised before they are stored).
Image CmykRoundTripExpectation(const Image& rgb);

// Our own PNG writer: stored (uncompressed) deflate blocks, adler32 and crc32 by hand.
// u8/u16 with 1 (gray), 2 (gray+alpha), 3 (RGB), 4 (RGBA) channels.
Bytes MakePng(const Image& image);
// Palette PNG (8-bit indices) with PLTE and, when any entry has alpha < 255, tRNS.
Bytes MakePalettePng(int width, int height, const std::vector<uint8_t>& indices,
                     const std::vector<std::array<uint8_t, 4>>& palette_rgba);
// A palette and index picture to go with it; `expected_rgba` is what decoding must yield.
struct PaletteFixture {
  int width = 0, height = 0;
  std::vector<uint8_t> indices;
  std::vector<std::array<uint8_t, 4>> palette;
  Image expected_rgba;
};
PaletteFixture MakePalettePattern(int width, int height, bool with_alpha);
// A PNG whose IHDR claims width x height but whose IDAT is tiny (pixel-bomb tests).
Bytes MakePngHeaderBomb(uint32_t width, uint32_t height);
// Wraps raw chunk data with length, type and CRC.
void AppendPngChunk(Bytes& png, const char type[4], const Bytes& data);

// Our own GIF89a writer: global palette of up to 256 colours, LZW written with a clear code
// every 128 codes so codes stay 9 bits wide. transparent_index < 0 for none.
Bytes MakeGif(int width, int height, const std::vector<uint8_t>& indices,
              const std::vector<std::array<uint8_t, 3>>& palette, int transparent_index = -1);

// Other stb formats, for sniffing and decode tests (BMP/TGA via stb_image_write, PSD by hand).
Bytes MakeBmp(const Image& image);  // u8, 3 or 4 channels
Bytes MakeTga(const Image& image);  // u8, uncompressed
Bytes MakePsd(const Image& image);  // u8 RGB, raw (uncompressed) planes

// WebP via libwebp (u8, 3 or 4 channels).
Bytes MakeWebp(const Image& image, bool lossless, int quality = 90);

// Adds an APP1 Exif segment with orientation `orientation` (wraps AddExifOrientation).
Bytes InsertExifOrientation(const Bytes& jpeg, int orientation);

// The first n bytes.
Bytes Truncate(const Bytes& bytes, size_t n);
// A copy with bit `bit` (counted from the first byte's least-significant bit) inverted.
Bytes FlipBit(const Bytes& bytes, size_t bit);

// Comparisons for tests.
double Psnr(const Image& a, const Image& b);     // u8 images of equal shape; 99 when identical
int MaxAbsDiff(const Image& a, const Image& b);  // u8 or u16, equal shape; -1 if shapes differ

}  // namespace imgpipe::testing
