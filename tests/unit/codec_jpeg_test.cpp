// Tests for the TurboJPEG decoder: variants, colour conversions, scaling, limits, truncation.
#include <gtest/gtest.h>

#include "formats/codec/decode.h"
#include "formats/codec/jpeg_decoder.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;
using testing::JpegFixtureOptions;

DecodedImage DecodeOk(const Bytes& bytes, const DecodeOptions& options = {}) {
  auto r = DecodeImage(bytes, options);
  EXPECT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  return r.ok() ? std::move(r).value() : DecodedImage{};
}

Image ToChannels(const Image& rgb, int channels) {
  Image out;
  out.Allocate(rgb.width, rgb.height, channels);
  for (size_t i = 0; i < size_t(rgb.width) * rgb.height; ++i) {
    const uint8_t* p = &rgb.data[i * 3];
    const uint8_t gray = uint8_t((p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8);
    for (int c = 0; c < channels; ++c) {
      out.data[i * channels + c] = channels == 1 ? gray : c < 3 ? p[c] : 255;
    }
  }
  return out;
}

TEST(CodecJpeg, VariantsDecodeCloseToSource) {
  const Image rgb = testing::MakePattern(64, 48, 3);
  struct Case {
    const char* name;
    JpegFixtureOptions options;
    double min_psnr;
  };
  const Case cases[] = {
      {"baseline420", {.subsampling = 420}, 28},
      {"422", {.subsampling = 422}, 28},
      {"444", {.subsampling = 444}, 34},
      {"progressive", {.progressive = true}, 28},
      {"restart", {.restart_interval = 2}, 28},
      {"progressive-restart", {.progressive = true, .restart_interval = 1}, 28},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const DecodedImage d = DecodeOk(testing::MakeJpeg(rgb, c.options));
    EXPECT_EQ(d.info.format, ImageFormat::kJpeg);
    EXPECT_EQ(d.info.channels, 3);
    ASSERT_EQ(d.image.width, 64);
    ASSERT_EQ(d.image.height, 48);
    EXPECT_GT(testing::Psnr(d.image, rgb), c.min_psnr);
  }
}

TEST(CodecJpeg, ColourToGrayAndRgba) {
  const Image rgb = testing::MakePattern(48, 32, 3);
  const Bytes jpeg = testing::MakeJpeg(rgb, {.subsampling = 444});
  const DecodedImage gray = DecodeOk(jpeg, {.channels = 1});
  EXPECT_EQ(gray.image.channels, 1);
  EXPECT_GT(testing::Psnr(gray.image, ToChannels(rgb, 1)), 32);
  const DecodedImage rgba = DecodeOk(jpeg, {.channels = 4});
  EXPECT_EQ(rgba.image.channels, 4);
  EXPECT_GT(testing::Psnr(rgba.image, ToChannels(rgb, 4)), 32);
}

TEST(CodecJpeg, GrayToOneThreeFour) {
  const Image gray = testing::MakePattern(40, 30, 1);
  const Bytes jpeg = testing::MakeJpeg(gray);
  for (int channels : {1, 3, 4}) {
    const DecodedImage d = DecodeOk(jpeg, {.channels = channels});
    EXPECT_EQ(d.info.channels, 1);
    ASSERT_EQ(d.image.channels, channels);
    Image expected;
    expected.Allocate(40, 30, channels);
    for (size_t i = 0; i < 40 * 30; ++i) {
      for (int c = 0; c < channels; ++c) {
        expected.data[i * channels + c] = c == 3 ? 255 : gray.data[i];
      }
    }
    EXPECT_GT(testing::Psnr(d.image, expected), 35) << channels;
  }
}

TEST(CodecJpeg, CmykAndYcckBecomeRgb) {
  const Image rgb = testing::MakePattern(48, 32, 3);
  const Image expected = testing::CmykRoundTripExpectation(rgb);
  for (bool ycck : {false, true}) {
    SCOPED_TRACE(ycck ? "ycck" : "cmyk");
    const Bytes jpeg = testing::MakeJpeg(rgb, {.quality = 98, .cmyk = true, .ycck = ycck});
    const DecodedImage d = DecodeOk(jpeg);
    EXPECT_EQ(d.info.channels, 4);
    EXPECT_GT(testing::Psnr(d.image, expected), 30);
    EXPECT_GT(testing::Psnr(d.image, rgb), 30);
    const DecodedImage gray = DecodeOk(jpeg, {.channels = 1});
    EXPECT_GT(testing::Psnr(gray.image, ToChannels(rgb, 1)), 30);
    const DecodedImage rgba = DecodeOk(jpeg, {.channels = 4});
    EXPECT_GT(testing::Psnr(rgba.image, ToChannels(rgb, 4)), 30);
  }
}

TEST(CodecJpeg, ScaleChoice) {
  int num, denom;
  ChooseJpegScale(800, 600, 256, &num, &denom);
  EXPECT_EQ(denom, 2);  // 800/4 = 200 < 256, 800/2 = 400 >= 256
  ChooseJpegScale(800, 600, 100, &num, &denom);
  EXPECT_EQ(denom, 8);
  ChooseJpegScale(800, 600, 101, &num, &denom);
  EXPECT_EQ(denom, 4);
  ChooseJpegScale(800, 600, 0, &num, &denom);
  EXPECT_EQ(denom, 1);
  ChooseJpegScale(800, 600, 5000, &num, &denom);
  EXPECT_EQ(denom, 1);
  ChooseJpegScale(600, 801, 101, &num, &denom);  // portrait, rounds up: ceil(801/8) = 101
  EXPECT_EQ(denom, 8);
  EXPECT_EQ(num, 1);
}

TEST(CodecJpeg, MinLongSideDecodesScaled) {
  const Bytes jpeg = testing::MakeJpeg(testing::MakePattern(800, 600, 3), {.quality = 80});
  const DecodedImage half = DecodeOk(jpeg, {.min_long_side = 256});
  EXPECT_EQ(half.image.width, 400);
  EXPECT_EQ(half.image.height, 300);
  EXPECT_EQ(half.scale_num, 1);
  EXPECT_EQ(half.scale_denom, 2);
  EXPECT_EQ(half.info.width, 800);
  const DecodedImage eighth = DecodeOk(jpeg, {.channels = 1, .min_long_side = 90});
  EXPECT_EQ(eighth.image.width, 100);
  EXPECT_EQ(eighth.image.height, 75);
  EXPECT_EQ(eighth.image.data.size(), 100u * 75u);
}

TEST(CodecJpeg, InfoFromHeader) {
  const Bytes jpeg = testing::MakeJpeg(testing::MakePattern(33, 17, 1));
  auto info = ReadImageInfo(jpeg);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->format, ImageFormat::kJpeg);
  EXPECT_EQ(info->width, 33);
  EXPECT_EQ(info->height, 17);
  EXPECT_EQ(info->channels, 1);
  EXPECT_EQ(info->bits_per_sample, 8);
  EXPECT_EQ(info->orientation, 1);
}

TEST(CodecJpeg, PixelLimitFromHeader) {
  Bytes jpeg = testing::MakeJpeg(testing::MakePattern(16, 16, 3));
  auto small = DecodeImage(jpeg, {.max_pixels = 255});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, "too-large");
  EXPECT_TRUE(DecodeImage(jpeg, {.max_pixels = 256}).ok());
  // Claim 60000x60000 in SOF0: refused from the header, nothing allocated.
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 5] = 0xEA, jpeg[i + 6] = 0x60, jpeg[i + 7] = 0xEA, jpeg[i + 8] = 0x60;
      break;
    }
  }
  auto bomb = DecodeImage(jpeg, {});
  ASSERT_FALSE(bomb.ok());
  EXPECT_EQ(bomb.error().code, "too-large") << bomb.error().message;
}

TEST(CodecJpeg, TruncatedIsAnErrorUnlessAllowed) {
  for (bool progressive : {false, true}) {
    const Bytes jpeg =
        testing::MakeJpeg(testing::MakePattern(64, 64, 3), {.progressive = progressive});
    const Bytes cut = testing::Truncate(jpeg, jpeg.size() * 2 / 3);
    auto strict = DecodeImage(cut, {});
    ASSERT_FALSE(strict.ok());
    EXPECT_EQ(strict.error().code, "truncated");
    EXPECT_NE(strict.error().message.find("truncated JPEG"), std::string::npos);
    auto lenient = DecodeImage(cut, {.allow_truncated = true});
    ASSERT_TRUE(lenient.ok()) << lenient.error().message;
    EXPECT_EQ(lenient->image.width, 64);
  }
}

TEST(CodecJpeg, BadOptions) {
  const Bytes jpeg = testing::MakeJpeg(testing::MakePattern(8, 8, 3));
  EXPECT_EQ(DecodeImage(jpeg, {.channels = 2}).error().code, "unsupported");
}

}  // namespace
}  // namespace imgpipe

namespace imgpipe {
namespace {

TEST(CodecJpeg, StrayBytesBeforeEoiAreTolerated) {
  const Image rgb = testing::MakePattern(32, 32, 3);
  testing::Bytes jpeg = testing::MakeJpeg(rgb);
  auto clean = DecodeImage(jpeg, {});
  ASSERT_TRUE(clean.ok());
  // Some cameras pad before EOI; libjpeg warns ("extraneous bytes") but the image is whole.
  jpeg.insert(jpeg.end() - 2, {0x00, 0x00, 0x00});
  auto d = DecodeImage(jpeg, {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(testing::MaxAbsDiff(d->image, clean->image), 0);
}

TEST(CodecJpeg, CmykScaled) {
  const Image rgb = testing::MakePattern(64, 48, 3);
  auto d = DecodeImage(testing::MakeJpeg(rgb, {.cmyk = true}), {.min_long_side = 16});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->image.width, 16);
  EXPECT_EQ(d->image.height, 12);
  EXPECT_EQ(d->scale_denom, 4);
}

}  // namespace
}  // namespace imgpipe

namespace imgpipe {
namespace {

// Decoders keep one TurboJPEG handle per thread: a corrupt image must not poison the handle
// for the valid images after it (img-decode's workers decode thousands in a row).
TEST(CodecJpeg, ValidImageDecodesAfterCorruptOnesOnTheSameThread) {
  const Image rgb = testing::MakePattern(64, 48, 3);
  const Bytes good = testing::MakeJpeg(rgb);
  int failures = 0;
  for (size_t i = 0; i < good.size() * 8; i += 7) {
    if (!DecodeImage(testing::FlipBit(good, i), {}).ok()) ++failures;
    ASSERT_TRUE(DecodeImage(good, {}).ok()) << "after flipping bit " << i;
  }
  EXPECT_GT(failures, 0);  // some flips really were errors
}

}  // namespace
}  // namespace imgpipe
