// img-aug: the --ops syntax, the JSON form and its round trip, the draws and the edge cases.
#include <gtest/gtest.h>

#include <random>

#include "libcommon/kernels/warp.h"
#include "libcommon/random.h"
#include "tools/img-aug/ops.h"
#include "tools/img-aug/pipeline.h"

namespace imgpipe::aug {
namespace {

TEST(AugOpsTest, ParsesTheIssueExample) {
  auto ops = ParseOpsSpec("rrc=224,scale=0.08:1;hflip=0.5;jitter=0.4,0.4,0.4,0.1");
  ASSERT_TRUE(ops) << ops.error().message;
  ASSERT_EQ(ops->ops.size(), 3u);
  EXPECT_EQ(ops->ops[0].op, "rrc");
  EXPECT_EQ(ops->ops[0].Num("size", 1), 224);
  EXPECT_DOUBLE_EQ(ops->ops[0].Num("scale", 0), 0.08);
  EXPECT_DOUBLE_EQ(ops->ops[0].Num("ratio", 1), 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(ops->ops[1].p, 0.5);
  EXPECT_DOUBLE_EQ(ops->ops[2].Num("brightness", 0), 0.6);
  EXPECT_DOUBLE_EQ(ops->ops[2].Num("brightness", 1), 1.4);
  EXPECT_DOUBLE_EQ(ops->ops[2].Num("hue", 0), -0.1);
  EXPECT_EQ(OpsToJson(*ops),
            "{\"version\":1,\"ops\":[{\"op\":\"rrc\",\"p\":1,\"size\":[224,224],\"scale\":[0.08,1],\"ratio\":[0.75,"
            "1.3333333333333333]},{\"op\":\"hflip\",\"p\":0.5},{\"op\":\"jitter\",\"p\":1,\"brightness\":[0.6,1.4],"
            "\"contrast\":[0.6,1.4],\"saturation\":[0.6,1.4],\"hue\":[-0.1,0.1]}]}");
}

TEST(AugOpsTest, JsonRoundTripsForEveryOp) {
  const std::string spec =
      "crop=1,2,30,40;ccrop=20;rcrop=20,10;rrc=32,24,ratio=0.5:2;resize=64;resize=10,20;resize=50,mode=long;"
      "pad=1,2;letterbox=64,48;hflip;vflip=0.2;rot90=0.5,k=1:3;rotate=30,border=reflect,fill=1:2:3,expand=1;"
      "affine=10,translate=0.1,scale=0.9:1.1,shear=5;perspective=0.3;brightness=0.2;contrast=0.3,p=0.4;"
      "saturation=0.5:1.5;hue=0.1;jitter=0.1,0.2,0.3,0.04;gamma=0.7:1.4;grayscale=0.1;channel_shuffle;equalize;"
      "posterize=3:6;solarize=200;noise=5:15,per_channel=0;blur=0.5:1.5;jpeg=30:90;cutout=2:4,0.05:0.2,fill=128;"
      "one_of(hflip|rotate=10|blur=1,p=0.3),p=0.7";
  auto ops = ParseOpsSpec(spec);
  ASSERT_TRUE(ops) << ops.error().message;
  const std::string json = OpsToJson(*ops);
  auto back = ParseOpsJson(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(OpsToJson(*back), json);
  EXPECT_EQ(ops->ops[4].Str("mode"), "short");
  EXPECT_EQ(ops->ops[5].Str("mode"), "exact");
}

TEST(AugOpsTest, RejectsBadSpecs) {
  for (const char* bad : {"", "nope=1", "rrc", "rrc=0", "hflip=2", "rrc=224,scale=1:0.5", "hue=0.7",
                          "posterize=9", "jpeg=0", "rotate=10,border=mirror", "brightness=0.2,fill=3",
                          "one_of(hflip", "rrc=224,color=1", "pad=1,2,3", "crop=1,2"}) {
    EXPECT_FALSE(ParseOpsSpec(bad)) << bad;
  }
  EXPECT_FALSE(ParseOpsJson("[{\"op\":\"rrc\"}]"));
  EXPECT_FALSE(ParseOpsJson("{\"version\":2,\"ops\":[{\"op\":\"hflip\"}]}"));
  EXPECT_FALSE(ParseOpsJson("not json"));
}

TEST(AugRandomTest, PhiloxKnownAnswer) {
  // Random123's kat_vectors: philox4x32_10 with counter and key all zero.
  const uint32_t ctr[4] = {0, 0, 0, 0}, key[2] = {0, 0};
  const Philox4x32 r = Philox(ctr, key);
  EXPECT_EQ(r.v[0], 0x6627e8d5u);
  EXPECT_EQ(r.v[1], 0xe169c58du);
  EXPECT_EQ(r.v[2], 0xbc57ac4cu);
  EXPECT_EQ(r.v[3], 0x9b00dbd8u);
  const uint32_t ctr2[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
  const uint32_t key2[2] = {0xa4093822u, 0x299f31d0u};
  const Philox4x32 r2 = Philox(ctr2, key2);
  EXPECT_EQ(r2.v[0], 0xd16cfe09u);
  EXPECT_EQ(r2.v[1], 0x94fdccebu);
  EXPECT_EQ(r2.v[2], 0x5001e420u);
  EXPECT_EQ(r2.v[3], 0x24126ea1u);
}

TEST(AugRandomTest, DrawsArePureAndSeparated) {
  CounterRng a(7, HashKey("x"), 0, 1), b(7, HashKey("x"), 0, 1), c(7, HashKey("x"), 1, 1), d(8, HashKey("x"), 0, 1);
  for (int i = 0; i < 10; ++i) {
    const double va = a.Uniform();
    EXPECT_EQ(va, b.Uniform());
    EXPECT_NE(va, c.Uniform());
    EXPECT_NE(va, d.Uniform());
    EXPECT_GE(va, 0.0);
    EXPECT_LT(va, 1.0);
  }
  CounterRng e(1, 2, 3);
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = e.UniformInt(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
}

Image Pattern(int w, int h, int c) {
  Image img;
  img.Allocate(w, h, c);
  for (size_t i = 0; i < img.data.size(); ++i) img.data[i] = uint8_t(i * 37 + i / 7);
  return img;
}

TEST(AugPipelineTest, StepsReplayBitForBit) {
  auto ops = ParseOpsSpec(
      "rrc=48,40;hflip=0.5;rotate=20;jitter=0.4,0.4,0.4,0.1;gamma;posterize=5:8;noise=3:8;blur=0.3:1;jpeg=60:90;"
      "cutout=1:3,0.1:0.3;one_of(equalize|grayscale|channel_shuffle|solarize=100:200)");
  ASSERT_TRUE(ops);
  for (int channels = 1; channels <= 4; ++channels) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      const Image img = Pattern(73, 51, channels);
      const auto steps = DrawSteps(*ops, seed, HashKey("id"), 0, img.width, img.height);
      auto first = ApplySteps(steps, img, {}, ApplyOptions{});
      ASSERT_TRUE(first) << first.error().message;
      auto parsed = StepsFromJson(StepsToJson(steps));
      ASSERT_TRUE(parsed);
      EXPECT_EQ(StepsToJson(*parsed), StepsToJson(steps));
      auto again = ApplySteps(*parsed, img, {}, ApplyOptions{});
      ASSERT_TRUE(again);
      EXPECT_EQ(first->image.data, again->image.data) << "channels " << channels << " seed " << seed;
      EXPECT_EQ(first->image.channels, channels);
      EXPECT_EQ(first->image.width, 48);
      EXPECT_EQ(first->image.height, 40);
    }
  }
}

TEST(AugPipelineTest, GeometricRunsFuseIntoOneWarp) {
  auto ops = ParseOpsSpec("rotate=10;affine=5;resize=40,30;hflip=1;brightness=0.3;contrast=0.3;vflip=1;rot90,k=1");
  ASSERT_TRUE(ops);
  auto out = ApplySteps(DrawSteps(*ops, 1, 2, 0, 64, 48), Pattern(64, 48, 3), {}, ApplyOptions{});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->warps, 2);
  EXPECT_EQ(out->image.width, 30);  // rot90 swaps
  EXPECT_EQ(out->image.height, 40);
}

TEST(AugPipelineTest, EdgeCases) {
  // 1x1 images through everything.
  auto ops = ParseOpsSpec("rrc=8;rotate=30;perspective=0.5;jitter=0.5,0.5,0.5,0.2;equalize;blur=1;jpeg=50;cutout=2,0.5");
  ASSERT_TRUE(ops);
  for (int c = 1; c <= 4; ++c) {
    auto out = ApplySteps(DrawSteps(*ops, 3, 4, 0, 1, 1), Pattern(1, 1, c), {}, ApplyOptions{});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->image.width, 8);
    EXPECT_EQ(out->image.data.size(), size_t(64 * c));
  }
  // A crop larger than the image: the image inside a constant border, boxes kept.
  auto big = ParseOpsSpec("center_crop=40,30");
  ASSERT_TRUE(big);
  BoxRecord box;
  box.box = {0, 0, 10, 10};
  box.fields = Record::FromJson("{\"label\":\"a\"}").value();
  ApplyOptions o;
  o.fill[0] = o.fill[1] = o.fill[2] = 9;
  auto out = ApplySteps(DrawSteps(*big, 0, 0, 0, 20, 10), Pattern(20, 10, 3), {box}, o);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->image.width, 40);
  EXPECT_EQ(out->image.data[0], 9);
  ASSERT_EQ(out->boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.x0, 10);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.y0, 10);
  // Boxes entirely cut away are dropped and reported.
  auto crop = ParseOpsSpec("crop=50,50,20,20");
  ASSERT_TRUE(crop);
  out = ApplySteps(DrawSteps(*crop, 0, 0, 0, 100, 100), Pattern(100, 100, 3), {box}, ApplyOptions{});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->boxes.empty());
  ASSERT_EQ(out->dropped.size(), 1u);
  EXPECT_EQ(out->dropped[0].label_json, "\"a\"");
  // --min-visibility: half the box left.
  box.box = {40, 50, 60, 60};
  ApplyOptions vis;
  vis.min_visibility = 0.6;
  out = ApplySteps(DrawSteps(*crop, 0, 0, 0, 100, 100), Pattern(100, 100, 3), {box}, vis);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->boxes.empty());
  vis.min_visibility = 0.4;
  out = ApplySteps(DrawSteps(*crop, 0, 0, 0, 100, 100), Pattern(100, 100, 3), {box}, vis);
  ASSERT_EQ(out->boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.x0, 0);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.x1, 10);
}

TEST(AugPipelineTest, FlipsMoveBoxesAndSwapLabels) {
  auto ops = ParseOpsSpec("hflip=1");
  ASSERT_TRUE(ops);
  BoxRecord box;
  box.box = {0, 1, 10, 5};
  box.fields = Record::FromJson("{\"label\":\"left_eye\",\"score\":0.5}").value();
  ApplyOptions o;
  o.swap_labels = {{"left_eye", "right_eye"}};
  auto out = ApplySteps(DrawSteps(*ops, 0, 0, 0, 40, 20), Pattern(40, 20, 3), {box}, o);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.x0, 30);
  EXPECT_DOUBLE_EQ(out->boxes[0].box.x1, 40);
  EXPECT_EQ(*out->boxes[0].Label(), "right_eye");
  EXPECT_EQ(*out->boxes[0].Score(), 0.5);
  // hflip exactly mirrors the pixels.
  const Image src = Pattern(40, 20, 3);
  for (int x = 0; x < 40; ++x)
    EXPECT_EQ(out->image.data[size_t(x) * 3], src.data[size_t(39 - x) * 3]);
  // Two flips are a rotation: labels stay.
  auto both = ParseOpsSpec("hflip=1;vflip=1");
  out = ApplySteps(DrawSteps(*both, 0, 0, 0, 40, 20), src, {box}, o);
  EXPECT_EQ(*out->boxes[0].Label(), "left_eye");
}

// Flips and quarter turns take a pixel-permutation shortcut; it must give the warp's bytes.
TEST(AugPipelineTest, PermutationShortcutEqualsTheWarp) {
  for (const char* spec : {"hflip=1", "vflip=1", "rot90,k=1", "rot90,k=2", "rot90,k=3", "hflip=1;rot90,k=1",
                           "vflip=1;rot90,k=1", "hflip=1;vflip=1;rot90,k=3"}) {
    for (int c = 1; c <= 4; ++c) {
      const Image src = Pattern(13, 7, c);
      auto ops = ParseOpsSpec(spec);
      ASSERT_TRUE(ops);
      const auto steps = DrawSteps(*ops, 0, 0, 0, 13, 7);
      auto fast = ApplySteps(steps, src, {}, ApplyOptions{});
      ASSERT_TRUE(fast);
      Mat3 m;
      int w = 13, h = 7;
      for (const Step& st : steps) {
        auto g = GeomOf(st, w, h);
        ASSERT_TRUE(g);
        m = Mul(g->m, m);
        w = g->out_w, h = g->out_h;
      }
      WarpSpec ws;
      const Mat3 inv = Inverse(m);
      for (int i = 0; i < 9; ++i) ws.inv[i] = inv.m[i];
      Image slow;
      Warp(src, ws, w, h, &slow);
      EXPECT_EQ(fast->image.width, slow.width) << spec;
      EXPECT_EQ(fast->image.data, slow.data) << spec << " channels " << c;
    }
  }
}

TEST(AugPipelineTest, RrcFallbackAndBounds) {
  auto ops = ParseOpsSpec("rrc=16,scale=0.99:1,ratio=5:6");  // impossible on a square: centre fallback
  ASSERT_TRUE(ops);
  const auto steps = DrawSteps(*ops, 0, 0, 0, 100, 100);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].Num("w"), 100);
  EXPECT_EQ(steps[0].Num("h"), 20);
  EXPECT_EQ(steps[0].Num("y"), 40);
  auto normal = ParseOpsSpec("rrc=16");
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto s = DrawSteps(*normal, seed, 1, 0, 64, 48);
    EXPECT_GE(s[0].Num("x"), 0);
    EXPECT_LE(s[0].Num("x") + s[0].Num("w"), 64);
    EXPECT_LE(s[0].Num("y") + s[0].Num("h"), 48);
  }
}

}  // namespace
}  // namespace imgpipe::aug
