// box-iou: box formats, the matrix, greedy vs Hungarian matching, hard and soft NMS, --gt joins.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "tools/box-iou/box_iou_tool.h"
#include "tools/box-iou/matching.h"

namespace imgpipe {
namespace {

Record R(const std::string& json) {
  auto r = Record::FromJson(json);
  EXPECT_TRUE(r.ok()) << json;
  return r.ok() ? std::move(r.value()) : Record();
}

TEST(BoxIouToolTest, FormatsAndNormalisedCoordinates) {
  BoxReadOptions o;
  o.format = BoxFormat::kXywh;
  auto a = ParseBoxes(R"([{"x":1,"y":2,"w":3,"h":4,"score":0.5,"label":"cat"}])", "boxes", o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0].x1, 4);
  EXPECT_EQ((*a)[0].y1, 6);
  EXPECT_EQ((*a)[0].label, "cat");
  EXPECT_EQ((*a)[0].score, 0.5);
  o.format = BoxFormat::kCxcywh;
  o.normalized = true;
  o.width = 200;
  o.height = 100;
  auto b = ParseBoxes("[[0.5,0.5,0.5,0.2,0.9,3]]", "boxes", o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].x0, 50);
  EXPECT_EQ((*b)[0].x1, 150);
  EXPECT_EQ((*b)[0].y0, 40);
  EXPECT_EQ((*b)[0].y1, 60);
  EXPECT_EQ((*b)[0].label, "3");
  auto bad = ParseBoxes(R"([{"x0":1,"y0":2,"x1":3,"y1":4}])", "boxes", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("boxes[0]: missing `cx`"), std::string::npos);
}

TEST(BoxIouToolTest, MatrixInTheRecordOtherKeysUntouched) {
  BoxIouConfig c;
  Record r = R(R"({"id":"x","big":123456789012345678901234567890,)"
               R"("boxes":[{"x0":0,"y0":0,"x1":10,"y1":10}],)"
               R"("gt_boxes":[{"x0":5,"y0":0,"x1":15,"y1":10},{"x0":0,"y0":0,"x1":10,"y1":10}]})");
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r).ok());
  EXPECT_EQ(*r.FindRaw("iou"), "[[0.3333333333333333,1]]");
  EXPECT_EQ(*r.FindRaw("big"), "123456789012345678901234567890");
  c.kind = IouKind::kGiou;
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r).ok());
  EXPECT_TRUE(r.Has("giou"));
}

// --out-format / --out-normalized: every box list box-iou reads is written back in the output
// convention; array boxes keep score and label, object boxes keep their other keys.
TEST(BoxIouToolTest, ConvertWritesEveryFormatAndKeepsTheRest) {
  BoxIouConfig c;
  c.mode = BoxIouMode::kConvert;
  c.format = BoxFormat::kCxcywh;
  c.normalized = true;
  c.out_format = BoxFormat::kXyxy;
  c.out_normalized = false;
  c.rewrite = true;
  Record r = R(R"({"id":"a","width":200,"height":100,"boxes":[[0.5,0.5,0.5,0.2,0.9,"cat",7]],)"
               R"("gt_boxes":[{"cx":0.25,"cy":0.5,"w":0.5,"h":1,"label":"dog","occluded":true}]})");
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r).ok());
  EXPECT_EQ(*r.FindRaw("boxes"), R"([[50,40,150,60,0.9,"cat",7]])");
  EXPECT_EQ(*r.FindRaw("gt_boxes"), R"([{"label":"dog","occluded":true,"x0":0,"y0":0,"x1":100,"y1":100}])");
  EXPECT_FALSE(r.Has("iou"));

  // And back: xyxy pixels -> cxcywh fractions gives the input numbers again.
  BoxIouConfig back = c;
  std::swap(back.format, back.out_format);
  std::swap(back.normalized, back.out_normalized);
  ASSERT_TRUE(BoxIouRecord(back, nullptr, r).ok());
  EXPECT_EQ(*r.FindRaw("boxes"), R"([[0.5,0.5,0.5,0.2,0.9,"cat",7]])");
  EXPECT_EQ(*r.FindRaw("gt_boxes"), R"([{"label":"dog","occluded":true,"cx":0.25,"cy":0.5,"w":0.5,"h":1}])");

  // xywh keeps w and h, moves the origin.
  BoxIouConfig xywh;
  xywh.mode = BoxIouMode::kConvert;
  xywh.out_format = BoxFormat::kXywh;
  xywh.rewrite = true;
  Record q = R(R"({"boxes":[{"x0":1,"y0":2,"x1":4,"y1":8}]})");
  ASSERT_TRUE(BoxIouRecord(xywh, nullptr, q).ok());
  EXPECT_EQ(*q.FindRaw("boxes"), R"([{"x":1,"y":2,"w":3,"h":6}])");
  EXPECT_FALSE(q.Has("gt_boxes"));  // absent lists stay absent

  // Normalised output needs the record's size, and says so.
  xywh.out_normalized = true;
  Record no_size = R(R"({"boxes":[[1,2,3,4]]})");
  Status s = BoxIouRecord(xywh, nullptr, no_size);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--out-normalized needs positive `width` and `height`"),
            std::string::npos) << s.error().message;
}

// The matrix and NMS modes write their boxes in the output convention too; without a rewrite the
// boxes keep their exact text.
TEST(BoxIouToolTest, OutputConventionInMatrixAndNmsModes) {
  BoxIouConfig c;
  c.out_format = BoxFormat::kXywh;
  c.rewrite = true;
  Record r = R(R"({"boxes":[[0,0,10,10]],"gt_boxes":[[5,0,15,10]]})");
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r).ok());
  EXPECT_EQ(*r.FindRaw("iou"), "[[0.3333333333333333]]");
  EXPECT_EQ(*r.FindRaw("boxes"), "[[0,0,10,10]]");
  EXPECT_EQ(*r.FindRaw("gt_boxes"), "[[5,0,10,10]]");

  BoxIouConfig nms;
  nms.mode = BoxIouMode::kNms;
  nms.nms_iou = 0.5;
  nms.out_format = BoxFormat::kCxcywh;
  nms.rewrite = true;
  Record n = R(R"({"boxes":[[0,0,10,10,0.9],[1,0,11,10,0.8],[20,20,30,40,0.7]]})");
  ASSERT_TRUE(BoxIouRecord(nms, nullptr, n).ok());
  EXPECT_EQ(*n.FindRaw("boxes"), "[[5,5,10,10,0.9],[25,30,10,20,0.7]]");

  nms.rewrite = false;
  Record keep = R(R"({"boxes":[[0.0,0,10,10,0.90],[1,0,11,10,0.8]]})");
  ASSERT_TRUE(BoxIouRecord(nms, nullptr, keep).ok());
  EXPECT_EQ(*keep.FindRaw("boxes"), "[[0.0,0,10,10,0.90]]");
}

TEST(BoxIouToolTest, OverflowingBoxIsAnErrorNotAZero) {
  BoxIouConfig c;
  c.format = BoxFormat::kCxcywh;
  Record r = R(R"({"boxes":[[1e308,0,1.7e308,1]],"gt_boxes":[[0,0,1,1]]})");
  Status s = BoxIouRecord(c, nullptr, r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bad-box");
  EXPECT_NE(s.error().message.find("boxes[0].x1 is infinite"), std::string::npos) << s.error().message;
}

TEST(BoxIouToolTest, GreedyAndHungarianDiffer) {
  // a0 (score 0.9): b0 0.6, b1 0.55. a1 (score 0.8): b0 0.5.
  const std::vector<double> iou = {0.6, 0.55, 0.5, 0.0};
  MatchResult g = GreedyMatch(iou.data(), 2, 2, {0.9, 0.8}, 0.5);
  ASSERT_EQ(g.pairs.size(), 1u);
  EXPECT_EQ(g.pairs[0].a, 0);
  EXPECT_EQ(g.pairs[0].b, 0);
  EXPECT_EQ(g.unmatched_a, std::vector<int>{1});
  EXPECT_EQ(g.unmatched_b, std::vector<int>{1});
  MatchResult h = HungarianMatch(iou.data(), 2, 2, 0.5);
  ASSERT_EQ(h.pairs.size(), 2u);
  EXPECT_EQ(h.pairs[0].b, 1);
  EXPECT_EQ(h.pairs[1].b, 0);
  EXPECT_TRUE(h.unmatched_a.empty());
  // Score order decides greedy: with a1 first, a1 takes b0 and a0 gets b1.
  MatchResult g2 = GreedyMatch(iou.data(), 2, 2, {0.1, 0.8}, 0.5);
  EXPECT_EQ(g2.pairs.size(), 2u);
}

double BestTotal(const std::vector<double>& w, int n, int m, double thr) {
  // Brute force over assignments of rows to distinct columns or none.
  double best = 0;
  std::vector<int> col(n, -1);
  std::vector<char> used(m, 0);
  std::function<void(int, double)> rec = [&](int i, double total) {
    if (i == n) {
      best = std::max(best, total);
      return;
    }
    rec(i + 1, total);
    for (int j = 0; j < m; ++j) {
      double v = w[i * m + j];
      if (used[j] || v < thr || v <= 0) continue;
      used[j] = 1;
      rec(i + 1, total + v);
      used[j] = 0;
    }
  };
  rec(0, 0);
  return best;
}

TEST(BoxIouToolTest, HungarianIsOptimalAgainstBruteForce) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + int(rng() % 6), m = 1 + int(rng() % 6);
    std::vector<double> w(n * m);
    for (auto& v : w) v = u(rng) < 0.3 ? 0.0 : u(rng);
    const double thr = trial % 3 == 0 ? 0.0 : 0.4;
    MatchResult h = HungarianMatch(w.data(), n, m, thr);
    double total = 0;
    std::vector<char> ua(n, 0), ub(m, 0);
    for (const auto& p : h.pairs) {
      EXPECT_GE(p.iou, thr);
      EXPECT_GT(p.iou, 0);
      EXPECT_FALSE(ua[p.a]++);
      EXPECT_FALSE(ub[p.b]++);
      total += p.iou;
    }
    EXPECT_EQ(h.pairs.size() + h.unmatched_a.size(), size_t(n));
    EXPECT_EQ(h.pairs.size() + h.unmatched_b.size(), size_t(m));
    EXPECT_NEAR(total, BestTotal(w, n, m, thr), 1e-12) << "trial " << trial;
  }
}

TEST(BoxIouToolTest, HardNmsClassAwareAndAgnostic) {
  BoxIouConfig c;
  c.mode = BoxIouMode::kNms;
  c.nms_iou = 0.5;
  const std::string boxes =
      R"({"id":"i","boxes":[{"label":"a","score":0.8,"x0":1,"y0":0,"x1":11,"y1":10},)"
      R"({"label":"a","score":0.9,"x0":0,"y0":0,"x1":10,"y1":10},)"
      R"({"label":"b","score":0.7,"x0":0,"y0":0,"x1":10,"y1":10},)"
      R"({"label":"a","score":0.6,"x0":50,"y0":50,"x1":60,"y1":60}],"w":1})";
  Record r = R(boxes);
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r).ok());
  // Box 0 (IoU 0.818 with the better box 1) goes; b survives in its own class; order is kept.
  EXPECT_EQ(*r.FindRaw("boxes"),
            R"([{"label":"a","score":0.9,"x0":0,"y0":0,"x1":10,"y1":10},)"
            R"({"label":"b","score":0.7,"x0":0,"y0":0,"x1":10,"y1":10},)"
            R"({"label":"a","score":0.6,"x0":50,"y0":50,"x1":60,"y1":60}])");
  EXPECT_EQ(*r.FindRaw("w"), "1");
  c.class_agnostic = true;
  Record r2 = R(boxes);
  ASSERT_TRUE(BoxIouRecord(c, nullptr, r2).ok());
  auto kept = ParseBoxes(*r2.FindRaw("boxes"), "boxes", {});
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].score, 0.9);
  EXPECT_EQ((*kept)[1].score, 0.6);
  // Boxes without a score cannot be ranked.
  Record r3 = R(R"({"boxes":[{"x0":0,"y0":0,"x1":1,"y1":1}]})");
  EXPECT_FALSE(BoxIouRecord(c, nullptr, r3).ok());
}

TEST(BoxIouToolTest, SoftNmsLinearAndGaussian) {
  // IoU(box0, box1) = 90 / 110 (x shifted by 1).
  const double iou = 90.0 / 110.0;
  std::vector<ParsedBox> boxes(2);
  boxes[0] = {0, 0, 10, 10, true, 0.9, "", "", false};
  boxes[1] = {1, 0, 11, 10, true, 0.8, "", "", false};
  BoxIouConfig c;
  c.mode = BoxIouMode::kNms;
  c.soft = SoftNms::kLinear;
  c.nms_iou = 0.3;
  c.score_thr = 0.001;
  auto lin = RunNms(boxes, c);
  ASSERT_TRUE(lin.ok());
  ASSERT_EQ(lin->kept.size(), 2u);
  EXPECT_DOUBLE_EQ(lin->scores[0], 0.9);
  EXPECT_DOUBLE_EQ(lin->scores[1], 0.8 * (1 - iou));
  c.soft = SoftNms::kGaussian;
  c.sigma = 0.5;
  auto gau = RunNms(boxes, c);
  ASSERT_TRUE(gau.ok());
  EXPECT_DOUBLE_EQ(gau->scores[1], 0.8 * std::exp(-iou * iou / 0.5));
  // Pruned once the decayed score falls under --score-thr.
  c.score_thr = 0.3;  // the decayed score is 0.8 * exp(-0.669 / 0.5) = 0.21
  auto pruned = RunNms(boxes, c);
  ASSERT_EQ(pruned->kept.size(), 1u);
  // Array boxes are rescored in place (5th element).
  BoxIouConfig ca = c;
  ca.score_thr = 0.001;
  Record r = R(R"({"boxes":[[0,0,10,10,0.9],[1,0,11,10,0.8,"x"]]})");
  ca.class_agnostic = true;
  ASSERT_TRUE(BoxIouRecord(ca, nullptr, r).ok());
  auto kept = ParseBoxes(*r.FindRaw("boxes"), "boxes", {});
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_DOUBLE_EQ((*kept)[1].score, 0.8 * std::exp(-iou * iou / 0.5));
  EXPECT_EQ((*kept)[1].label, "x");
}

TEST(BoxIouToolTest, GtJoinByIdWithMatching) {
  GtIndex gt;
  gt.source = "gt.ndjson";
  gt.by_id["img1"] = {R"([{"x0":0,"y0":0,"x1":10,"y1":10},{"x0":100,"y0":100,"x1":110,"y1":110}])", 0, 0};
  BoxIouConfig c;
  c.mode = BoxIouMode::kMatch;
  c.match = MatchMethod::kHungarian;
  Record r = R(R"({"id":"img1","boxes":[{"x0":0,"y0":0,"x1":10,"y1":11,"score":0.3},{"x0":500,"y0":0,"x1":510,"y1":10}]})");
  ASSERT_TRUE(BoxIouRecord(c, &gt, r).ok());
  EXPECT_EQ(*r.FindRaw("match"),
            R"({"pairs":[{"a":0,"b":0,"iou":0.9090909090909091}],"unmatched_a":[1],"unmatched_b":[1]})");
  Record missing = R(R"({"id":"nope","boxes":[]})");
  Status s = BoxIouRecord(c, &gt, missing);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "no-gt");
  c.missing_gt_empty = true;
  Record missing2 = R(R"({"id":"nope","boxes":[{"x0":0,"y0":0,"x1":1,"y1":1}]})");
  ASSERT_TRUE(BoxIouRecord(c, &gt, missing2).ok());
  EXPECT_EQ(*missing2.FindRaw("match"), R"({"pairs":[],"unmatched_a":[0],"unmatched_b":[]})");
}

}  // namespace
}  // namespace imgpipe
