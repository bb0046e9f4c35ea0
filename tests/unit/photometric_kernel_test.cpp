// Photometric SIMD kernels vs their scalar references, on every Highway target compiled in.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "libcommon/kernels/photometric.h"
#include "libcommon/kernels/photometric_reference.h"
#include "tests/support/highway_targets.h"

namespace imgpipe {
namespace {

Image RandomImage(std::mt19937& rng, int w, int h, int c) {
  Image img;
  img.Allocate(w, h, c);
  for (auto& b : img.data) b = uint8_t(rng());
  // Some grey and saturated pixels: the hue formula's special cases.
  for (size_t i = 0; i + c <= img.data.size() && c >= 3; i += 7 * c) img.data[i + 1] = img.data[i + 2] = img.data[i];
  for (size_t i = 3 * c; i + c <= img.data.size() && c >= 3; i += 11 * c) img.data[i + 1] = img.data[i];
  return img;
}


using Kernel = void (*)(Image&, float);

void Compare(Kernel fast, Kernel ref, const std::vector<float>& params, int max_side) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 60; ++iter) {
    const int c = 1 + int(rng() % 4), w = 1 + int(rng() % max_side), h = 1 + int(rng() % max_side);
    const float param = params[iter % params.size()];
    Image a = RandomImage(rng, w, h, c), b = a;
    fast(a, param);
    ref(b, param);
    ASSERT_EQ(a.data, b.data) << w << "x" << h << "x" << c << " param " << param;
  }
}

TEST(PhotometricKernelTest, SaturationMatchesReference) {
  ForEachTarget([] { Compare(AdjustSaturation, AdjustSaturationReference, {0.0f, 0.3f, 1.0f, 1.7f, 3.0f}, 70); });
}

TEST(PhotometricKernelTest, HueMatchesReference) {
  ForEachTarget([] { Compare(AdjustHue, AdjustHueReference, {-0.5f, -0.2718f, -0.1f, 0.0f, 0.05f, 0.1234f, 0.33f, 0.5f}, 70); });
}

TEST(PhotometricKernelTest, BlurMatchesReference) {
  ForEachTarget([] { Compare(GaussianBlur, GaussianBlurReference, {0.3f, 1.0f, 2.2f}, 40); });
}

TEST(PhotometricKernelTest, HueZeroIsIdentity) {
  ForEachTarget([] {
    std::mt19937 rng(9);
    for (int c : {3, 4}) {
      Image a = RandomImage(rng, 67, 31, c), b = a;
      AdjustHue(a, 0.0f);
      ASSERT_EQ(a.data, b.data);
      AdjustHue(a, 1e-7f);  // below the Q16 step: also exactly the identity
      ASSERT_EQ(a.data, b.data);
    }
  });
}

// Every (r, g, b) with a coarse grid, many shifts: the exact integer hue stays within 1 of
// torchvision's float32 formula (which differs only by float rounding).
TEST(PhotometricKernelTest, HueFollowsTorchvisionFloatWithinOne) {
  Image img;
  const int step = 5, n = 256 / step + 1;
  img.Allocate(n * n, n, 3);
  size_t i = 0;
  for (int r = 0; r < n; ++r)
    for (int g = 0; g < n; ++g)
      for (int b = 0; b < n; ++b, i += 3)
        img.data[i] = uint8_t(std::min(255, r * step)), img.data[i + 1] = uint8_t(std::min(255, g * step)),
        img.data[i + 2] = uint8_t(std::min(255, b * step));
  int worst = 0;
  size_t differ = 0;
  for (float shift : {-0.5f, -0.37f, -0.1f, -0.013f, 0.0f, 0.02f, 0.1666667f, 0.25f, 0.4f, 0.5f}) {
    Image a = img, b = img;
    AdjustHue(a, shift);
    AdjustHueFloatReference(b, shift);
    for (size_t k = 0; k < a.data.size(); ++k) {
      const int d = std::abs(int(a.data[k]) - int(b.data[k]));
      worst = std::max(worst, d);
      differ += d != 0;
    }
  }
  EXPECT_LE(worst, 1);
  // Differences come only from float rounding at half-way points: rare.
  EXPECT_LT(differ, img.data.size() * 10 / 100);
}

// Random programs of tables, saturation and hue: the fused pass gives the bytes of the single
// steps run one after another, its sums are those of the result, and alpha is never touched.
TEST(PhotometricKernelTest, FusedStepsMatchStepByStep) {
  ForEachTarget([] {
    std::mt19937 rng(11);
    for (int w = 1; w <= 70; ++w) {
      for (int c : {1, 2, 3, 4}) {
        const int h = 1 + int(rng() % (w % 7 == 0 ? 60 : 4));  // some images span several chunks
        const Image src = RandomImage(rng, w, h, c);
        std::vector<ColorStep> steps(1 + rng() % 4);
        for (ColorStep& st : steps) {
          st.kind = ColorStep::Kind(rng() % 3);
          if (st.kind == ColorStep::kLut)
            for (auto& v : st.lut) v = uint8_t(rng());
          else if (st.kind == ColorStep::kSaturation)
            st.value = float(rng() % 300) / 100.0f;
          else
            st.value = float(int(rng() % 1001) - 500) / 1000.0f;
        }
        Image fused = src, single = src;
        std::array<uint64_t, 3> sums, want;
        ApplyColorSteps(fused, steps, &sums);
        for (const ColorStep& st : steps) {
          if (st.kind == ColorStep::kLut) ApplyLut(single, st.lut);
          else if (st.kind == ColorStep::kSaturation) AdjustSaturationReference(single, st.value);
          else AdjustHueReference(single, st.value);
        }
        ASSERT_EQ(fused.data, single.data) << w << "x" << h << "x" << c;
        ColorSums(single, &want);
        std::array<uint64_t, 3> plain{0, 0, 0};
        for (size_t i = 0; i < single.data.size(); i += c)
          for (int k = 0; k < ColorChannels(c); ++k) plain[k] += single.data[i + k];
        ASSERT_EQ(want, plain) << w << "x" << h << "x" << c;
        ASSERT_EQ(sums, plain) << w << "x" << h << "x" << c;
        if (c == 2 || c == 4)
          for (size_t i = c - 1; i < src.data.size(); i += c) ASSERT_EQ(fused.data[i], src.data[i]);
      }
    }
  });
}

TEST(PhotometricKernelTest, MeanLumaOfSumsIsTheHistogramMean) {
  std::mt19937 rng(4);
  for (int c : {1, 3, 4}) {
    const Image img = RandomImage(rng, 37, 23, c);
    std::array<std::array<uint64_t, 256>, 3> hist;
    ColorHistograms(img, &hist);
    Lut id;
    for (int v = 0; v < 256; ++v) id[v] = uint8_t(v);
    std::array<uint64_t, 3> sums;
    ColorSums(img, &sums);
    EXPECT_EQ(MeanLumaOfSums(sums, ColorChannels(c), 37 * 23), MeanLumaAfterLut(hist, ColorChannels(c), 37 * 23, id));
  }
}

TEST(PhotometricKernelTest, FusedStepsAreDeterministic) {
  std::mt19937 rng(6);
  const Image src = RandomImage(rng, 641, 37, 3);
  ColorStep a, b;
  a.kind = ColorStep::kHue, a.value = 0.123f;
  b.kind = ColorStep::kSaturation, b.value = 1.3f;
  Image x = src, y = src;
  ApplyColorSteps(x, {a, b});
  ApplyColorSteps(y, {a, b});
  EXPECT_EQ(x.data, y.data);
  EXPECT_NE(x.data, src.data);
}

TEST(PhotometricKernelTest, AlphaUntouched) {
  std::mt19937 rng(2);
  Image a = RandomImage(rng, 33, 9, 4), b = a;
  AdjustSaturation(a, 0.2f);
  AdjustHue(a, 0.2f);
  GaussianBlur(a, 1.5f);
  Grayscale(a);
  for (size_t i = 3; i < a.data.size(); i += 4) ASSERT_EQ(a.data[i], b.data[i]);
}

TEST(PhotometricKernelTest, EqualizeSpreadsAndNoiseIsDeterministic) {
  Image img;
  img.Allocate(64, 64, 1);
  for (size_t i = 0; i < img.data.size(); ++i) img.data[i] = uint8_t(100 + i % 20);
  Equalize(img);
  int lo = 255, hi = 0;
  for (uint8_t v : img.data) lo = std::min<int>(lo, v), hi = std::max<int>(hi, v);
  EXPECT_LT(lo, 20);
  EXPECT_GT(hi, 200);
  Image a, b;
  a.Allocate(20, 10, 3, SampleType::kU8);
  std::fill(a.data.begin(), a.data.end(), 128);
  b = a;
  AddGaussianNoise(a, 10, 42, true);
  AddGaussianNoise(b, 10, 42, true);
  EXPECT_EQ(a.data, b.data);
  double sum = 0, sq = 0;
  for (uint8_t v : a.data) sum += v - 128.0, sq += (v - 128.0) * (v - 128.0);
  const double n = double(a.data.size());
  EXPECT_NEAR(sum / n, 0, 2.0);
  EXPECT_NEAR(std::sqrt(sq / n), 10, 1.5);
}

}  // namespace
}  // namespace imgpipe
