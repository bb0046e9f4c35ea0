// Tests for EncodeImage round trips through our decoders.
#include <gtest/gtest.h>

#include "formats/codec/decode.h"
#include "formats/codec/encode.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

Image RoundTrip(const Image& src, ImageFormat format, const EncodeOptions& eo,
                const DecodeOptions& dopt) {
  auto encoded = EncodeImage(src, format, eo);
  EXPECT_TRUE(encoded.ok()) << encoded.error().message;
  if (!encoded.ok()) return {};
  EXPECT_EQ(SniffFormat(*encoded), format);
  auto decoded = DecodeImage(*encoded, dopt);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  return decoded.ok() ? decoded->image : Image{};
}

TEST(CodecEncode, PngLossless8And16) {
  for (int c : {1, 3, 4}) {
    const Image src = testing::MakePattern(33, 21, c);
    EXPECT_EQ(testing::MaxAbsDiff(RoundTrip(src, ImageFormat::kPng, {}, {.channels = c}), src), 0);
    const Image wide = testing::MakePattern(33, 21, c, true);
    EXPECT_EQ(
        testing::MaxAbsDiff(
            RoundTrip(wide, ImageFormat::kPng, {}, {.channels = c, .keep_16bit = true}), wide),
        0);
  }
}

TEST(CodecEncode, JpegVariants) {
  const Image src = testing::MakePattern(64, 40, 3);
  for (int samp : {420, 422, 444}) {
    for (bool progressive : {false, true}) {
      const Image out =
          RoundTrip(src, ImageFormat::kJpeg,
                    {.quality = 92, .progressive = progressive, .subsampling = samp}, {});
      EXPECT_GT(testing::Psnr(out, src), samp == 420 ? 28 : 30) << samp << progressive;
    }
  }
  const Image gray = testing::MakePattern(64, 40, 1);
  EXPECT_GT(testing::Psnr(RoundTrip(gray, ImageFormat::kJpeg, {}, {.channels = 1}), gray), 35);
}

TEST(CodecEncode, Webp) {
  const Image rgba = testing::MakePattern(50, 30, 4);
  EXPECT_EQ(testing::MaxAbsDiff(
                RoundTrip(rgba, ImageFormat::kWebp, {.lossless = true}, {.channels = 4}), rgba),
            0);
  const Image rgb = testing::MakePattern(50, 30, 3);
  EXPECT_GT(testing::Psnr(RoundTrip(rgb, ImageFormat::kWebp, {.quality = 90}, {}), rgb), 26);
}

TEST(CodecEncode, Errors) {
  const Image wide = testing::MakePattern(8, 8, 3, true);
  EXPECT_EQ(EncodeImage(wide, ImageFormat::kJpeg, {}).error().code, "unsupported");
  EXPECT_EQ(EncodeImage(wide, ImageFormat::kWebp, {}).error().code, "unsupported");
  const Image rgb = testing::MakePattern(8, 8, 3);
  EXPECT_EQ(EncodeImage(rgb, ImageFormat::kJpeg, {.subsampling = 411}).error().code, "unsupported");
  EXPECT_EQ(EncodeImage(rgb, ImageFormat::kGif, {}).error().code, "unsupported");
  Image broken = rgb;
  broken.data.resize(10);
  EXPECT_FALSE(EncodeImage(broken, ImageFormat::kPng, {}).ok());
  EXPECT_FALSE(EncodeImage(Image{}, ImageFormat::kPng, {}).ok());
}

}  // namespace
}  // namespace imgpipe
