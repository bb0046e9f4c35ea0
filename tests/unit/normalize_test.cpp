// img-norm's fused kernel vs the double-precision reference on every Highway target compiled in,
// plus exact-rounding checks of the f16 / bf16 conversions and the crop / letterbox geometry.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "libcommon/kernels/normalize.h"
#include "libcommon/kernels/normalize_reference.h"
#include "tests/support/highway_targets.h"

namespace imgpipe {
namespace {


Image RandomImage(std::mt19937& rng, int w, int h, int c, SampleType t) {
  Image img;
  img.Allocate(w, h, c, t);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}

// Spacing of representable values around |x| (half of it is the rounding bound).
double Ulp(double x, NormDtype d) {
  const int mant = d == NormDtype::kF16 ? 10 : d == NormDtype::kBF16 ? 7 : 23;
  const int min_exp = d == NormDtype::kF16 ? -14 : -126;
  const int e = x == 0 ? min_exp : std::max(min_exp, int(std::floor(std::log2(std::fabs(x)))));
  return std::ldexp(1.0, e - mant);
}

double ElementAt(const std::vector<uint8_t>& out, NormDtype d, size_t i) {
  switch (d) {
    case NormDtype::kF32: {
      float f;
      std::memcpy(&f, out.data() + 4 * i, 4);
      return f;
    }
    case NormDtype::kU8: return out[i];
    case NormDtype::kF16: {
      uint16_t h;
      std::memcpy(&h, out.data() + 2 * i, 2);
      return F16BitsToDouble(h);
    }
    case NormDtype::kBF16: {
      uint16_t h;
      std::memcpy(&h, out.data() + 2 * i, 2);
      return BF16BitsToDouble(h);
    }
  }
  return 0;
}

// Kernel vs reference: the dtype's own rounding (half a unit in the last place; 0.5 for u8)
// plus float-accumulation slack of the resize (relative 2e-5 of the value's scale).
void ExpectMatchesReference(const Image& src, const NormSpec& spec) {
  auto g = PlanNormGeometry(src.width, src.height, spec);
  ASSERT_TRUE(g.ok());
  std::vector<uint8_t> out(NormOutputBytes(*g, spec));
  NormalizeImage(src, spec, *g, out.data());
  const std::vector<double> want = NormalizeReference(src, spec, *g);
  ASSERT_EQ(want.size() * NormDtypeSize(spec.dtype), out.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double got = ElementAt(out, spec.dtype, i);
    double tol;
    if (spec.dtype == NormDtype::kU8) tol = 0.5 + 2e-3;
    else tol = 0.5 * Ulp(want[i], spec.dtype) + 2e-5 * std::max(1.0, std::fabs(want[i]));
    const double err = std::fabs(got - want[i]);
    worst = std::max(worst, err / tol);
    if (err > tol) {
      ADD_FAILURE() << "element " << i << ": got " << got << ", want " << want[i] << " (tol "
                    << tol << ") src " << src.width << "x" << src.height << "x" << src.channels
                    << " -> " << g->out_w << "x" << g->out_h << " dtype "
                    << NormDtypeName(spec.dtype) << (spec.chw ? " chw" : " hwc")
                    << (spec.bgr ? " bgr" : " rgb") << " resize " << int(spec.resize);
      return;
    }
  }
}

NormSpec ImagenetSpec() {
  NormSpec s;
  s.mean = {0.485, 0.456, 0.406};
  s.std = {0.229, 0.224, 0.225};
  return s;
}

TEST(NormalizeTest, RandomCasesMatchReferenceOnEveryTarget) {
  std::mt19937 rng(11);
  const NormDtype dtypes[] = {NormDtype::kF32, NormDtype::kF16, NormDtype::kBF16, NormDtype::kU8};
  const NormResize modes[] = {NormResize::kNone, NormResize::kStretch, NormResize::kShortSide,
                              NormResize::kLetterbox};
  ForEachTarget([&] {
    for (int iter = 0; iter < 120; ++iter) {
      std::uniform_int_distribution<int> size(1, iter < 80 ? 40 : 130), ch(1, 4);
      const Image src = RandomImage(rng, size(rng), size(rng), ch(rng),
                                    iter % 5 == 4 ? SampleType::kU16 : SampleType::kU8);
      NormSpec spec = ImagenetSpec();
      spec.resize = modes[iter % 4];
      spec.width = size(rng);
      spec.height = size(rng);
      spec.dtype = dtypes[(iter / 4) % 4];
      spec.chw = (iter / 16) % 2 == 0;
      spec.bgr = (iter / 32) % 2 == 1;
      spec.filter = NormFilter(rng() % 3);
      spec.pad = double(rng() % 256);
      ExpectMatchesReference(src, spec);
    }
  });
}

TEST(NormalizeTest, TypicalSizesMatchReference) {
  std::mt19937 rng(12);
  const Image photo = RandomImage(rng, 500, 375, 3, SampleType::kU8);
  const Image square = RandomImage(rng, 224, 224, 3, SampleType::kU8);
  ForEachTarget([&] {
    for (NormDtype d : {NormDtype::kF32, NormDtype::kF16, NormDtype::kBF16, NormDtype::kU8}) {
      for (bool chw : {true, false}) {
        for (bool bgr : {false, true}) {
          NormSpec spec = ImagenetSpec();
          spec.dtype = d;
          spec.chw = chw;
          spec.bgr = bgr;
          spec.width = spec.height = 224;
          spec.resize = NormResize::kShortSide;
          ExpectMatchesReference(photo, spec);
          spec.resize = NormResize::kLetterbox;
          spec.pad = 114;
          ExpectMatchesReference(photo, spec);
          spec.resize = NormResize::kNone;  // the contiguous fast paths
          ExpectMatchesReference(square, spec);
        }
      }
    }
  });
}

// The direct u8 paths (no float row) for every width around the vector sizes of all targets
// (tails, rows narrower than a vector, the last row whose 4N-byte loads must not run past the
// image), and a vertical-only resize, where the same rows go through the float row instead.
TEST(NormalizeTest, DirectU8PathsMatchReferenceAtEveryWidth) {
  std::mt19937 rng(14);
  ForEachTarget([&] {
    for (int w = 1; w <= 70; ++w) {
      const Image src = RandomImage(rng, w, 1 + w % 3, 3, SampleType::kU8);
      for (NormDtype d : {NormDtype::kF32, NormDtype::kF16, NormDtype::kU8}) {
        for (int mode = 0; mode < 4; ++mode) {
          NormSpec spec = ImagenetSpec();
          spec.dtype = d;
          spec.chw = mode < 2;
          spec.bgr = mode % 2 == 1;
          ExpectMatchesReference(src, spec);
          spec.resize = NormResize::kStretch;  // x identity, y resized
          spec.width = w;
          spec.height = 7;
          ExpectMatchesReference(src, spec);
        }
      }
    }
  });
}

// The per-pixel horizontal pass (CHW from 3/4-channel sources with horizontal resampling):
// inner widths around its 8-pixel groups (the last group overlaps), letterbox borders on both
// sides, both filters, every dtype and channel order.
TEST(NormalizeTest, PixelHorizontalPathMatchesReferenceAtEveryWidth) {
  std::mt19937 rng(16);
  ForEachTarget([&] {
    for (int w = 6; w <= 27; ++w) {
      for (int c : {3, 4}) {
        const Image src = RandomImage(rng, 2 * w + 5, 9, c, SampleType::kU8);
        for (NormDtype d : {NormDtype::kF32, NormDtype::kF16, NormDtype::kBF16, NormDtype::kU8}) {
          NormSpec spec = ImagenetSpec();
          spec.dtype = d;
          spec.bgr = (w + c) % 2 == 1;
          spec.resize = NormResize::kStretch;  // shrink: area taps
          spec.width = w;
          spec.height = 5;
          ExpectMatchesReference(src, spec);
          spec.filter = NormFilter::kBilinear;
          ExpectMatchesReference(src, spec);
          spec.filter = NormFilter::kAuto;
          spec.resize = NormResize::kLetterbox;  // border columns left and right
          spec.width = w + 7;
          spec.height = 40;
          spec.pad = 114;
          ExpectMatchesReference(src, spec);
          spec.resize = NormResize::kShortSide;  // enlarge: bilinear, then a crop
          spec.width = spec.height = 3 * w;
          ExpectMatchesReference(src, spec);
        }
      }
    }
  });
}

// f16 output on every target (hardware conversion where the target has it) is bit-identical
// to the scalar round-to-nearest-even, including overflow to infinity and subnormals.
TEST(NormalizeTest, HalfOutputOverflowAndSubnormalsMatchScalarConversion) {
  std::mt19937 rng(17);
  const Image src = RandomImage(rng, 70, 3, 3, SampleType::kU8);
  ForEachTarget([&] {
    for (double stdv : {1e-6, 3e-3, 1.0, 2e3, 1e5}) {
      NormSpec spec;
      spec.mean = {0.5, 0.25, 0.0};
      spec.std = {stdv, stdv, stdv};
      auto g = PlanNormGeometry(src.width, src.height, spec);
      ASSERT_TRUE(g.ok());
      spec.dtype = NormDtype::kF32;
      std::vector<uint8_t> f32(NormOutputBytes(*g, spec));
      NormalizeImage(src, spec, *g, f32.data());
      spec.dtype = NormDtype::kF16;
      std::vector<uint8_t> half(NormOutputBytes(*g, spec));
      NormalizeImage(src, spec, *g, half.data());
      int inf = 0, sub = 0;
      for (size_t i = 0; i < half.size() / 2; ++i) {
        float f;
        std::memcpy(&f, f32.data() + 4 * i, 4);
        uint16_t bits;
        std::memcpy(&bits, half.data() + 2 * i, 2);
        ASSERT_EQ(bits, FloatToF16Bits(f)) << "std " << stdv << " element " << i << " value " << f;
        inf += (bits & 0x7FFF) == 0x7C00;
        sub += (bits & 0x7C00) == 0 && (bits & 0x3FF) != 0;
      }
      if (stdv == 1e-6) EXPECT_GT(inf, 0);
      if (stdv == 1e5) EXPECT_GT(sub, 0);
    }
  });
}

// Plans are reused while the inputs repeat; any changed input must give a fresh one.
TEST(NormalizeTest, PlanCacheFollowsEveryInput) {
  std::mt19937 rng(15);
  const Image a = RandomImage(rng, 96, 64, 3, SampleType::kU8);
  const Image b = RandomImage(rng, 96, 64, 3, SampleType::kU8);  // same size, other pixels
  const Image c = RandomImage(rng, 97, 64, 3, SampleType::kU8);
  NormSpec spec = ImagenetSpec();
  ExpectMatchesReference(a, spec);
  ExpectMatchesReference(b, spec);
  ExpectMatchesReference(c, spec);
  spec.mean[1] = 0.1;
  ExpectMatchesReference(c, spec);
  spec.std[2] = 0.5;
  ExpectMatchesReference(c, spec);
  spec.bgr = true;
  ExpectMatchesReference(c, spec);
  spec.chw = false;
  ExpectMatchesReference(c, spec);
  spec.dtype = NormDtype::kU8;
  ExpectMatchesReference(c, spec);
  spec.resize = NormResize::kLetterbox;
  spec.width = 97;
  spec.height = 80;
  ExpectMatchesReference(c, spec);
  spec.pad = 200;
  ExpectMatchesReference(c, spec);
  spec.resize = NormResize::kNone;
  ExpectMatchesReference(a, spec);
}

// Without resampling the only float work is one fused multiply-add per element, so f32 output
// must equal the exact value to within the rounding of the two constants and the FMA, and
// f16/bf16 must be exactly the round-to-nearest-even of that f32 value.
TEST(NormalizeTest, NoResizeIsExactToDtypeRounding) {
  std::mt19937 rng(13);
  for (int c : {1, 3, 4}) {
    const Image src = RandomImage(rng, 67, 5, c, SampleType::kU8);
    NormSpec spec = ImagenetSpec();
    auto g = PlanNormGeometry(src.width, src.height, spec);
    ASSERT_TRUE(g.ok());
    const std::vector<double> exact = NormalizeReference(src, spec, *g);
    ForEachTarget([&] {
      spec.dtype = NormDtype::kF32;
      std::vector<uint8_t> f32(NormOutputBytes(*g, spec));
      NormalizeImage(src, spec, *g, f32.data());
      for (size_t i = 0; i < exact.size(); ++i) {
        const double got = ElementAt(f32, NormDtype::kF32, i);
        const int color = int(i / (size_t(67) * 5));
        const double mag = std::fabs(exact[i]) + spec.mean[color] / spec.std[color] + 1e-30;
        ASSERT_LE(std::fabs(got - exact[i]), 3 * FLT_EPSILON * mag) << i;
      }
      for (NormDtype d : {NormDtype::kF16, NormDtype::kBF16}) {
        spec.dtype = d;
        std::vector<uint8_t> half(NormOutputBytes(*g, spec));
        NormalizeImage(src, spec, *g, half.data());
        for (size_t i = 0; i < exact.size(); ++i) {
          float f;
          std::memcpy(&f, f32.data() + 4 * i, 4);
          uint16_t bits;
          std::memcpy(&bits, half.data() + 2 * i, 2);
          ASSERT_EQ(bits, d == NormDtype::kF16 ? FloatToF16Bits(f) : FloatToBF16Bits(f)) << i;
          const double got = ElementAt(half, d, i);
          ASSERT_LE(std::fabs(got - exact[i]), 0.5 * Ulp(exact[i], d) + 1e-6) << i;
        }
      }
    });
  }
}

// Independent RNE: the nearest of the two neighbouring representable values, ties to even.
uint16_t F16BitsByDouble(double x) {
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  x = std::fabs(x);
  if (x >= 65520.0) return sign | 0x7C00;  // rounds to infinity
  uint16_t best = 0;
  double best_err = INFINITY;
  for (uint32_t h = 0; h < 0x7C00; ++h) {  // brute force over all finite halves
    const double err = std::fabs(F16BitsToDouble(uint16_t(h)) - x);
    if (err < best_err || (err == best_err && (h & 1) == 0)) best = uint16_t(h), best_err = err;
    if (F16BitsToDouble(uint16_t(h)) > x) break;
  }
  return sign | best;
}

TEST(NormalizeTest, HalfConversionsRoundToNearestEven) {
  std::mt19937 rng(14);
  std::vector<float> values = {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 65519.0f, 65520.0f, 1e-8f,
                               5.9604645e-8f, 2.9802322e-8f, 6.1035156e-5f, 1.0009765625f,
                               1.00048828125f, 1.00146484375f};
  std::uniform_real_distribution<float> any(-8.0f, 8.0f);
  for (int i = 0; i < 1500; ++i) values.push_back(any(rng));
  for (int i = 0; i < 300; ++i) values.push_back(std::ldexp(any(rng), -int(rng() % 30)));
  for (float v : values) {
    EXPECT_EQ(FloatToF16Bits(v), F16BitsByDouble(v)) << v;
    // bf16: the top half of the float, rounded to nearest even.
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    const double lo = BF16BitsToDouble(uint16_t(bits >> 16));
    const double hi = BF16BitsToDouble(uint16_t((bits >> 16) + 1));
    const double got = BF16BitsToDouble(FloatToBF16Bits(v));
    const double dl = std::fabs(double(v) - lo), dh = std::fabs(double(v) - hi);
    if (dl != dh) EXPECT_EQ(got, dl < dh ? lo : hi) << v;
    else EXPECT_EQ(FloatToBF16Bits(v) & 1, 0) << v;
  }
}

TEST(NormalizeTest, GeometryOfCropAndLetterbox) {
  NormSpec spec;
  spec.width = spec.height = 224;
  spec.resize = NormResize::kShortSide;
  auto g = PlanNormGeometry(640, 480, spec);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->resized_w, 299);
  EXPECT_EQ(g->resized_h, 224);
  EXPECT_EQ(g->crop_x, 37);
  EXPECT_EQ(g->crop_y, 0);
  BoxXYXY b = g->MapBox({64, 48, 128, 96});
  EXPECT_NEAR(b.x0, 64 * 299.0 / 640 - 37, 1e-9);
  EXPECT_NEAR(b.y1, 96 * 224.0 / 480, 1e-9);

  spec.resize = NormResize::kLetterbox;
  spec.width = spec.height = 320;
  g = PlanNormGeometry(640, 480, spec);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->inner_w, 320);
  EXPECT_EQ(g->inner_h, 240);
  EXPECT_EQ(g->inner_x, 0);
  EXPECT_EQ(g->inner_y, 40);
  b = g->MapBox({0, 0, 640, 480});
  EXPECT_DOUBLE_EQ(b.y0, 40);
  EXPECT_DOUBLE_EQ(b.y1, 280);
  EXPECT_DOUBLE_EQ(b.x1, 320);

  spec.resize = NormResize::kStretch;
  spec.width = 100;
  spec.height = 50;
  g = PlanNormGeometry(7, 9, spec);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->out_w, 100);
  EXPECT_EQ(g->out_h, 50);
  EXPECT_FALSE(PlanNormGeometry(0, 9, spec).ok());
}

TEST(NormalizeTest, LetterboxPadIsTheNormalisedPadValue) {
  Image src;
  src.Allocate(4, 2, 3);
  std::fill(src.data.begin(), src.data.end(), 255);
  NormSpec spec = ImagenetSpec();
  spec.resize = NormResize::kLetterbox;
  spec.width = spec.height = 8;
  spec.pad = 114;
  auto g = PlanNormGeometry(4, 2, spec);
  ASSERT_TRUE(g.ok());
  std::vector<uint8_t> out(NormOutputBytes(*g, spec));
  NormalizeImage(src, spec, *g, out.data());
  // Row 0 is border, row 4 is image (inner 8x4 at y 2).
  for (int c = 0; c < 3; ++c) {
    const double pad = (114 / 255.0 - spec.mean[c]) / spec.std[c];
    const double white = (1.0 - spec.mean[c]) / spec.std[c];
    EXPECT_NEAR(ElementAt(out, NormDtype::kF32, size_t(c) * 64), pad, 1e-5);
    EXPECT_NEAR(ElementAt(out, NormDtype::kF32, size_t(c) * 64 + 4 * 8 + 3), white, 1e-5);
  }
}

}  // namespace
}  // namespace imgpipe
