// Tests for the stb-backed decoders: PNG (all colour types, 16-bit, palette), GIF, BMP, TGA, PSD.
#include <gtest/gtest.h>

#include <cstring>

#include "formats/codec/decode.h"
#include "formats/codec/pixel_convert.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;

DecodedImage DecodeOk(const Bytes& bytes, const DecodeOptions& options = {}) {
  auto r = DecodeImage(bytes, options);
  EXPECT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  return r.ok() ? std::move(r).value() : DecodedImage{};
}

// stb's channel conversion: gray = luma, alpha dropped or set opaque.
Image Convert(const Image& src, int channels) {
  Image out;
  out.Allocate(src.width, src.height, channels);
  ConvertChannels(src.data.data(), src.channels, out.data.data(), channels,
                  size_t(src.width) * src.height);
  return out;
}

Image HighBytes(const Image& wide) {
  Image out;
  out.Allocate(wide.width, wide.height, wide.channels);
  for (size_t i = 0; i < out.data.size(); ++i) {
    uint16_t v;
    std::memcpy(&v, &wide.data[i * 2], 2);
    out.data[i] = uint8_t(v >> 8);
  }
  return out;
}

TEST(CodecStb, Png8AllColourTypesToAllOutputs) {
  for (int in : {1, 2, 3, 4}) {
    const Image src = testing::MakePattern(37, 23, in);
    const Bytes png = testing::MakePng(src);
    auto info = ReadImageInfo(png);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->channels, in);
    EXPECT_EQ(info->bits_per_sample, 8);
    for (int out : {1, 3, 4}) {
      SCOPED_TRACE(std::to_string(in) + "->" + std::to_string(out));
      const DecodedImage d = DecodeOk(png, {.channels = out});
      EXPECT_EQ(testing::MaxAbsDiff(d.image, Convert(src, out)), 0);
    }
  }
}

TEST(CodecStb, Png16KeepsOrReduces) {
  for (int in : {1, 2, 3, 4}) {
    SCOPED_TRACE(in);
    const Image src = testing::MakePattern(19, 11, in, /*u16=*/true);
    const Bytes png = testing::MakePng(src);
    auto info = ReadImageInfo(png);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->bits_per_sample, 16);
    if (in == 1 || in == 3 || in == 4) {
      const DecodedImage wide = DecodeOk(png, {.channels = in, .keep_16bit = true});
      EXPECT_EQ(wide.image.type, SampleType::kU16);
      EXPECT_EQ(testing::MaxAbsDiff(wide.image, src), 0);
    }
    const DecodedImage narrow = DecodeOk(png, {.channels = 4});
    EXPECT_EQ(narrow.image.type, SampleType::kU8);
    EXPECT_EQ(testing::MaxAbsDiff(narrow.image, Convert(HighBytes(src), 4)), 0);
  }
}

TEST(CodecStb, PalettePng) {
  for (bool alpha : {false, true}) {
    SCOPED_TRACE(alpha);
    const auto f = testing::MakePalettePattern(29, 13, alpha);
    const Bytes png = testing::MakePalettePng(f.width, f.height, f.indices, f.palette);
    auto info = ReadImageInfo(png);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->channels, alpha ? 4 : 3);
    EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(png, {.channels = 4}).image, f.expected_rgba), 0);
    EXPECT_EQ(
        testing::MaxAbsDiff(DecodeOk(png, {.channels = 3}).image, Convert(f.expected_rgba, 3)), 0);
    EXPECT_EQ(
        testing::MaxAbsDiff(DecodeOk(png, {.channels = 1}).image, Convert(f.expected_rgba, 1)), 0);
  }
}

TEST(CodecStb, PixelBombRefusedFromHeader) {
  const Bytes bomb = testing::MakePngHeaderBomb(100000, 100000);
  auto info = ReadImageInfo(bomb);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->width, 100000);
  auto d = DecodeImage(bomb, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "too-large");
  EXPECT_NE(d.error().message.find("100000x100000"), std::string::npos) << d.error().message;
  // Under the limit the same file is merely corrupt (its data is far too short).
  auto small = DecodeImage(testing::MakePngHeaderBomb(1000, 1000), {});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, "corrupt");
}

TEST(CodecStb, GifFirstFrameExact) {
  const auto f = testing::MakePalettePattern(45, 31, false);
  std::vector<std::array<uint8_t, 3>> palette;
  for (const auto& e : f.palette) palette.push_back({e[0], e[1], e[2]});
  const Bytes gif = testing::MakeGif(f.width, f.height, f.indices, palette);
  auto info = ReadImageInfo(gif);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->format, ImageFormat::kGif);
  EXPECT_EQ(info->width, 45);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(gif, {.channels = 3}).image, Convert(f.expected_rgba, 3)),
            0);
  // Index 0 transparent: alpha 0 there, opaque elsewhere.
  const Bytes transparent = testing::MakeGif(f.width, f.height, f.indices, palette, 0);
  const DecodedImage d = DecodeOk(transparent, {.channels = 4});
  for (size_t i = 0; i < f.indices.size(); ++i) {
    ASSERT_EQ(d.image.data[i * 4 + 3], f.indices[i] == 0 ? 0 : 255) << i;
  }
}

TEST(CodecStb, BmpTgaPsdExact) {
  const Image rgb = testing::MakePattern(21, 14, 3);
  const Image rgba = testing::MakePattern(21, 14, 4);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(testing::MakeBmp(rgb)).image, rgb), 0);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(testing::MakeBmp(rgba), {.channels = 4}).image, rgba), 0);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(testing::MakeTga(rgb)).image, rgb), 0);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(testing::MakeTga(rgba), {.channels = 4}).image, rgba), 0);
  EXPECT_EQ(testing::MaxAbsDiff(DecodeOk(testing::MakePsd(rgb)).image, rgb), 0);
  auto info = ReadImageInfo(testing::MakePsd(rgb));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->format, ImageFormat::kPsd);
  EXPECT_EQ(info->width, 21);
}

TEST(CodecStb, TruncatedPngIsAnError) {
  const Bytes png = testing::MakePng(testing::MakePattern(32, 32, 3));
  auto r = DecodeImage(testing::Truncate(png, png.size() - 5), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "truncated");
  EXPECT_NE(r.error().message.find("truncated PNG"), std::string::npos);
}

}  // namespace
}  // namespace imgpipe
