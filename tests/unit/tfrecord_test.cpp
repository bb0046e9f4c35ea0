// TFRecord framing (both masked CRC32Cs checked on read) and the hand-written Example protobuf.
#include <gtest/gtest.h>

#include "formats/containers/example_proto.h"
#include "formats/containers/tfrecord.h"
#include "libcommon/crc32c.h"

namespace imgpipe {
namespace {

TEST(TfRecordTest, MaskedCrcMatchesTensorFlowDefinition) {
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  const uint32_t crc = 0xE3069283u;
  EXPECT_EQ(MaskedCrc32c("123456789", 9), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(TfRecordTest, FramesRoundTripAndEveryCrcIsChecked) {
  std::vector<uint8_t> file;
  std::vector<std::string> payloads = {"", "a", std::string(70000, 'x')};
  for (const auto& p : payloads)
    AppendTfRecord(&file, std::span(reinterpret_cast<const uint8_t*>(p.data()), p.size()));
  auto records = ReadTfRecords(file);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[2].size(), 70000u);
  for (size_t at : {size_t(0), size_t(9), size_t(16 + 12 + 2), file.size() - 1}) {
    auto bad = file;
    bad[at] ^= 0x40;
    EXPECT_FALSE(ReadTfRecords(bad).ok()) << "flipped byte " << at;
  }
  file.pop_back();
  EXPECT_FALSE(ReadTfRecords(file).ok());
}

TEST(TfRecordTest, ExampleRoundTrip) {
  ExampleBuilder ex;
  ex.AddBytes("image/encoded", {std::string("\xff\xd8\x00jpeg", 7)});
  ex.AddBytes("image/format", {"jpeg"});
  ex.AddInt64("image/height", {480});
  ex.AddInt64("image/object/class/label", {1, 300, -5});
  ex.AddFloat("image/object/bbox/xmin", {0.25f, 0.5f});
  ex.AddFloat("image/object/bbox/xmax", {});
  ex.AddBytes("image/object/class/text", {"cat", "dog"});
  const std::string bytes = ex.Serialize();
  auto parsed = ParseExample(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto& f = *parsed;
  EXPECT_EQ(f["image/encoded"].bytes[0], std::string("\xff\xd8\x00jpeg", 7));
  EXPECT_EQ(f["image/height"].ints, std::vector<int64_t>{480});
  EXPECT_EQ(f["image/object/class/label"].ints, (std::vector<int64_t>{1, 300, -5}));
  EXPECT_EQ(f["image/object/bbox/xmin"].floats, (std::vector<float>{0.25f, 0.5f}));
  EXPECT_EQ(f["image/object/bbox/xmax"].kind, FeatureValue::kFloat);
  EXPECT_TRUE(f["image/object/bbox/xmax"].floats.empty());
  EXPECT_EQ(f["image/object/class/text"].bytes, (std::vector<std::string>{"cat", "dog"}));
}

}  // namespace
}  // namespace imgpipe
