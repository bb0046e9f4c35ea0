// img-pack's per-record preparation: keys, boxes brought to the image's pixels, payload checks.
#include <gtest/gtest.h>

#include "tools/img-pack/pack_tool.h"

namespace imgpipe {
namespace {

Record PixelRecord() {
  auto r = Record::FromJson("{\"id\":\"a.b/c\",\"width\":200,\"height\":100,\"labels\":[\"cat\"],"
                            "\"boxes\":[{\"label\":\"cat\",\"x0\":20,\"y0\":10,\"x1\":120,\"y1\":60}]}");
  EXPECT_TRUE(r.ok());
  Record rec = std::move(r.value());
  rec.payload_info.kind = PayloadKind::kPixels;
  rec.payload_info.width = 100;  // half the size the boxes were drawn on
  rec.payload_info.height = 50;
  rec.payload_info.channels = 3;
  rec.payload_info.dtype = "u8";
  rec.payload.assign(100 * 50 * 3, 90);
  return rec;
}

TEST(ImgPackTest, SafeKeys) {
  EXPECT_EQ(SafeKey("a.b/c d"), "a_b_c_d");
  EXPECT_EQ(SafeKey("ok-name_1"), "ok-name_1");
}

TEST(ImgPackTest, PixelsAreEncodedAndBoxesScaled) {
  PackToolConfig config;
  config.format = PackFormat::kWebDataset;
  Record rec = PixelRecord();
  auto s = PreparePackSample(config, rec);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->key, "a_b_c");
  EXPECT_EQ(s->image_format, "jpeg");
  EXPECT_EQ(s->image_ext, "jpg");
  EXPECT_GT(s->image.size(), 100u);
  EXPECT_EQ(s->width, 100);
  ASSERT_EQ(s->boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(s->boxes[0].x0, 10);
  EXPECT_DOUBLE_EQ(s->boxes[0].y1, 30);
  EXPECT_EQ(s->box_labels[0], "cat");
  EXPECT_EQ(s->label, "cat");
  EXPECT_EQ(s->json.find("payload"), std::string::npos);
}

TEST(ImgPackTest, ArraysNeedPixelsOrTensors) {
  PackToolConfig config;
  config.format = PackFormat::kNpy;
  Record rec = PixelRecord();
  auto s = PreparePackSample(config, rec);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->shape, (std::vector<int64_t>{50, 100, 3}));
  EXPECT_EQ(s->array.size(), 15000u);

  auto enc = Record::FromJson("{\"id\":\"e\"}");
  ASSERT_TRUE(enc.ok());
  enc->payload_info.kind = PayloadKind::kEncoded;
  enc->payload = {1, 2, 3};
  auto bad = PreparePackSample(config, *enc);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "unsupported");

  config.format = PackFormat::kImageFolder;
  auto tensor = Record::FromJson("{\"id\":\"t\"}");
  tensor->payload_info.kind = PayloadKind::kTensor;
  tensor->payload_info.shape = {3, 2, 2};
  tensor->payload_info.dtype = "u8";
  tensor->payload_info.layout = "chw";
  tensor->payload.assign(12, 0);
  EXPECT_FALSE(PreparePackSample(config, *tensor).ok());

  auto none = Record::FromJson("{\"id\":\"n\"}");
  EXPECT_EQ(PreparePackSample(config, *none).error().code, "bad-record");
}

}  // namespace
}  // namespace imgpipe
