// Tests for EXIF orientation reading and writing, including hostile EXIF.
#include <gtest/gtest.h>

#include <cstring>

#include "formats/codec/decode.h"
#include "formats/codec/exif.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;

Bytes SmallJpeg() { return testing::MakeJpeg(testing::MakePattern(24, 16, 3)); }

TEST(CodecExif, AbsentMeansOne) {
  EXPECT_EQ(ParseExifOrientation(SmallJpeg()), 1);
  EXPECT_EQ(ParseExifOrientation({}), 1);
  EXPECT_EQ(ParseExifOrientation(testing::MakePng(testing::MakePattern(4, 4, 3))), 1);
}

TEST(CodecExif, RoundTripsAllOrientations) {
  const Bytes jpeg = SmallJpeg();
  for (int n = 1; n <= 8; ++n) {
    const Bytes tagged = testing::InsertExifOrientation(jpeg, n);
    EXPECT_EQ(ParseExifOrientation(tagged), n);
    auto info = ReadImageInfo(tagged);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->orientation, n);
    DecodeOptions options;
    auto decoded = DecodeImage(tagged, options);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.orientation, n);
    EXPECT_EQ(decoded->image.width, 24);  // reported, not applied
  }
}

TEST(CodecExif, ReplacesExistingExifAndKeepsJfifFirst) {
  const Bytes once = testing::InsertExifOrientation(SmallJpeg(), 3);
  const Bytes twice = testing::InsertExifOrientation(once, 6);
  EXPECT_EQ(ParseExifOrientation(twice), 6);
  EXPECT_EQ(twice.size(), once.size());
  // libjpeg writes a JFIF APP0 right after SOI; it must stay there.
  ASSERT_GT(twice.size(), 4u);
  EXPECT_EQ(twice[2], 0xFF);
  EXPECT_EQ(twice[3], 0xE0);
}

TEST(CodecExif, RejectsBadArguments) {
  EXPECT_EQ(AddExifOrientation(SmallJpeg(), 0).error().code, "unsupported");
  EXPECT_EQ(AddExifOrientation(SmallJpeg(), 9).error().code, "unsupported");
  const Bytes png = testing::MakePng(testing::MakePattern(4, 4, 3));
  EXPECT_EQ(AddExifOrientation(png, 6).error().code, "unsupported");
  EXPECT_EQ(AddExifOrientation(testing::Truncate(SmallJpeg(), 30), 6).error().code, "truncated");
}

TEST(CodecExif, LittleEndianTiff) {
  const uint8_t tiff[] = {'I',  'I',  42, 0, 8, 0, 0, 0, 2, 0, 0x00, 0x01, 3, 0, 1, 0,
                          0,    0,    5,  0, 0, 0,  // ImageWidth first
                          0x12, 0x01, 3,  0, 1, 0, 0, 0, 7, 0, 0,    0,    0, 0, 0, 0};
  EXPECT_EQ(ParseTiffOrientation(tiff), 7);
}

TEST(CodecExif, HostileTiffNeverReadsOutside) {
  const uint8_t bad_offset[] = {'M', 'M', 0, 42, 0xFF, 0xFF, 0xFF, 0xF0, 0, 1};
  EXPECT_EQ(ParseTiffOrientation(bad_offset), 1);
  const uint8_t huge_count[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0xFF, 0xFF, 0, 0};
  EXPECT_EQ(ParseTiffOrientation(huge_count), 1);
  const uint8_t wrong_type[] = {'M',  'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01,
                                0x12, 0,   4, 0,  0, 0, 1, 0, 0, 0, 6};
  EXPECT_EQ(ParseTiffOrientation(wrong_type), 1);
  const uint8_t out_of_range[] = {'M',  'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01,
                                  0x12, 0,   3, 0,  0, 0, 1, 0, 9, 0, 0};
  EXPECT_EQ(ParseTiffOrientation(out_of_range), 1);
  // Every truncation and every single-bit flip of a tagged JPEG parses without incident.
  const Bytes tagged = testing::InsertExifOrientation(SmallJpeg(), 6);
  for (size_t n = 0; n < 80; ++n) {
    const int v = ParseExifOrientation(testing::Truncate(tagged, n));
    EXPECT_TRUE(v >= 1 && v <= 8);
  }
  for (size_t bit = 0; bit < 60 * 8; ++bit) {
    const int v = ParseExifOrientation(testing::FlipBit(tagged, bit));
    EXPECT_TRUE(v >= 1 && v <= 8);
  }
}

TEST(CodecExif, WebpAndPngChunks) {
  const uint8_t tiff[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0,
                          3,   0,   0, 0,  1, 0, 8, 0, 0, 0, 0,    0,    0};
  Bytes webp = testing::MakeWebp(testing::MakePattern(8, 8, 3), true);
  const uint32_t n = sizeof(tiff);
  webp.insert(webp.end(), {'E', 'X', 'I', 'F', uint8_t(n), 0, 0, 0});
  webp.insert(webp.end(), tiff, tiff + n);
  const uint32_t riff = uint32_t(webp.size() - 8);
  std::memcpy(&webp[4], &riff, 4);  // little-endian host
  EXPECT_EQ(ParseExifOrientation(webp), 8);

  Bytes png = testing::MakePng(testing::MakePattern(4, 4, 3));
  const Bytes iend(png.end() - 12, png.end());
  png.resize(png.size() - 12);
  testing::AppendPngChunk(png, "eXIf", Bytes(tiff, tiff + n));
  png.insert(png.end(), iend.begin(), iend.end());
  EXPECT_EQ(ParseExifOrientation(png), 8);
  auto decoded = DecodeImage(png, DecodeOptions{});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->info.orientation, 8);
}

}  // namespace
}  // namespace imgpipe
