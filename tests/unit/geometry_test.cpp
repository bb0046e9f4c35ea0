// Box and size arithmetic: orientation round trips, scaling, and the --max-side fit.
#include "libcommon/geometry.h"

#include <gtest/gtest.h>

#include <utility>

#include "libcommon/kernels/orient.h"

namespace imgpipe {
namespace {

using Size = std::pair<int, int>;

TEST(GeometryTest, OrientedSizeSwapsForTransposingOrientations) {
  for (int o = 1; o <= 4; ++o) EXPECT_EQ(OrientedSize(30, 20, o), Size(30, 20));
  for (int o = 5; o <= 8; ++o) EXPECT_EQ(OrientedSize(30, 20, o), Size(20, 30));
  EXPECT_EQ(OrientedSize(30, 20, 0), Size(30, 20));
}

TEST(GeometryTest, OrientBoxInverseRoundTrips) {
  const BoxXYXY box{1.25, 2.5, 7.75, 9.0};
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE(o);
    const BoxXYXY t = OrientBox(box, o, 12, 10);
    const auto [ow, oh] = OrientedSize(12, 10, o);
    EXPECT_LE(t.x0, t.x1);
    EXPECT_LE(t.y0, t.y1);
    EXPECT_GE(t.x0, 0);
    EXPECT_LE(t.x1, ow);
    EXPECT_LE(t.y1, oh);
    const BoxXYXY back = OrientBox(t, InverseOrientation(o), ow, oh);
    EXPECT_DOUBLE_EQ(back.x0, box.x0);
    EXPECT_DOUBLE_EQ(back.y0, box.y0);
    EXPECT_DOUBLE_EQ(back.x1, box.x1);
    EXPECT_DOUBLE_EQ(back.y1, box.y1);
  }
}

TEST(GeometryTest, OrientBoxRotate90ClockwiseExample) {
  // Stored 10x4; the box over columns 0..1, rows 0..0 (top-left corner) lands, after a
  // clockwise quarter turn, at the top-right: displayed columns 3..3, rows 0..1.
  const BoxXYXY b = OrientBox({0, 0, 2, 1}, 6, 10, 4);
  EXPECT_EQ(b.x0, 3);
  EXPECT_EQ(b.y0, 0);
  EXPECT_EQ(b.x1, 4);
  EXPECT_EQ(b.y1, 2);
}

TEST(GeometryTest, ScaleBoxScalesEdges) {
  const BoxXYXY b = ScaleBox({0, 10, 10, 20}, 0.5, 2.0);
  EXPECT_EQ(b.x0, 0);
  EXPECT_EQ(b.y0, 20);
  EXPECT_EQ(b.x1, 5);
  EXPECT_EQ(b.y1, 40);
}

TEST(GeometryTest, FitLongSide) {
  EXPECT_EQ(FitLongSide(3000, 2000, 256), Size(256, 171));  // 170.67 rounds up
  EXPECT_EQ(FitLongSide(2000, 3000, 256), Size(171, 256));
  EXPECT_EQ(FitLongSide(512, 512, 256), Size(256, 256));
  EXPECT_EQ(FitLongSide(1000, 2, 100), Size(100, 1));     // 0.2 -> at least 1
  EXPECT_EQ(FitLongSide(1000, 5, 100), Size(100, 1));     // exact half 0.5 rounds up...
  EXPECT_EQ(FitLongSide(1000, 15, 100), Size(100, 2));    // ...1.5 -> 2
  EXPECT_EQ(FitLongSide(200, 100, 256), Size(200, 100));  // only shrinks
  EXPECT_EQ(FitLongSide(256, 100, 256), Size(256, 100));
  EXPECT_EQ(FitLongSide(3000, 2000, 0), Size(3000, 2000));           // no limit
  EXPECT_EQ(FitLongSide(100000, 70000, 46341), Size(46341, 32439));  // no int overflow
}

}  // namespace
}  // namespace imgpipe
