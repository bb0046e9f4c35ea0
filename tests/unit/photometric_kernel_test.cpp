// Photometric SIMD kernels vs their scalar references, on every Highway target compiled in.
#include <gtest/gtest.h>
#include <hwy/targets.h>

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
  ForEachTarget([] { Compare(AdjustHue, AdjustHueReference, {-0.5f, -0.1f, 0.0f, 0.05f, 0.33f, 0.5f}, 70); });
}

TEST(PhotometricKernelTest, BlurMatchesReference) {
  ForEachTarget([] { Compare(GaussianBlur, GaussianBlurReference, {0.3f, 1.0f, 2.2f}, 40); });
}

TEST(PhotometricKernelTest, HueZeroIsNearIdentity) {
  std::mt19937 rng(9);
  Image a = RandomImage(rng, 64, 64, 3), b = a;
  AdjustHue(a, 0.0f);
  for (size_t i = 0; i < a.data.size(); ++i) EXPECT_LE(std::abs(int(a.data[i]) - int(b.data[i])), 1);
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
