// img-norm's record function: header, boxes following the pixels, presets and the stats file.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "libcommon/boxes.h"
#include "tools/img-norm/norm_tool.h"

namespace imgpipe {
namespace {

Record PixelRecord(int w, int h, int c) {
  auto r = Record::FromJson("{\"id\":\"a\",\"boxes\":[{\"label\":\"cat\",\"x0\":0,\"y0\":0,\"x1\":640,\"y1\":480},"
                            "{\"label\":\"edge\",\"x0\":0,\"y0\":0,\"x1\":20,\"y1\":20}]}");
  EXPECT_TRUE(r.ok());
  Record rec = std::move(r.value());
  rec.payload_info.kind = PayloadKind::kPixels;
  rec.payload_info.width = w;
  rec.payload_info.height = h;
  rec.payload_info.channels = c;
  rec.payload_info.dtype = "u8";
  rec.payload.assign(size_t(w) * h * c, 128);
  return rec;
}

TEST(ImgNormTest, ShortSideCropMovesAndClipsBoxes) {
  NormToolConfig config;
  config.spec.resize = NormResize::kShortSide;
  config.spec.width = config.spec.height = 224;
  config.spec.dtype = NormDtype::kF16;
  config.spec.mean = ParseMeanStd("imagenet", false).value();
  config.spec.std = ParseMeanStd("imagenet", true).value();
  config.mean_name = config.std_name = "imagenet";
  Record rec = PixelRecord(640, 480, 3);
  ASSERT_TRUE(NormRecord(config, rec).ok());
  EXPECT_EQ(rec.payload_info.kind, PayloadKind::kTensor);
  EXPECT_EQ(rec.payload_info.shape, (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(rec.payload_info.dtype, "f16");
  EXPECT_EQ(rec.payload_info.layout, "chw");
  EXPECT_EQ(rec.payload.size(), size_t(3 * 224 * 224 * 2));
  EXPECT_EQ(rec.GetInt("width"), 224);
  auto boxes = ReadBoxes(rec);
  ASSERT_TRUE(boxes.ok());
  ASSERT_EQ(boxes->size(), 1u);  // the 20x20 box at the left edge was cropped away
  EXPECT_DOUBLE_EQ((*boxes)[0].box.x0, 0);
  EXPECT_DOUBLE_EQ((*boxes)[0].box.x1, 224);
  EXPECT_DOUBLE_EQ((*boxes)[0].box.y1, 224);
  EXPECT_EQ((*boxes)[0].Label(), "cat");
  const std::string* norm = rec.FindRaw("norm");
  ASSERT_NE(norm, nullptr);
  EXPECT_NE(norm->find("\"mean\":[0.485,0.456,0.406]"), std::string::npos) << *norm;
  EXPECT_NE(norm->find("\"boxes_dropped\":1"), std::string::npos) << *norm;
}

TEST(ImgNormTest, LetterboxBgrHwcHeaderAndBoxes) {
  NormToolConfig config;
  config.spec.resize = NormResize::kLetterbox;
  config.spec.width = config.spec.height = 320;
  config.spec.chw = false;
  config.spec.bgr = true;
  config.spec.mean = ParseMeanStd("clip", false).value();
  config.spec.std = ParseMeanStd("clip", true).value();
  Record rec = PixelRecord(640, 480, 4);
  ASSERT_TRUE(NormRecord(config, rec).ok());
  EXPECT_EQ(rec.payload_info.shape, (std::vector<int64_t>{320, 320, 3}));
  EXPECT_EQ(rec.payload_info.layout, "hwc");
  auto boxes = ReadBoxes(rec);
  ASSERT_TRUE(boxes.ok());
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_DOUBLE_EQ((*boxes)[0].box.y0, 40);
  EXPECT_DOUBLE_EQ((*boxes)[0].box.y1, 280);
  // mean / std in the tensor's channel order (B, G, R).
  EXPECT_NE(rec.FindRaw("norm")->find("\"mean\":[0.40821073,0.4578275,0.48145466]"), std::string::npos)
      << *rec.FindRaw("norm");
}

TEST(ImgNormTest, RejectsNonPixels) {
  NormToolConfig config;
  auto r = Record::FromJson("{\"id\":\"x\"}");
  ASSERT_TRUE(r.ok());
  Status s = NormRecord(config, *r);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bad-record");
}

TEST(ImgNormTest, PresetsNumbersAndSizes) {
  EXPECT_EQ((ParseMeanStd("0.5", false).value())[2], 0.5);
  EXPECT_EQ((ParseMeanStd("0.1,0.2,0.3", true).value())[1], 0.2);
  EXPECT_FALSE(ParseMeanStd("0.1,0.2", false).ok());
  EXPECT_FALSE(ParseMeanStd("0,1,1", true).ok());
  EXPECT_FALSE(ParseMeanStd("imagenette", false).ok());
  EXPECT_EQ((ParseMeanStd("clip", true).value())[0], 0.26862954);
  EXPECT_EQ(ParseSize("224").value(), (std::pair{224, 224}));
  EXPECT_EQ(ParseSize("320x240").value(), (std::pair{320, 240}));
  EXPECT_FALSE(ParseSize("0").ok());
  EXPECT_FALSE(ParseSize("12x").ok());
}

TEST(ImgNormTest, ReadsStatsFile) {
  const auto path = std::filesystem::temp_directory_path() / "img_norm_test_stats.json";
  std::ofstream(path) << "{\"imgpipe_stats\":1,\"mean\":[0.1,0.2,0.3],\"std\":[0.4,0.5,0.6]}\n";
  std::array<double, 3> m, s;
  ASSERT_TRUE(LoadStatsFile(path, &m, &s).ok());
  EXPECT_EQ(m[1], 0.2);
  EXPECT_EQ(s[2], 0.6);
  std::ofstream(path) << "{\"mean\":[0.1,0.2,0.3],\"std\":[0.4,0,0.6]}\n";
  EXPECT_FALSE(LoadStatsFile(path, &m, &s).ok());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace imgpipe
