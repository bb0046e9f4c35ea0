// Resize kernels vs the scalar 2-D reference, on every Highway target compiled in and supported.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "libcommon/image.h"
#include "libcommon/kernels/resize.h"
#include "libcommon/kernels/resize_reference.h"
#include "tests/support/highway_targets.h"

namespace imgpipe {
namespace {

using ResizeFn = void (*)(const Image&, Image*);

Image RandomImage(std::mt19937& rng, int w, int h, int c, SampleType t) {
  Image img;
  img.Allocate(w, h, c, t);
  if (t == SampleType::kU8) {
    for (auto& b : img.data) b = uint8_t(rng());
  } else {
    uint16_t* p = reinterpret_cast<uint16_t*>(img.data.data());
    for (size_t i = 0; i < img.data.size() / 2; ++i) p[i] = uint16_t(rng());
  }
  return img;
}

int Sample(const Image& img, size_t i) {
  if (img.type == SampleType::kU8) return img.data[i];
  uint16_t v;
  std::memcpy(&v, img.data.data() + 2 * i, 2);
  return v;
}

// Largest |a - b| over all samples; images must have the same shape.
int MaxDiff(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_EQ(a.type, b.type);
  if (a.data.size() != b.data.size()) return 1 << 30;
  int diff = 0;
  const size_t n = a.data.size() / SampleBytes(a.type);
  for (size_t i = 0; i < n; ++i) diff = std::max(diff, std::abs(Sample(a, i) - Sample(b, i)));
  return diff;
}


void ExpectNearReference(const Image& src, int w, int h, ResizeFn fast, ResizeFn reference) {
  SCOPED_TRACE(std::to_string(src.width) + "x" + std::to_string(src.height) + "x" +
               std::to_string(src.channels) + " " + SampleTypeName(src.type) + " -> " +
               std::to_string(w) + "x" + std::to_string(h));
  Image want, got;
  want.width = got.width = w;
  want.height = got.height = h;
  reference(src, &want);
  fast(src, &got);
  EXPECT_LE(MaxDiff(got, want), 1);
}

TEST(KernelsResizeTest, ListsTargets) {
  std::string names;
  for (int64_t t : hwy::SupportedAndGeneratedTargets())
    names += std::string(hwy::TargetName(t)) + " ";
  std::printf("Highway targets tested: %s\n", names.c_str());
  // x86-64 always has at least the SSE2 baseline (EMU128) plus SSSE3 or better.
  EXPECT_GE(hwy::SupportedAndGeneratedTargets().size(), 1u);
}

TEST(KernelsResizeTest, EdgeShapesMatchReference) {
  const int shapes[][4] = {
      {1, 1, 1, 1},    {1, 1, 5, 3},     {1, 9, 1, 4},     {9, 1, 4, 1},     {1, 9, 1, 23},
      {9, 1, 23, 1},   {1, 40, 7, 3},    {40, 1, 3, 7},    {2, 2, 1, 1},     {3, 3, 2, 2},
      {5, 4, 5, 4},    {64, 1, 1, 1},    {1, 64, 1, 1},    {17, 13, 16, 12}, {16, 12, 17, 13},
      {300, 7, 77, 3}, {300, 7, 301, 9}, {255, 3, 254, 2}, {8, 8, 3, 3},     {640, 2, 17, 1},
  };
  std::mt19937 rng(1);
  ForEachTarget([&] {
    for (const auto& s : shapes) {
      for (int c = 1; c <= 4; ++c) {
        const Image src = RandomImage(rng, s[0], s[1], c, SampleType::kU8);
        ExpectNearReference(src, s[2], s[3], ResizeArea, ResizeAreaReference);
        ExpectNearReference(src, s[2], s[3], ResizeBilinear, ResizeBilinearReference);
      }
    }
  });
}

TEST(KernelsResizeTest, RandomShapesMatchReferenceU8) {
  std::mt19937 rng(2);
  ForEachTarget([&] {
    for (int iter = 0; iter < 150; ++iter) {
      std::uniform_int_distribution<int> size(1, iter < 100 ? 70 : 260), ch(1, 4);
      const Image src = RandomImage(rng, size(rng), size(rng), ch(rng), SampleType::kU8);
      const int w = size(rng), h = size(rng);
      ExpectNearReference(src, w, h, ResizeArea, ResizeAreaReference);
      ExpectNearReference(src, w, h, ResizeBilinear, ResizeBilinearReference);
    }
  });
}

TEST(KernelsResizeTest, RandomShapesMatchReferenceU16) {
  std::mt19937 rng(3);
  ForEachTarget([&] {
    for (int iter = 0; iter < 60; ++iter) {
      std::uniform_int_distribution<int> size(1, 90), ch(1, 4);
      const Image src = RandomImage(rng, size(rng), size(rng), ch(rng), SampleType::kU16);
      const int w = size(rng), h = size(rng);
      ExpectNearReference(src, w, h, ResizeArea, ResizeAreaReference);
      ExpectNearReference(src, w, h, ResizeBilinear, ResizeBilinearReference);
    }
  });
}

TEST(KernelsResizeTest, LargeNonIntegerShrinkMatchesReference) {
  std::mt19937 rng(4);
  const Image src = RandomImage(rng, 997, 661, 3, SampleType::kU8);
  ForEachTarget([&] {
    ExpectNearReference(src, 256, 170, ResizeArea, ResizeAreaReference);
    ExpectNearReference(src, 123, 301, ResizeBilinear, ResizeBilinearReference);
  });
}

TEST(KernelsResizeTest, ConstantStaysConstantAndIdentityIsExact) {
  std::mt19937 rng(5);
  ForEachTarget([&] {
    for (int c = 1; c <= 4; ++c) {
      Image flat;
      flat.Allocate(37, 29, c);
      std::fill(flat.data.begin(), flat.data.end(), 200);
      for (auto [w, h] : {std::pair{5, 7}, std::pair{80, 3}, std::pair{11, 90}}) {
        Image out;
        Resize(flat, w, h, &out);
        for (uint8_t v : out.data) ASSERT_EQ(v, 200);
      }
      const Image src = RandomImage(rng, 41, 23, c, SampleType::kU8);
      Image same;
      Resize(src, src.width, src.height, &same);
      EXPECT_EQ(same.data, src.data);
      same.width = src.width;
      same.height = src.height;
      ResizeBilinear(src, &same);
      EXPECT_EQ(same.data, src.data);
    }
  });
}

TEST(KernelsResizeTest, ResizePicksAreaForShrinkAndBilinearOtherwise) {
  std::mt19937 rng(6);
  const Image src = RandomImage(rng, 50, 40, 3, SampleType::kU8);
  for (auto [w, h, area] : {std::tuple{20, 15, true}, std::tuple{50, 10, true},
                            std::tuple{60, 10, false}, std::tuple{100, 90, false}}) {
    Image got, want;
    Resize(src, w, h, &got);
    want.width = w;
    want.height = h;
    (area ? ResizeAreaReference : ResizeBilinearReference)(src, &want);
    EXPECT_LE(MaxDiff(got, want), 1) << w << "x" << h;
  }
}

TEST(KernelsResizeTest, IntegerShrinkIsPlainBlockMean) {
  // 2x2 blocks of {0, 1, 2, 3} average to 1.5 -> 2 (round half up) in every output pixel.
  Image src;
  src.Allocate(8, 6, 1);
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 8; ++x) src.data[y * 8 + x] = uint8_t((y % 2) * 2 + x % 2);
  }
  Image out;
  Resize(src, 4, 3, &out);
  for (uint8_t v : out.data) EXPECT_EQ(v, 2);
}

TEST(KernelsResizeTest, AliasedDestinationAndEmptyShapes) {
  std::mt19937 rng(7);
  Image img = RandomImage(rng, 30, 20, 2, SampleType::kU8);
  Image want;
  Resize(img, 12, 9, &want);
  Resize(img, 12, 9, &img);
  EXPECT_EQ(img.width, 12);
  EXPECT_EQ(img.data, want.data);

  Image out;
  Resize(img, 0, 5, &out);
  EXPECT_TRUE(out.data.empty());
  Image empty;
  empty.Allocate(0, 0, 3);
  Resize(empty, 4, 4, &out);
  EXPECT_TRUE(out.data.empty());
}

}  // namespace
}  // namespace imgpipe
