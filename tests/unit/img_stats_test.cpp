// img-stats: exact sums, JSON round trip, and a three-way split merged equal to one pass.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tools/img-stats/stats_tool.h"

namespace imgpipe {
namespace {

Image RandomImage(std::mt19937& rng, int w, int h, int c, SampleType t) {
  Image img;
  img.Allocate(w, h, c, t);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}

TEST(ImgStatsTest, ThreeWaySplitMergedEqualsOnePass) {
  for (SampleType t : {SampleType::kU8, SampleType::kU16}) {
    std::mt19937 rng(21);
    std::vector<Image> images;
    for (int i = 0; i < 30; ++i) {
      std::uniform_int_distribution<int> size(1, 90), ch(1, 4);
      images.push_back(RandomImage(rng, size(rng), size(rng), ch(rng), t));
    }
    ImageStats one;
    for (const Image& img : images) ASSERT_TRUE(one.Add(img).ok());
    ImageStats parts[3];
    for (size_t i = 0; i < images.size(); ++i) ASSERT_TRUE(parts[i % 3].Add(images[i]).ok());
    ImageStats merged;
    for (const ImageStats& p : parts) {
      // Through the JSON, as `img-stats --merge` does.
      auto back = ImageStats::FromJson(p.ToJson());
      ASSERT_TRUE(back.ok()) << back.error().message;
      ASSERT_TRUE(merged.Merge(*back).ok());
    }
    EXPECT_EQ(merged.images, one.images);
    EXPECT_EQ(merged.pixels, one.pixels);
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(merged.Mean()[k], one.Mean()[k], 1e-12);
      EXPECT_NEAR(merged.Std()[k], one.Std()[k], 1e-12);
    }
    EXPECT_EQ(merged.ToJson(), one.ToJson());  // integer partials: in fact bit-identical

    // And the numbers themselves, against a direct two-pass computation in long double.
    const double max = t == SampleType::kU8 ? 255.0 : 65535.0;
    for (int k = 0; k < 3; ++k) {
      long double s = 0, n = 0;
      std::vector<double> all;
      for (const Image& img : images) {
        for (int i = 0; i < img.width * img.height; ++i) {
          const int ch = img.channels >= 3 ? k : 0;
          const size_t at = size_t(i) * img.channels + ch;
          double v = t == SampleType::kU8 ? img.data[at]
                                          : double(img.data[2 * at] | (img.data[2 * at + 1] << 8));
          all.push_back(v);
          s += v;
          n += 1;
        }
      }
      const long double mean = s / n;
      long double ss = 0;
      for (double v : all) ss += (v - mean) * (v - mean);
      EXPECT_NEAR(one.Mean()[k], double(mean / max), 1e-12);
      EXPECT_NEAR(one.Std()[k], double(std::sqrt(ss / n) / max), 1e-12);
    }
  }
}

TEST(ImgStatsTest, HistogramsAndSizes) {
  ImageStats s;
  Image a, b;
  a.Allocate(640, 480, 3);
  b.Allocate(100, 400, 1);
  ASSERT_TRUE(s.Add(a).ok());
  ASSERT_TRUE(s.Add(b).ok());
  EXPECT_EQ(s.min_w, 100);
  EXPECT_EQ(s.max_w, 640);
  EXPECT_EQ(s.min_h, 400);
  EXPECT_EQ(s.max_h, 480);
  uint64_t total = 0;
  for (auto c : s.aspect_hist) total += c;
  EXPECT_EQ(total, 2u);
  EXPECT_EQ(s.aspect_hist[1], 1u);  // 0.25 <= 100/400 < 0.5
  EXPECT_EQ(s.width_hist[6], 1u);   // 512 <= 640 < 768
}

TEST(ImgStatsTest, RefusesMixedDtypesAndBadJson) {
  ImageStats s;
  Image a, b;
  a.Allocate(4, 4, 3, SampleType::kU8);
  b.Allocate(4, 4, 3, SampleType::kU16);
  ASSERT_TRUE(s.Add(a).ok());
  EXPECT_FALSE(s.Add(b).ok());
  EXPECT_FALSE(ImageStats::FromJson("{}").ok());
  EXPECT_FALSE(ImageStats::FromJson("{\"imgpipe_stats\":1,\"images\":1}").ok());
  std::string j = s.ToJson();
  j.replace(j.find("\"sum\":[") + 7, 1, "-");
  EXPECT_FALSE(ImageStats::FromJson(j).ok());
}

TEST(ImgStatsTest, HugeSumsStayExact) {
  EXPECT_EQ(Uint128ToString(ParseUint128("340282366920938463463374607431768211455").value()),
            "340282366920938463463374607431768211455");
  EXPECT_FALSE(ParseUint128("340282366920938463463374607431768211456").has_value());
  Image white;
  white.Allocate(1000, 1000, 3, SampleType::kU16);
  std::fill(white.data.begin(), white.data.end(), 0xFF);
  ImageStats s;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.Add(white).ok());
  EXPECT_EQ(s.Mean()[0], 1.0);
  EXPECT_EQ(s.Std()[2], 0.0);
  EXPECT_EQ(Uint128ToString(s.sum_sq[1]), Uint128ToString(Uint128(5000000) * 65535 * 65535));
}

}  // namespace
}  // namespace imgpipe
