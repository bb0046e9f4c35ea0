// Warp kernel vs the scalar reference, byte for byte, on every Highway target compiled in and supported.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "libcommon/kernels/warp.h"
#include "libcommon/kernels/warp_reference.h"
#include "tests/support/highway_targets.h"

namespace imgpipe {
namespace {

Image RandomImage(std::mt19937& rng, int w, int h, int c) {
  Image img;
  img.Allocate(w, h, c);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}


// Inverse of: rotate by `deg` about the centre of an out_w x out_h output, scale s, shift, and
// optionally a perspective term.
WarpSpec RandomSpec(std::mt19937& rng, int src_w, int src_h, int out_w, int out_h, bool persp) {
  std::uniform_real_distribution<double> U(-1, 1);
  WarpSpec spec;
  const double a = U(rng) * M_PI, s = std::exp(U(rng) * 0.8);
  const double ca = std::cos(a) * s, sa = std::sin(a) * s;
  const double cx = out_w / 2.0, cy = out_h / 2.0;
  const double tx = src_w / 2.0 + U(rng) * src_w * 0.6, ty = src_h / 2.0 + U(rng) * src_h * 0.6;
  double m[9] = {ca, -sa, tx - ca * cx + sa * cy, sa, ca, ty - sa * cx - ca * cy, 0, 0, 1};
  if (persp) {
    m[6] = U(rng) * 0.5 / std::max(out_w, 1);
    m[7] = U(rng) * 0.5 / std::max(out_h, 1);
    m[8] = 1.0 - m[6] * cx - m[7] * cy;
  }
  for (int i = 0; i < 9; ++i) spec.inv[i] = m[i];
  spec.interp = Interp(rng() % 3);
  spec.border = BorderMode(rng() % 3);
  for (auto& f : spec.fill) f = uint8_t(rng());
  return spec;
}

int MaxDiff(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.data.size(), b.data.size());
  if (a.data.size() != b.data.size()) return 999;
  int d = 0;
  for (size_t i = 0; i < a.data.size(); ++i) d = std::max(d, std::abs(int(a.data[i]) - int(b.data[i])));
  return d;
}

TEST(WarpKernelTest, MatchesReferenceOnEveryTarget) {
  ForEachTarget([] {
    std::mt19937 rng(11);
    for (int iter = 0; iter < 300; ++iter) {
      const int c = 1 + int(rng() % 4);
      const int sw = 1 + int(rng() % 70), sh = 1 + int(rng() % 50);
      const int ow = 1 + int(rng() % 80), oh = 1 + int(rng() % 40);
      Image src = RandomImage(rng, sw, sh, c);
      WarpSpec spec = RandomSpec(rng, sw, sh, ow, oh, iter % 3 == 0);
      SCOPED_TRACE("iter " + std::to_string(iter) + " " + std::to_string(sw) + "x" +
                   std::to_string(sh) + "x" + std::to_string(c) + " -> " + std::to_string(ow) +
                   "x" + std::to_string(oh) + " interp " + std::to_string(int(spec.interp)) +
                   " border " + std::to_string(int(spec.border)));
      Image want, got;
      WarpReference(src, spec, ow, oh, &want);
      Warp(src, spec, ow, oh, &got);
      EXPECT_EQ(MaxDiff(got, want), 0);
    }
  });
}

TEST(WarpKernelTest, IdentityIsExact) {
  ForEachTarget([] {
    std::mt19937 rng(3);
    for (int c = 1; c <= 4; ++c) {
      Image src = RandomImage(rng, 37, 23, c), got;
      for (Interp interp : {Interp::kNearest, Interp::kBilinear, Interp::kBicubic}) {
        WarpSpec spec;
        spec.interp = interp;
        Warp(src, spec, 37, 23, &got);
        EXPECT_EQ(got.data, src.data) << "channels " << c << " interp " << int(interp);
      }
    }
  });
}

TEST(WarpKernelTest, OnePixelAndFarOutside) {
  ForEachTarget([] {
    Image src;
    src.Allocate(1, 1, 3);
    src.data = {10, 20, 30};
    WarpSpec spec;
    spec.border = BorderMode::kReplicate;
    Image got;
    Warp(src, spec, 5, 4, &got);  // grows a 1x1 image: every pixel is the one source pixel
    for (size_t i = 0; i < got.data.size(); i += 3) EXPECT_EQ(got.data[i + 2], 30);
    spec.border = BorderMode::kConstant;
    spec.fill[0] = 7, spec.fill[1] = 8, spec.fill[2] = 9;
    spec.inv[2] = 1000;  // reads far to the right: all fill
    Warp(src, spec, 5, 4, &got);
    for (size_t i = 0; i < got.data.size(); i += 3) EXPECT_EQ(got.data[i], 7);
  });
}

}  // namespace
}  // namespace imgpipe
