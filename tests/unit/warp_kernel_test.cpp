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

// Inverse of an axis-aligned map (scale, shift, optional flips): the separable path's case.
WarpSpec RandomAxisAligned(std::mt19937& rng, int src_w, int src_h, int out_w, int out_h) {
  std::uniform_real_distribution<double> U(-1, 1);
  WarpSpec spec;
  // Scales from 1/3 to 3 with some exact integers and halves; shifts sometimes whole pixels.
  const double pick[] = {1.0, 2.0, 0.5, std::exp(U(rng) * 1.1)};
  double sx = pick[rng() % 4], sy = pick[rng() % 4];
  if (rng() % 3 == 0) sx = -sx;
  if (rng() % 4 == 0) sy = -sy;
  double tx = std::round(U(rng) * src_w), ty = std::round(U(rng) * src_h);
  if (rng() % 2) tx += U(rng), ty += U(rng);
  if (sx < 0) tx += src_w;
  if (sy < 0) ty += src_h;
  const double m[9] = {sx, 0, tx, 0, sy, ty, 0, 0, 1};
  for (int i = 0; i < 9; ++i) spec.inv[i] = m[i];
  spec.interp = Interp::kBilinear;
  spec.border = BorderMode(rng() % 3);
  for (auto& f : spec.fill) f = uint8_t(rng());
  (void)out_w, (void)out_h;
  return spec;
}

TEST(WarpKernelTest, AxisAlignedMatchesReferenceOnEveryTarget) {
  ForEachTarget([] {
    std::mt19937 rng(12);
    for (int iter = 0; iter < 400; ++iter) {
      const int c = 1 + int(rng() % 4);
      const int sw = 1 + int(rng() % 90), sh = 1 + int(rng() % 60);
      const int ow = 1 + int(rng() % 90), oh = 1 + int(rng() % 50);
      Image src = RandomImage(rng, sw, sh, c);
      WarpSpec spec = RandomAxisAligned(rng, sw, sh, ow, oh);
      ASSERT_TRUE(WarpUsesFixedPoint(src, spec, ow, oh));
      SCOPED_TRACE("iter " + std::to_string(iter) + " " + std::to_string(sw) + "x" + std::to_string(sh) + "x" +
                   std::to_string(c) + " -> " + std::to_string(ow) + "x" + std::to_string(oh) + " m " +
                   std::to_string(spec.inv[0]) + " " + std::to_string(spec.inv[2]) + " " +
                   std::to_string(spec.inv[4]) + " " + std::to_string(spec.inv[5]) + " border " +
                   std::to_string(int(spec.border)));
      Image want, got;
      WarpReference(src, spec, ow, oh, &want);
      Warp(src, spec, ow, oh, &got);
      EXPECT_EQ(MaxDiff(got, want), 0);
    }
  });
}

// The separable and the per-pixel kernels are two implementations of one definition: the same
// axis-aligned map, nudged off axis by a shear too small to move any coordinate, must give the
// same bytes through both.
TEST(WarpKernelTest, SeparableAndGeneralPathsAgree) {
  ForEachTarget([] {
    std::mt19937 rng(13);
    for (int iter = 0; iter < 200; ++iter) {
      const int c = 1 + int(rng() % 4);
      const int sw = 1 + int(rng() % 120), sh = 1 + int(rng() % 90);
      const int ow = 1 + int(rng() % 120), oh = 1 + int(rng() % 90);
      Image src = RandomImage(rng, sw, sh, c);
      WarpSpec axis = RandomAxisAligned(rng, sw, sh, ow, oh), skew = axis;
      skew.inv[1] = 1e-300;
      skew.inv[3] = 1e-300;
      SCOPED_TRACE("iter " + std::to_string(iter));
      Image a, b;
      Warp(src, axis, ow, oh, &a);
      Warp(src, skew, ow, oh, &b);
      EXPECT_EQ(MaxDiff(a, b), 0);
    }
  });
}

// Larger rotations, so that the SIMD interior loop runs long rows, every border mode.
TEST(WarpKernelTest, LargeRotationsMatchReferenceOnEveryTarget) {
  ForEachTarget([] {
    std::mt19937 rng(14);
    for (int iter = 0; iter < 24; ++iter) {
      const int c = 1 + iter % 4;
      const int sw = 150 + int(rng() % 100), sh = 100 + int(rng() % 80);
      Image src = RandomImage(rng, sw, sh, c);
      WarpSpec spec = RandomSpec(rng, sw, sh, sw, sh, false);
      spec.interp = Interp::kBilinear;
      spec.border = BorderMode(iter % 3);
      ASSERT_TRUE(WarpUsesFixedPoint(src, spec, sw, sh));
      SCOPED_TRACE("iter " + std::to_string(iter));
      Image want, got;
      WarpReference(src, spec, sw, sh, &want);
      Warp(src, spec, sw, sh, &got);
      EXPECT_EQ(MaxDiff(got, want), 0);
    }
  });
}

// The rounding rule of warp.h, by hand: a 2x1 ramp read between its pixels.
TEST(WarpKernelTest, FixedPointRoundingRuleByHand) {
  ForEachTarget([] {
    Image src;
    src.Allocate(2, 2, 1);
    src.data = {0, 255, 0, 255};
    WarpSpec spec;
    spec.border = BorderMode::kReplicate;
    // Output pixel 0 samples source x = 0.5 + shift (pixel centres at +0.5).
    struct Case { double shift; int want; };
    // shift 0.5: fx = 64, top = 255 * 64 = 16320, out = (16320 * 128 + 8192) >> 14 = 128 (127.5 up).
    // shift 0.25: fx = 32, (255 * 32 * 128 + 8192) >> 14 = 64 (63.75 -> 64).
    // shift 1/256: U = 256 -> q = 1, fx = 1: (255 * 128 + 8192) >> 14 = 2 (1.99 -> 2).
    // shift 1/512 - 1/65536: U = 255 -> q = 0: 0 (below the half step).
    for (Case k : {Case{0.5, 128}, Case{0.25, 64}, Case{1.0 / 256, 2}, Case{1.0 / 512 - 1.0 / 65536, 0}}) {
      spec.inv[2] = k.shift;
      Image got;
      Warp(src, spec, 1, 1, &got);
      EXPECT_EQ(int(got.data[0]), k.want) << "shift " << k.shift;
    }
  });
}

TEST(WarpKernelTest, FixedPointIsChosenOnlyWhereDefined) {
  Image src;
  src.Allocate(64, 48, 3);
  WarpSpec spec;
  EXPECT_TRUE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.inv[1] = 0.3;  // shear: still affine
  EXPECT_TRUE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.interp = Interp::kBicubic;
  EXPECT_FALSE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.interp = Interp::kNearest;
  EXPECT_FALSE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.interp = Interp::kBilinear;
  spec.inv[7] = 1e-4;  // perspective
  EXPECT_FALSE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.inv[7] = 0;
  spec.inv[2] = 20000;  // a coordinate beyond the int32 fixed-point range
  EXPECT_FALSE(WarpUsesFixedPoint(src, spec, 64, 48));
  spec.inv[2] = 0;
  spec.inv[0] = 1000;  // likewise, through the x term
  EXPECT_FALSE(WarpUsesFixedPoint(src, spec, 64, 48));
  EXPECT_TRUE(WarpUsesFixedPoint(src, spec, 4, 48));
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
