// NormalizeReference: one output element at a time, in double, straight from the definitions.
#include "libcommon/kernels/normalize_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace imgpipe {
namespace {

double SampleAt(const Image& img, int x, int y, int c) {
  const size_t i = (size_t(y) * img.width + x) * img.channels + c;
  if (img.type == SampleType::kU8) return img.data[i];
  uint16_t v;
  std::memcpy(&v, img.data.data() + 2 * i, 2);
  return v;
}

bool UseArea(NormFilter f, int resized, int src) {
  return f == NormFilter::kArea || (f == NormFilter::kAuto && resized <= src);
}

// 1-D weights of source pixels for resized coordinate r (size `resized` from `src`).
std::vector<std::pair<int, double>> Weights(int src, int resized, int r, bool area) {
  std::vector<std::pair<int, double>> w;
  if (resized == src) return {{r, 1.0}};
  if (area) {
    const double lo = double(r) * src / resized, hi = double(r + 1) * src / resized;
    double total = 0;
    for (int i = std::max(0, int(std::floor(lo))); i < src && i < hi; ++i) {
      const double ov = std::min(hi, i + 1.0) - std::max(lo, double(i));
      if (ov > 1e-12) w.push_back({i, ov}), total += ov;
    }
    for (auto& [i, v] : w) v /= total;
  } else {
    double pos = (r + 0.5) * src / resized - 0.5;
    pos = std::min(std::max(pos, 0.0), double(src - 1));
    const int i0 = int(std::floor(pos));
    const double f = pos - i0;
    w.push_back({i0, 1.0 - f});
    if (i0 + 1 < src) w.push_back({i0 + 1, f});
  }
  return w;
}

}  // namespace

std::vector<double> NormalizeReference(const Image& src, const NormSpec& spec,
                                       const NormGeometry& g) {
  const double max_sample = src.type == SampleType::kU8 ? 255.0 : 65535.0;
  const int W = g.out_w, H = g.out_h;
  std::vector<double> out(size_t(3) * W * H);
  for (int y = 0; y < H; ++y) {
    const bool row_in = y >= g.inner_y && y < g.inner_y + g.inner_h;
    std::vector<std::pair<int, double>> wy;
    if (row_in)
      wy = Weights(src.height, g.resized_h, y - g.inner_y + g.crop_y,
                   UseArea(spec.filter, g.resized_h, src.height));
    for (int x = 0; x < W; ++x) {
      const bool in = row_in && x >= g.inner_x && x < g.inner_x + g.inner_w;
      std::vector<std::pair<int, double>> wx;
      if (in)
        wx = Weights(src.width, g.resized_w, x - g.inner_x + g.crop_x,
                     UseArea(spec.filter, g.resized_w, src.width));
      for (int c = 0; c < 3; ++c) {
        const int color = spec.bgr ? 2 - c : c;
        const int sc = src.channels >= 3 ? color : 0;
        double v = spec.pad * max_sample / 255.0;
        if (in) {
          v = 0;
          for (auto [iy, a] : wy)
            for (auto [ix, b] : wx) v += a * b * SampleAt(src, ix, iy, sc);
        }
        double o;
        if (spec.dtype == NormDtype::kU8) {
          o = std::min(std::max(v * 255.0 / max_sample, 0.0), 255.0);
        } else {
          o = (v / max_sample - spec.mean[color]) / spec.std[color];
        }
        const size_t at = spec.chw ? (size_t(c) * H + y) * W + x : (size_t(y) * W + x) * 3 + c;
        out[at] = o;
      }
    }
  }
  return out;
}

}  // namespace imgpipe
