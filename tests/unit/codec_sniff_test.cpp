// Tests for format sniffing and format names.
#include <gtest/gtest.h>

#include "formats/codec/sniff.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;

TEST(CodecSniff, RecognisesEveryFormat) {
  const Image rgb = testing::MakePattern(16, 12, 3);
  EXPECT_EQ(SniffFormat(testing::MakeJpeg(rgb)), ImageFormat::kJpeg);
  EXPECT_EQ(SniffFormat(testing::MakePng(rgb)), ImageFormat::kPng);
  const auto pal = testing::MakePalettePattern(16, 12, false);
  EXPECT_EQ(SniffFormat(testing::MakeGif(16, 12, pal.indices, {{1, 2, 3}})), ImageFormat::kGif);
  EXPECT_EQ(SniffFormat(testing::MakeBmp(rgb)), ImageFormat::kBmp);
  EXPECT_EQ(SniffFormat(testing::MakeTga(rgb)), ImageFormat::kTga);
  EXPECT_EQ(SniffFormat(testing::MakePsd(rgb)), ImageFormat::kPsd);
  EXPECT_EQ(SniffFormat(testing::MakeWebp(rgb, false)), ImageFormat::kWebp);
  EXPECT_EQ(SniffFormat(testing::MakeWebp(rgb, true)), ImageFormat::kWebp);
}

TEST(CodecSniff, RejectsGarbageAndShortInput) {
  EXPECT_EQ(SniffFormat({}), ImageFormat::kUnknown);
  const Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', ',', ' ',
                      't', 'h', 'i', 's', ' ', 'i', 's', ' ', 't', 'e', 'x', 't'};
  EXPECT_EQ(SniffFormat(text), ImageFormat::kUnknown);
  const Bytes bm_text = {'B', 'M', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ',
                         'a', ' ', 'b', 'i', 't', 'm', 'a', 'p', '!', '!'};
  EXPECT_EQ(SniffFormat(bm_text), ImageFormat::kUnknown);
  EXPECT_EQ(SniffFormat(Bytes(64, 0)), ImageFormat::kUnknown);
  EXPECT_EQ(SniffFormat(Bytes(64, 0xFF)), ImageFormat::kUnknown);
  EXPECT_EQ(SniffFormat(Bytes{0xFF, 0xD8}), ImageFormat::kUnknown);
  // Pseudo-random bytes are almost never a plausible TGA header.
  int tga_hits = 0;
  uint32_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    Bytes b(32);
    for (auto& v : b) v = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
    tga_hits += SniffFormat(b) == ImageFormat::kTga;
  }
  EXPECT_LT(tga_hits, 5);
}

TEST(CodecSniff, NamesMimesExtensions) {
  EXPECT_STREQ(MimeOf(ImageFormat::kJpeg), "image/jpeg");
  EXPECT_STREQ(ExtensionOf(ImageFormat::kJpeg), "jpg");
  EXPECT_STREQ(MimeOf(ImageFormat::kWebp), "image/webp");
  EXPECT_STREQ(ExtensionOf(ImageFormat::kPng), "png");
  EXPECT_STREQ(NameOf(ImageFormat::kGif), "gif");
  EXPECT_EQ(FormatFromName("jpeg"), ImageFormat::kJpeg);
  EXPECT_EQ(FormatFromName("JPG"), ImageFormat::kJpeg);
  EXPECT_EQ(FormatFromName(".png"), ImageFormat::kPng);
  EXPECT_EQ(FormatFromName("image/webp"), ImageFormat::kWebp);
  EXPECT_EQ(FormatFromName("tga"), ImageFormat::kTga);
  EXPECT_EQ(FormatFromName("psd"), ImageFormat::kPsd);
  EXPECT_EQ(FormatFromName("bmp"), ImageFormat::kBmp);
  EXPECT_EQ(FormatFromName("gif"), ImageFormat::kGif);
  EXPECT_EQ(FormatFromName("tiff"), ImageFormat::kUnknown);
  EXPECT_EQ(FormatFromName(""), ImageFormat::kUnknown);
  for (auto f : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kGif, ImageFormat::kBmp,
                 ImageFormat::kTga, ImageFormat::kPsd, ImageFormat::kWebp}) {
    EXPECT_EQ(FormatFromName(NameOf(f)), f);
    EXPECT_EQ(FormatFromName(ExtensionOf(f)), f);
    EXPECT_EQ(FormatFromName(MimeOf(f)), f);
  }
}

}  // namespace
}  // namespace imgpipe
