// EXIF orientation as a strided pixel copy; transposing cases copy in tiles to stay in cache.
#include "libcommon/kernels/orient.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace imgpipe {
namespace {

// Output pixel (x, y) is source pixel start + x * step_x + y * step_y (in pixels).
struct Walk {
  ptrdiff_t start, step_x, step_y;
  bool transposed;
};

Walk MakeWalk(int o, ptrdiff_t w, ptrdiff_t h) {
  switch (o) {
    case 2:
      return {w - 1, -1, w, false};
    case 3:
      return {(h - 1) * w + w - 1, -1, -w, false};
    case 4:
      return {(h - 1) * w, 1, -w, false};
    case 5:
      return {0, w, 1, true};
    case 6:
      return {(h - 1) * w, -w, 1, true};
    case 7:
      return {(h - 1) * w + w - 1, -w, -1, true};
    case 8:
      return {w - 1, w, -1, true};
    default:
      return {0, 1, w, false};
  }
}

template <size_t kPixelBytes>
void CopyPixel(uint8_t* dst, const uint8_t* src, size_t pixel_bytes) {
  if constexpr (kPixelBytes == 0) {
    std::memcpy(dst, src, pixel_bytes);
  } else {
    std::memcpy(dst, src, kPixelBytes);  // fixed size: compiles to one move
  }
}

// kPixelBytes == 0 means "use pixel_bytes at run time" for unusual channel counts.
template <size_t kPixelBytes>
void Walk2D(const uint8_t* src, const Walk& walk, int out_w, int out_h, size_t pixel_bytes,
            uint8_t* dst) {
  const size_t pb = kPixelBytes ? kPixelBytes : pixel_bytes;
  // Transposing walks read a column of the source per output row; a 64x64 tile keeps the
  // touched source lines (64 of them) in L1 while a tile's worth of output is written.
  // Non-transposing walks are sequential on both sides, so whole rows are the best tile.
  const int tile_w = walk.transposed ? 64 : out_w;
  const int tile_h = walk.transposed ? 64 : out_h;
  for (int ty = 0; ty < out_h; ty += tile_h) {
    const int y_end = std::min(out_h, ty + tile_h);
    for (int tx = 0; tx < out_w; tx += tile_w) {
      const int x_end = std::min(out_w, tx + tile_w);
      for (int y = ty; y < y_end; ++y) {
        uint8_t* d = dst + (size_t(y) * out_w + tx) * pb;
        ptrdiff_t s = walk.start + tx * walk.step_x + y * walk.step_y;
        for (int x = tx; x < x_end; ++x, s += walk.step_x, d += pb) {
          CopyPixel<kPixelBytes>(d, src + s * ptrdiff_t(pb), pb);
        }
      }
    }
  }
}

}  // namespace

int InverseOrientation(int exif_orientation) {
  if (exif_orientation == 6) return 8;
  if (exif_orientation == 8) return 6;
  return exif_orientation >= 1 && exif_orientation <= 8 ? exif_orientation : 1;
}

Image ApplyOrientation(const Image& src, int exif_orientation) {
  const int o = (exif_orientation >= 1 && exif_orientation <= 8) ? exif_orientation : 1;
  if (o == 1 || src.width <= 0 || src.height <= 0) return src;
  const Walk walk = MakeWalk(o, src.width, src.height);
  const int out_w = walk.transposed ? src.height : src.width;
  const int out_h = walk.transposed ? src.width : src.height;
  Image dst;
  dst.Allocate(out_w, out_h, src.channels, src.type);
  const size_t pb = size_t(src.channels) * SampleBytes(src.type);
  const uint8_t* s = src.data.data();
  uint8_t* d = dst.data.data();
  if (o == 4) {  // vertical mirror: whole rows stay intact
    const size_t row = src.RowBytes();
    for (int y = 0; y < out_h; ++y) std::memcpy(d + y * row, s + (out_h - 1 - y) * row, row);
    return dst;
  }
  switch (pb) {
    case 1:
      Walk2D<1>(s, walk, out_w, out_h, pb, d);
      break;
    case 2:
      Walk2D<2>(s, walk, out_w, out_h, pb, d);
      break;
    case 3:
      Walk2D<3>(s, walk, out_w, out_h, pb, d);
      break;
    case 4:
      Walk2D<4>(s, walk, out_w, out_h, pb, d);
      break;
    case 6:
      Walk2D<6>(s, walk, out_w, out_h, pb, d);
      break;
    case 8:
      Walk2D<8>(s, walk, out_w, out_h, pb, d);
      break;
    default:
      Walk2D<0>(s, walk, out_w, out_h, pb, d);
      break;
  }
  return dst;
}

}  // namespace imgpipe
