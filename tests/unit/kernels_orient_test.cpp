// ApplyOrientation vs a per-pixel reference written from the EXIF definitions, plus box tracking.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "libcommon/geometry.h"
#include "libcommon/image.h"
#include "libcommon/kernels/orient.h"

namespace imgpipe {
namespace {

Image RandomImage(std::mt19937& rng, int w, int h, int c, SampleType t) {
  Image img;
  img.Allocate(w, h, c, t);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}

// Displayed pixel (x, y) of a stored w x h image shows stored pixel (*sx, *sy). Written from
// the EXIF 0x0112 wording ("0th row is the visual ..., 0th column is the visual ...").
void SourceOf(int o, int x, int y, int w, int h, int* sx, int* sy) {
  switch (o) {
    case 1:
      *sx = x, *sy = y;
      break;  // row 0 top, column 0 left
    case 2:
      *sx = w - 1 - x, *sy = y;
      break;  // row 0 top, column 0 right
    case 3:
      *sx = w - 1 - x, *sy = h - 1 - y;
      break;  // row 0 bottom, column 0 right
    case 4:
      *sx = x, *sy = h - 1 - y;
      break;  // row 0 bottom, column 0 left
    case 5:
      *sx = y, *sy = x;
      break;  // row 0 left, column 0 top
    case 6:
      *sx = y, *sy = h - 1 - x;
      break;  // row 0 right, column 0 top
    case 7:
      *sx = w - 1 - y, *sy = h - 1 - x;
      break;  // row 0 right, column 0 bottom
    case 8:
      *sx = w - 1 - y, *sy = x;
      break;  // row 0 left, column 0 bottom
  }
}

Image NaiveOrient(const Image& src, int o) {
  const bool swap = o >= 5;
  Image dst;
  dst.Allocate(swap ? src.height : src.width, swap ? src.width : src.height, src.channels,
               src.type);
  const size_t pb = size_t(src.channels) * SampleBytes(src.type);
  for (int y = 0; y < dst.height; ++y) {
    for (int x = 0; x < dst.width; ++x) {
      int sx, sy;
      SourceOf(o, x, y, src.width, src.height, &sx, &sy);
      std::memcpy(&dst.data[(size_t(y) * dst.width + x) * pb],
                  &src.data[(size_t(sy) * src.width + sx) * pb], pb);
    }
  }
  return dst;
}

void ExpectSame(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_EQ(a.type, b.type);
  EXPECT_TRUE(a.data == b.data);
}

TEST(KernelsOrientTest, AllOrientationsMatchNaiveReference) {
  std::mt19937 rng(11);
  const int shapes[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 3}, {64, 64}, {70, 130}, {131, 65}};
  for (int o = 1; o <= 8; ++o) {
    for (const auto& s : shapes) {
      for (int c = 1; c <= 5; ++c) {
        for (SampleType t : {SampleType::kU8, SampleType::kU16}) {
          SCOPED_TRACE("o=" + std::to_string(o) + " " + std::to_string(s[0]) + "x" +
                       std::to_string(s[1]) + "x" + std::to_string(c) + " " + SampleTypeName(t));
          const Image src = RandomImage(rng, s[0], s[1], c, t);
          ExpectSame(ApplyOrientation(src, o), NaiveOrient(src, o));
        }
      }
    }
  }
}

TEST(KernelsOrientTest, SixRotatesClockwiseAndEightCounterClockwise) {
  // Stored  1 2   rotated 90 CW:  3 1   rotated 90 CCW:  2 4
  //         3 4                   4 2                    1 3
  Image src;
  src.Allocate(2, 2, 1);
  src.data = {1, 2, 3, 4};
  EXPECT_EQ(ApplyOrientation(src, 6).data, (std::vector<uint8_t>{3, 1, 4, 2}));
  EXPECT_EQ(ApplyOrientation(src, 8).data, (std::vector<uint8_t>{2, 4, 1, 3}));
  EXPECT_EQ(ApplyOrientation(src, 3).data, (std::vector<uint8_t>{4, 3, 2, 1}));
  EXPECT_EQ(ApplyOrientation(src, 5).data, (std::vector<uint8_t>{1, 3, 2, 4}));
  EXPECT_EQ(ApplyOrientation(src, 7).data, (std::vector<uint8_t>{4, 2, 3, 1}));
  // 6 on a wide strip: stored row 0 becomes the displayed right column, column 0 the top.
  Image strip;
  strip.Allocate(3, 2, 1);
  strip.data = {1, 2, 3, 4, 5, 6};
  const Image r = ApplyOrientation(strip, 6);
  EXPECT_EQ(r.width, 2);
  EXPECT_EQ(r.height, 3);
  EXPECT_EQ(r.data, (std::vector<uint8_t>{4, 1, 5, 2, 6, 3}));
}

TEST(KernelsOrientTest, InverseRestoresOriginal) {
  std::mt19937 rng(12);
  const Image src = RandomImage(rng, 67, 35, 3, SampleType::kU8);
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE(o);
    ExpectSame(ApplyOrientation(ApplyOrientation(src, o), InverseOrientation(o)), src);
  }
  // Two quarter turns make a half turn.
  ExpectSame(ApplyOrientation(ApplyOrientation(src, 6), 6), ApplyOrientation(src, 3));
}

TEST(KernelsOrientTest, InvalidOrientationIsIdentity) {
  std::mt19937 rng(13);
  const Image src = RandomImage(rng, 5, 3, 2, SampleType::kU8);
  for (int o : {0, 9, -1, 255}) ExpectSame(ApplyOrientation(src, o), src);
}

TEST(KernelsOrientTest, OrientBoxStaysTightAroundFilledRectangle) {
  const int w = 23, h = 17;
  const int rects[][4] = {
      {3, 5, 9, 12}, {0, 0, 1, 1}, {22, 16, 23, 17}, {0, 0, 23, 17}, {10, 0, 11, 17}};
  for (const auto& r : rects) {
    Image src;
    src.Allocate(w, h, 1);
    for (int y = r[1]; y < r[3]; ++y) {
      for (int x = r[0]; x < r[2]; ++x) src.data[y * w + x] = 1;
    }
    for (int o = 1; o <= 8; ++o) {
      SCOPED_TRACE("o=" + std::to_string(o) + " rect " + std::to_string(r[0]));
      const Image out = ApplyOrientation(src, o);
      int x0 = out.width, y0 = out.height, x1 = 0, y1 = 0;
      for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
          if (!out.data[y * out.width + x]) continue;
          x0 = std::min(x0, x), y0 = std::min(y0, y);
          x1 = std::max(x1, x + 1), y1 = std::max(y1, y + 1);
        }
      }
      const BoxXYXY box =
          OrientBox({double(r[0]), double(r[1]), double(r[2]), double(r[3])}, o, w, h);
      EXPECT_EQ(box.x0, x0);
      EXPECT_EQ(box.y0, y0);
      EXPECT_EQ(box.x1, x1);
      EXPECT_EQ(box.y1, y1);
      const auto [ow, oh] = OrientedSize(w, h, o);
      EXPECT_EQ(ow, out.width);
      EXPECT_EQ(oh, out.height);
    }
  }
}

}  // namespace
}  // namespace imgpipe
