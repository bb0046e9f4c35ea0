// Scalar reference resizers: the definitions of area and bilinear resampling, written plainly.
#include "libcommon/kernels/resize_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace imgpipe {
namespace {

struct Tap {
  int index;
  double weight;
};

// Output pixel o of an axis covers source interval [o*src/dst, (o+1)*src/dst); each source
// pixel i contributes the length of its overlap with that interval, normalised by its length.
std::vector<std::vector<Tap>> AreaTaps(int src, int dst) {
  std::vector<std::vector<Tap>> taps(dst);
  const double scale = double(src) / dst;
  for (int o = 0; o < dst; ++o) {
    const double lo = double(o) * src / dst;
    const double hi = double(o + 1) * src / dst;
    for (int i = std::max(0, int(std::floor(lo))); i < src && i < hi; ++i) {
      const double overlap = std::min(hi, i + 1.0) - std::max(lo, double(i));
      if (overlap > 0) taps[o].push_back({i, overlap / scale});
    }
  }
  return taps;
}

// Pixel centres sit at +0.5; the sample position is clamped to the first/last centre.
std::vector<std::vector<Tap>> BilinearTaps(int src, int dst) {
  std::vector<std::vector<Tap>> taps(dst);
  for (int o = 0; o < dst; ++o) {
    double pos = (o + 0.5) * src / dst - 0.5;
    pos = std::clamp(pos, 0.0, double(src - 1));
    const int i0 = int(std::floor(pos));
    const double frac = pos - i0;
    taps[o].push_back({i0, 1.0 - frac});
    if (i0 + 1 < src && frac > 0) taps[o].push_back({i0 + 1, frac});
  }
  return taps;
}

template <typename T>
void Apply2D(const Image& src, const std::vector<std::vector<Tap>>& tx,
             const std::vector<std::vector<Tap>>& ty, Image* dst) {
  const int c = src.channels;
  const double max_value = sizeof(T) == 1 ? 255.0 : 65535.0;
  std::vector<T> in(size_t(src.width) * src.height * c);
  std::memcpy(in.data(), src.data.data(), in.size() * sizeof(T));
  std::vector<T> out(size_t(dst->width) * dst->height * c);
  for (int y = 0; y < dst->height; ++y) {
    for (int x = 0; x < dst->width; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        double sum = 0;
        for (const Tap& wy : ty[y]) {
          for (const Tap& wx : tx[x]) {
            sum += wy.weight * wx.weight * in[(size_t(wy.index) * src.width + wx.index) * c + ch];
          }
        }
        out[(size_t(y) * dst->width + x) * c + ch] =
            T(std::clamp(std::floor(sum + 0.5), 0.0, max_value));
      }
    }
  }
  std::memcpy(dst->data.data(), out.data(), out.size() * sizeof(T));
}

template <typename MakeTaps>
void ResizeReference(const Image& src_in, Image* dst, MakeTaps make_taps) {
  const Image src = src_in;  // dst may alias src
  const int w = dst->width, h = dst->height;
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 || w <= 0 || h <= 0) {
    dst->Allocate(0, 0, src.channels, src.type);
    return;
  }
  dst->Allocate(w, h, src.channels, src.type);
  const auto tx = make_taps(src.width, w);
  const auto ty = make_taps(src.height, h);
  if (src.type == SampleType::kU8) {
    Apply2D<uint8_t>(src, tx, ty, dst);
  } else {
    Apply2D<uint16_t>(src, tx, ty, dst);
  }
}

}  // namespace

void ResizeAreaReference(const Image& src, Image* dst) { ResizeReference(src, dst, AreaTaps); }

void ResizeBilinearReference(const Image& src, Image* dst) {
  ResizeReference(src, dst, BilinearTaps);
}

}  // namespace imgpipe
