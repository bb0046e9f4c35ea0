// Tests for the libwebp decoder.
#include <gtest/gtest.h>

#include "formats/codec/decode.h"
#include "formats/codec/pixel_convert.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;

TEST(CodecWebp, LosslessExact) {
  for (int channels : {3, 4}) {
    const Image src = testing::MakePattern(40, 28, channels);
    const Bytes webp = testing::MakeWebp(src, /*lossless=*/true);
    auto info = ReadImageInfo(webp);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->format, ImageFormat::kWebp);
    EXPECT_EQ(info->channels, channels);
    auto d = DecodeImage(webp, {.channels = channels});
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(testing::MaxAbsDiff(d->image, src), 0);
  }
}

TEST(CodecWebp, LossyCloseAndGray) {
  const Image src = testing::MakePattern(64, 48, 3);
  const Bytes webp = testing::MakeWebp(src, /*lossless=*/false, 90);
  auto d = DecodeImage(webp, {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_GT(testing::Psnr(d->image, src), 28);
  auto gray = DecodeImage(webp, {.channels = 1});
  ASSERT_TRUE(gray.ok());
  Image expected;
  expected.Allocate(64, 48, 1);
  ConvertChannels(src.data.data(), 3, expected.data.data(), 1, 64 * 48);
  EXPECT_GT(testing::Psnr(gray->image, expected), 28);
  auto rgba = DecodeImage(webp, {.channels = 4});
  ASSERT_TRUE(rgba.ok());
  EXPECT_EQ(rgba->image.data[3], 255);
}

TEST(CodecWebp, LimitsAndTruncation) {
  const Bytes webp = testing::MakeWebp(testing::MakePattern(40, 28, 3), true);
  EXPECT_EQ(DecodeImage(webp, {.max_pixels = 100}).error().code, "too-large");
  auto cut = DecodeImage(testing::Truncate(webp, webp.size() - 10), {});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, "truncated");
}

}  // namespace
}  // namespace imgpipe
