// box-eval's VOC metric (voc_eval.py rules) on hand-computed cases.
#include <gtest/gtest.h>

#include <cfloat>
#include <string>

#include "tools/box-eval/voc_eval.h"

namespace imgpipe::box_eval {
namespace {

EvalBox Voc(uint32_t image, double x0, double y0, double x1, double y1, double score = 0,
            bool difficult = false) {
  EvalBox b{};
  b.voc[0] = x0, b.voc[1] = y0, b.voc[2] = x1, b.voc[3] = y1;
  b.image = image, b.category = 0, b.score = score, b.difficult = difficult;
  return b;
}

EvalDataset OneClass(size_t images) {
  EvalDataset d;
  for (size_t i = 0; i < images; ++i) d.images.push_back(std::to_string(i));
  d.categories.push_back({1, "1", "cat"});
  return d;
}

TEST(BoxEvalVocTest, IouCountsPixelsInclusive) {
  double a[4] = {0, 0, 0, 0};
  EXPECT_EQ(VocIou(a, a), 1.0);  // one pixel
  double g[4] = {0, 0, 9, 9}, d[4] = {5, 0, 14, 9};
  EXPECT_DOUBLE_EQ(VocIou(d, g), 50.0 / 150.0);
  double far[4] = {20, 20, 29, 29};
  EXPECT_EQ(VocIou(far, g), 0.0);
}

TEST(BoxEvalVocTest, ElevenPointAndAllPointDiffer) {
  EvalDataset d = OneClass(1);
  d.gt = {Voc(0, 0, 0, 9, 9), Voc(0, 100, 100, 109, 109)};
  d.dt = {Voc(0, 50, 50, 59, 59, 0.9), Voc(0, 0, 0, 9, 9, 0.8)};  // FP, then TP: recall .5
  VocEval v07 = EvaluateVoc(d, {true, 0.5});
  VocEval v10 = EvaluateVoc(d, {false, 0.5});
  EXPECT_NEAR(v07.classes[0].ap, 6 * (0.5 / 11.), 1e-15);  // t = 0 .. .5 see precision .5
  EXPECT_NEAR(v10.classes[0].ap, 0.25, 1e-15);
  EXPECT_EQ(v07.classes[0].npos, 2u);
  EXPECT_NEAR(v10.map, 0.25, 1e-15);
}

TEST(BoxEvalVocTest, DifficultIsNeitherTpNorFp) {
  EvalDataset d = OneClass(1);
  d.gt = {Voc(0, 0, 0, 9, 9), Voc(0, 50, 50, 59, 59, 0, /*difficult=*/true)};
  d.dt = {Voc(0, 50, 50, 59, 59, 0.9), Voc(0, 0, 0, 9, 9, 0.8)};
  VocEval v = EvaluateVoc(d, {false, 0.5});
  EXPECT_EQ(v.classes[0].npos, 1u);
  EXPECT_NEAR(v.classes[0].ap, 1.0, 1e-15);
  EXPECT_EQ(v.classes[0].precision[0], 0.0);  // 0 / max(0, eps): nothing counted yet
}

TEST(BoxEvalVocTest, DuplicateIsFpAndThresholdIsStrict) {
  EvalDataset d = OneClass(1);
  d.gt = {Voc(0, 0, 0, 9, 9)};
  // IoU exactly .5 (+1 convention: 10x5 inside 10x10): not a TP.
  d.dt = {Voc(0, 0, 0, 9, 9, 0.9), Voc(0, 0, 0, 9, 9, 0.8), Voc(0, 0, 0, 9, 4, 0.7)};
  VocEval v = EvaluateVoc(d, {false, 0.5});
  ASSERT_EQ(v.classes[0].recall.size(), 3u);
  EXPECT_EQ(v.classes[0].precision[1], 0.5);            // the duplicate is an FP
  EXPECT_DOUBLE_EQ(v.classes[0].precision[2], 1 / 3.);  // IoU .5 is not > .5
  EXPECT_NEAR(v.classes[0].ap, 1.0, 1e-15);
}

TEST(BoxEvalVocTest, ClassWithoutGtOrDetections) {
  EvalDataset d = OneClass(2);
  d.categories.push_back({2, "2", "empty"});
  d.gt = {Voc(0, 0, 0, 9, 9)};
  VocEval v = EvaluateVoc(d, {true, 0.5});
  EXPECT_EQ(v.classes[0].ap, 0.0);   // GT, no detection
  EXPECT_EQ(v.classes[1].ap, -1.0);  // no GT: left out of the mean
  EXPECT_EQ(v.map, 0.0);
}

}  // namespace
}  // namespace imgpipe::box_eval
