// IoU-family kernels vs the scalar reference, on every Highway target compiled in and supported.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "libcommon/kernels/iou.h"
#include "libcommon/kernels/iou_reference.h"
#include "tests/support/highway_targets.h"

namespace imgpipe {
namespace {


// Random boxes with the awkward cases mixed in: zero area (a point, a line), touching edges,
// nested, identical, inverted, far apart, integer grids (many exact ties).
template <typename T>
BoxArrays<T> RandomBoxes(std::mt19937& rng, size_t n) {
  std::uniform_real_distribution<double> pos(-50, 150), size(0, 80);
  std::uniform_int_distribution<int> kind(0, 9), grid(0, 20);
  BoxArrays<T> boxes;
  for (size_t i = 0; i < n; ++i) {
    double x0 = pos(rng), y0 = pos(rng), w = size(rng), h = size(rng);
    switch (kind(rng)) {
      case 0: w = 0; break;                       // a vertical line
      case 1: w = h = 0; break;                   // a point
      case 2: x0 = grid(rng) * 5; y0 = grid(rng) * 5; w = 10; h = 10; break;  // touching grid
      case 3: if (i) { x0 = double(boxes.x0[i - 1]) + 1; y0 = double(boxes.y0[i - 1]) + 1;
                w = 2; h = 2; } break;            // nested in the previous one (usually)
      case 4: if (i) { x0 = double(boxes.x0[i - 1]); y0 = double(boxes.y0[i - 1]);
                w = double(boxes.x1[i - 1]) - x0; h = double(boxes.y1[i - 1]) - y0; } break;
      case 5: w = -w; break;                      // inverted: an empty box
      case 6: x0 *= 1000; break;                  // far away
      default: break;
    }
    boxes.Push(T(x0), T(y0), T(x0 + w), T(y0 + h));
  }
  return boxes;
}

template <typename T>
void ExpectMatchesReference(size_t n, size_t m, uint32_t seed) {
  std::mt19937 rng(seed);
  BoxArrays<T> a = RandomBoxes<T>(rng, n), b = RandomBoxes<T>(rng, m);
  for (IouKind kind : {IouKind::kIou, IouKind::kGiou, IouKind::kDiou, IouKind::kCiou}) {
    SCOPED_TRACE(std::string(IouKindName(kind)) + " " + std::to_string(n) + "x" +
                 std::to_string(m));
    std::vector<T> want(n * m), got(n * m, T(-7));
    IouMatrixReference(kind, a.View(), b.View(), want.data());
    ASSERT_TRUE(IouMatrix(kind, a.View(), b.View(), got.data()).ok());
    size_t bad = 0;
    for (size_t k = 0; k < n * m; ++k) {
      ASSERT_FALSE(std::isnan(got[k])) << k;
      // Same operations in the same order: the values are identical, not merely close.
      if (got[k] != want[k]) ++bad;
      if (kind == IouKind::kIou) {
        EXPECT_GE(got[k], T(0));
        EXPECT_LE(got[k], T(1));
      } else {
        // No lower bound here: an inverted box's centre may lie outside the enclosing box.
        EXPECT_TRUE(std::isfinite(got[k]));
        EXPECT_LE(got[k], T(1));
      }
    }
    EXPECT_EQ(bad, 0u);
  }
}

TEST(IouKernelTest, MatchesReferenceOnEveryTargetDouble) {
  ForEachTarget([] {
    for (auto [n, m] : {std::pair{1, 1}, {3, 7}, {17, 33}, {64, 64}, {5, 129}, {200, 3}}) {
      ExpectMatchesReference<double>(n, m, 1000u + n * 7 + m);
    }
  });
}

TEST(IouKernelTest, MatchesReferenceOnEveryTargetFloat) {
  ForEachTarget([] {
    for (auto [n, m] : {std::pair{1, 1}, {3, 7}, {17, 33}, {64, 64}, {5, 129}, {200, 3}}) {
      ExpectMatchesReference<float>(n, m, 2000u + n * 7 + m);
    }
  });
}

template <typename T>
T One(IouKind kind, std::initializer_list<double> a, std::initializer_list<double> b) {
  BoxArrays<T> A, B;
  auto pa = a.begin(), pb = b.begin();
  A.Push(T(pa[0]), T(pa[1]), T(pa[2]), T(pa[3]));
  B.Push(T(pb[0]), T(pb[1]), T(pb[2]), T(pb[3]));
  T out = T(-9);
  EXPECT_TRUE(IouMatrix(kind, A.View(), B.View(), &out).ok());
  return out;
}

TEST(IouKernelTest, HandComputedValues) {
  ForEachTarget([] {
    // Half overlap: inter 50, union 150.
    EXPECT_DOUBLE_EQ(One<double>(IouKind::kIou, {0, 0, 10, 10}, {5, 0, 15, 10}), 1.0 / 3);
    // Touching: no overlap, IoU 0; GIoU = 0 - (200 - 200)/200 = 0.
    EXPECT_EQ(One<double>(IouKind::kIou, {0, 0, 10, 10}, {10, 0, 20, 10}), 0.0);
    EXPECT_EQ(One<double>(IouKind::kGiou, {0, 0, 10, 10}, {10, 0, 20, 10}), 0.0);
    // Nested: 4 / 100.
    EXPECT_DOUBLE_EQ(One<double>(IouKind::kIou, {0, 0, 10, 10}, {2, 2, 4, 4}), 0.04);
    // Identical: 1 for all four.
    for (IouKind k : {IouKind::kIou, IouKind::kGiou, IouKind::kDiou, IouKind::kCiou})
      EXPECT_EQ(One<double>(k, {1, 2, 3, 5}, {1, 2, 3, 5}), 1.0);
    // Two points, a point and a box, a line: 0, never NaN.
    EXPECT_EQ(One<double>(IouKind::kIou, {1, 1, 1, 1}, {1, 1, 1, 1}), 0.0);
    EXPECT_EQ(One<double>(IouKind::kGiou, {1, 1, 1, 1}, {1, 1, 1, 1}), 0.0);
    EXPECT_EQ(One<double>(IouKind::kCiou, {1, 1, 1, 1}, {1, 1, 1, 1}), 0.0);
    EXPECT_EQ(One<double>(IouKind::kIou, {0, 0, 0, 10}, {0, 0, 10, 10}), 0.0);
    // Far apart: GIoU = -(C - U)/C with C = 30*10, U = 20*10 ... = -1/3.
    EXPECT_DOUBLE_EQ(One<double>(IouKind::kGiou, {0, 0, 10, 10}, {20, 0, 30, 10}), -1.0 / 3);
    // DIoU of the same pair: centres 20 apart, diagonal^2 = 900 + 100.
    EXPECT_DOUBLE_EQ(One<double>(IouKind::kDiou, {0, 0, 10, 10}, {20, 0, 30, 10}), -0.4);
    // CIoU, {0,0,10,10} vs {0,0,10,20}: IoU 100/200, centres 5 apart, enclosing 10x20,
    // v = 4/pi^2 (atan(10/20) - atan(10/10))^2.
    const double v = 4 / (M_PI * M_PI) * std::pow(std::atan(0.5) - std::atan(1.0), 2);
    const double i2 = 100.0 / 200.0, d2 = 25.0, c2 = 100.0 + 400.0;
    const double want = i2 - d2 / c2 - v / ((1 - i2) + v) * v;
    EXPECT_NEAR(One<double>(IouKind::kCiou, {0, 0, 10, 10}, {0, 0, 10, 20}), want, 1e-15);
  });
}

TEST(IouKernelTest, NanAndInfiniteBoxesAreErrors) {
  BoxArrays<double> a, b;
  a.Push(0, 0, 10, 10);
  b.Push(0, 0, 10, 10);
  b.Push(0, std::numeric_limits<double>::quiet_NaN(), 10, 10);
  std::vector<double> out(2);
  Status s = IouMatrix(IouKind::kIou, a.View(), b.View(), out.data());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bad-box");
  EXPECT_NE(s.error().message.find("b[1].y0 is NaN"), std::string::npos) << s.error().message;
  BoxArrays<float> fa, fb;
  fa.Push(0, 0, std::numeric_limits<float>::infinity(), 1);
  fb.Push(0, 0, 1, 1);
  float f;
  Status t = IouMatrix(IouKind::kGiou, fa.View(), fb.View(), &f);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("a[0].x1 is infinite"), std::string::npos);
}

TEST(IouKernelTest, EmptySetsWriteNothing) {
  BoxArrays<double> a, b;
  a.Push(0, 0, 1, 1);
  double sentinel = 5;
  EXPECT_TRUE(IouMatrix(IouKind::kIou, a.View(), b.View(), &sentinel).ok());
  EXPECT_TRUE(IouMatrix(IouKind::kIou, b.View(), a.View(), &sentinel).ok());
  EXPECT_EQ(sentinel, 5);
}

}  // namespace
}  // namespace imgpipe
