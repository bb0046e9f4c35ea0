// box-eval's COCO metric on small hand-computed cases: crowd absorption, area-range ignores,
// maxDets cut-off, tied scores, categories without GT, images without detections, IoU thresholds.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tools/box-eval/coco_eval.h"

namespace imgpipe::box_eval {
namespace {

constexpr double kEps = 2.220446049250313e-16;  // np.spacing(1)

class Builder {
 public:
  Builder(size_t images, size_t categories) {
    for (size_t i = 0; i < images; ++i) data.images.push_back(std::to_string(i + 1));
    for (size_t k = 0; k < categories; ++k)
      data.categories.push_back({int64_t(k + 1), std::to_string(k + 1), "c" + std::to_string(k + 1)});
  }
  Builder& Gt(uint32_t image, uint32_t cat, double x, double y, double w, double h, bool crowd = false,
              double area = -1) {
    EvalBox b{};
    b.x = x, b.y = y, b.w = w, b.h = h;
    b.area = area >= 0 ? area : w * h;
    b.id = int64_t(data.gt.size()) + 1;
    b.image = image, b.category = cat, b.crowd = crowd;
    data.gt.push_back(b);
    return *this;
  }
  Builder& Dt(uint32_t image, uint32_t cat, double x, double y, double w, double h, double score) {
    EvalBox b{};
    b.x = x, b.y = y, b.w = w, b.h = h;
    b.area = w * h;
    b.score = score;
    b.id = int64_t(data.dt.size()) + 1;
    b.image = image, b.category = cat;
    data.dt.push_back(b);
    return *this;
  }
  CocoEval Run(CocoParams params = {}) {
    params.threads = 1;
    return EvaluateCoco(data, params);
  }
  EvalDataset data;
};

TEST(BoxEvalCocoTest, LinspaceMatchesNumpy) {
  std::vector<double> t = NumpyLinspace(0.5, 0.95, 10);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[8], 0.8999999999999999);
  EXPECT_EQ(t[5], 0.75);
  EXPECT_EQ(t[9], 0.95);
  std::vector<double> r = NumpyLinspace(0, 1, 101);
  EXPECT_EQ(r[50], 0.5);
  EXPECT_EQ(r[7], 0.07);
  EXPECT_EQ(r[100], 1.0);
}

TEST(BoxEvalCocoTest, NumpySumIsPairwise) {
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / double(i + 1);
  double naive = 0;
  for (double x : v) naive += x;
  EXPECT_NEAR(NumpySum(v.data(), v.size()), naive, 1e-13);
  // A small array is summed left to right from 0.
  double a[3] = {1e16, 1.0, -1e16};
  EXPECT_EQ(NumpySum(a, 3), 0.0);
}

TEST(BoxEvalCocoTest, PerfectDetectionsGiveOne) {
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 50, 50).Dt(0, 0, 0, 0, 50, 50, 0.9);
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[0], 1.0, 1e-12);
  EXPECT_NEAR(ev.stats[8], 1.0, 1e-12);
  EXPECT_EQ(ev.stats[3], -1.0);  // no small GT (2500 px)
  EXPECT_NEAR(ev.stats[4], 1.0, 1e-12);
  EXPECT_EQ(ev.stats[5], -1.0);
}

TEST(BoxEvalCocoTest, CrowdAbsorbsSeveralDetections) {
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 10, 10);
  b.Gt(0, 0, 100, 100, 100, 100, /*crowd=*/true);
  b.Dt(0, 0, 0, 0, 10, 10, 0.5);       // TP
  b.Dt(0, 0, 110, 110, 20, 20, 0.9);   // inside the crowd region: IoU = inter / det area = 1
  b.Dt(0, 0, 150, 150, 30, 30, 0.8);
  b.Dt(0, 0, 190, 190, 20, 20, 0.7);   // half outside: inter 100, det area 400 -> IoU .25
  CocoEval ev = b.Run();
  // The three crowd detections above the threshold are neither TP nor FP; the last one is
  // matched at IoU 0.25 only for no threshold, so it is an FP ranked above the TP.
  // Ranked: .9 ign, .8 ign, .7 FP, .5 TP -> precision 1/2 at recall 1.
  EXPECT_NEAR(ev.stats[0], 1.0 / (2.0 + kEps), 1e-12);
  EXPECT_NEAR(ev.stats[8], 1.0, 1e-12);
  EXPECT_EQ(ev.gt_count[0], 1u);

  Builder c(1, 1);  // without the half-outside one: AP 1 despite 3 extra detections
  c.Gt(0, 0, 0, 0, 10, 10).Gt(0, 0, 100, 100, 100, 100, true);
  c.Dt(0, 0, 0, 0, 10, 10, 0.5).Dt(0, 0, 110, 110, 20, 20, 0.9).Dt(0, 0, 150, 150, 30, 30, 0.8);
  c.Dt(0, 0, 120, 120, 30, 30, 0.7);
  EXPECT_NEAR(c.Run().stats[0], 1.0, 1e-12);
}

TEST(BoxEvalCocoTest, CrowdIouDividesByDetectionArea) {
  // Detection 10x10 over a crowd box covering half of it: IoU 50/100 = .5 exactly, so it is
  // absorbed at IoU .5 and an FP above it.
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 10, 10);
  b.Gt(0, 0, 5, 0, 100, 100, true);
  b.Dt(0, 0, 5, 200, 10, 10, 0.1);   // far away: would be an FP... ranked last
  b.Dt(0, 0, 0, 0, 10, 10, 0.5);     // TP (the non-crowd GT wins: it comes first)
  b.Dt(0, 0, 0, 20, 10, 10, 0.9);    // inter with crowd: x 5..10, y 20..30 = 50 -> IoU .5
  CocoEval ev = b.Run();
  // IoU .5: .9 ignored, .5 TP, .1 FP -> AP 1. At .55 and above: .9 FP first -> precision 1/2.
  EXPECT_NEAR(ev.stats[1], 1.0, 1e-12);
  EXPECT_NEAR(ev.ClassAp(0, 0.75), 1.0 / (2.0 + kEps), 1e-12);
}

TEST(BoxEvalCocoTest, AreaRangesIgnoreGtAndUnmatchedDetections) {
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 10, 10);          // small (100)
  b.Gt(0, 0, 100, 100, 200, 200);    // large (40000)
  b.Dt(0, 0, 400, 400, 150, 150, 0.95);  // unmatched, area 22500 (large)
  b.Dt(0, 0, 0, 0, 10, 10, 0.9);
  b.Dt(0, 0, 100, 100, 200, 200, 0.8);
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[0], 2.0 / (3.0 + kEps), 1e-12);  // FP, TP, TP -> envelope 2/3
  EXPECT_NEAR(ev.stats[3], 1.0, 1e-12);                 // small: the others are ignored
  EXPECT_EQ(ev.stats[4], -1.0);                         // medium: no GT in range
  EXPECT_NEAR(ev.stats[5], 1.0 / (2.0 + kEps), 1e-12);  // large: FP then TP
  EXPECT_NEAR(ev.stats[9], 1.0, 1e-12);
  EXPECT_EQ(ev.stats[10], -1.0);
}

TEST(BoxEvalCocoTest, AreaRangeUsesTheGtAreaField) {
  // The box is 40x40 (1600, medium) but its `area` says 900 (small).
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 40, 40, false, 900).Dt(0, 0, 0, 0, 40, 40, 0.9);
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[3], 1.0, 1e-12);
  // The matched detection counts for "small" through its GT; for "medium" the GT is ignored
  // and so is the detection matched to it.
  EXPECT_EQ(ev.stats[4], -1.0);
}

TEST(BoxEvalCocoTest, MaxDetsCutsEachImage) {
  Builder b(1, 1);
  for (int i = 0; i < 3; ++i) b.Gt(0, 0, 100.0 * i, 0, 50, 50);
  for (int i = 0; i < 3; ++i) b.Dt(0, 0, 100.0 * i, 0, 50, 50, 0.9 - 0.1 * i);
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[6], 1.0 / 3.0, 1e-12);  // AR@1
  EXPECT_NEAR(ev.stats[7], 1.0, 1e-12);        // AR@10

  CocoParams p;
  p.max_dets = {1, 2, 2};  // only the two best of each image are evaluated at all
  CocoEval cut = b.Run(p);
  EXPECT_NEAR(cut.stats[8], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(cut.stats[0], 67.0 / 101.0 * (1.0 / (1.0 + kEps)), 1e-12);  // recall 0..2/3
}

TEST(BoxEvalCocoTest, TiedScoresKeepInputOrder) {
  // An FP and a TP with the same score: the stable sort keeps file order.
  Builder fp_first(1, 1);
  fp_first.Gt(0, 0, 0, 0, 10, 10).Dt(0, 0, 50, 50, 10, 10, 0.5).Dt(0, 0, 0, 0, 10, 10, 0.5);
  EXPECT_NEAR(fp_first.Run().stats[0], 1.0 / (2.0 + kEps), 1e-12);
  Builder tp_first(1, 1);
  tp_first.Gt(0, 0, 0, 0, 10, 10).Dt(0, 0, 0, 0, 10, 10, 0.5).Dt(0, 0, 50, 50, 10, 10, 0.5);
  EXPECT_NEAR(tp_first.Run().stats[0], 1.0 / (1.0 + kEps), 1e-12);

  // Across images ties go by ascending image (evaluation order), not by input order.
  Builder imgs(2, 1);
  imgs.Gt(0, 0, 0, 0, 10, 10).Gt(1, 0, 0, 0, 10, 10);
  imgs.Dt(1, 0, 0, 0, 10, 10, 0.5);   // TP on image 2, listed first
  imgs.Dt(0, 0, 50, 50, 10, 10, 0.5); // FP on image 1
  // Image 1's FP comes first: FP, TP -> recall 1/2 at precision 1/2.
  EXPECT_NEAR(imgs.Run().stats[0], 51.0 / 101.0 / (2.0 + kEps), 1e-12);
}

TEST(BoxEvalCocoTest, CategoryWithoutGtIsMinusOne) {
  Builder b(1, 2);
  b.Gt(0, 0, 0, 0, 50, 50).Dt(0, 0, 0, 0, 50, 50, 0.9);
  b.Dt(0, 1, 0, 0, 50, 50, 0.8);  // category 2 has detections but no GT
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.ClassAp(0), 1.0, 1e-12);
  EXPECT_EQ(ev.ClassAp(1), -1.0);
  EXPECT_NEAR(ev.stats[0], 1.0, 1e-12);  // -1 entries are left out of the mean

  Builder none(1, 1);  // GT but no detection at all: 0, not -1
  none.Gt(0, 0, 0, 0, 50, 50);
  CocoEval zero = none.Run();
  EXPECT_EQ(zero.ClassAp(0), 0.0);
  EXPECT_EQ(zero.stats[8], 0.0);

  Builder empty(1, 1);  // nothing at all
  EXPECT_EQ(empty.Run().stats[0], -1.0);
}

TEST(BoxEvalCocoTest, ImageWithoutDetectionsLowersRecall) {
  Builder b(2, 1);
  b.Gt(0, 0, 0, 0, 50, 50).Gt(1, 0, 0, 0, 50, 50).Dt(0, 0, 0, 0, 50, 50, 0.9);
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[8], 0.5, 1e-12);
  EXPECT_NEAR(ev.stats[0], 51.0 / 101.0 / (1.0 + kEps), 1e-12);  // recall thresholds 0 .. .5
}

TEST(BoxEvalCocoTest, IouExactlyOnTheThresholdMatches) {
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 10, 10).Dt(0, 0, 0, 0, 10, 5, 0.9);  // IoU 50/100 = .5
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.stats[1], 1.0, 1e-12);  // AP50
  EXPECT_EQ(ev.stats[2], 0.0);           // AP75
  EXPECT_NEAR(ev.stats[0], 0.1, 1e-12);  // 1 of 10 thresholds
}

TEST(BoxEvalCocoTest, MatchingPrefersTheBestNonIgnoredGt) {
  // The detection overlaps a non-crowd GT at .6 and a crowd GT at 1: it takes the non-crowd
  // one (it comes first and crowd GT only absorbs what is left).
  Builder b(1, 1);
  b.Gt(0, 0, 0, 0, 10, 10).Gt(0, 0, 0, 0, 100, 100, true);
  b.Dt(0, 0, 0, 0, 10, 6, 0.9);  // IoU with the first: 60/100
  CocoEval ev = b.Run();
  EXPECT_NEAR(ev.ClassAp(0, 0.5), 1.0, 1e-12);
  EXPECT_NEAR(ev.ClassAp(0, 0.6), 1.0, 1e-12);
  // Above .6 it is absorbed by the crowd: ignored, so recall 0 but no FP: precision stays 0.
  EXPECT_EQ(ev.ClassAp(0, 0.75), 0.0);
}

TEST(BoxEvalCocoTest, ThreadsDoNotChangeTheResult) {
  Builder b(20, 7);
  for (uint32_t i = 0; i < 20; ++i)
    for (uint32_t k = 0; k < 7; ++k) {
      b.Gt(i, k, 10.0 * k, 5.0 * i, 30 + k, 40);
      b.Dt(i, k, 10.0 * k + (i % 3), 5.0 * i, 30, 40 - (i % 5), 0.1 * ((i + k) % 7));
      b.Dt(i, k, 200, 200, 20, 20, 0.05 * (i % 4));
    }
  CocoParams one, many;
  one.threads = 1;
  many.threads = 4;
  CocoEval a = EvaluateCoco(b.data, one), c = EvaluateCoco(b.data, many);
  EXPECT_EQ(a.precision, c.precision);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(a.stats[i], c.stats[i]);
}

}  // namespace
}  // namespace imgpipe::box_eval
