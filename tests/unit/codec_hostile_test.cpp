// Every decoder against truncated and bit-flipped copies of every fixture kind: clear errors,
// never a crash or an out-of-bounds read (run under ASan to prove the latter).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "formats/codec/decode.h"
#include "tests/support/image_fixtures.h"

namespace imgpipe {
namespace {

using testing::Bytes;

struct Fixture {
  std::string name;
  Bytes bytes;
  size_t complete_prefix;  // cuts at or beyond this length may legitimately decode
};

std::vector<Fixture> AllFixtures() {
  const Image rgb = testing::MakePattern(24, 16, 3);
  const Image rgba = testing::MakePattern(24, 16, 4);
  const auto pal = testing::MakePalettePattern(24, 16, true);
  std::vector<std::array<uint8_t, 3>> gif_palette;
  for (const auto& e : pal.palette) gif_palette.push_back({e[0], e[1], e[2]});
  std::vector<Fixture> f = {
      {"jpeg", testing::MakeJpeg(rgb), 0},
      {"jpeg-progressive", testing::MakeJpeg(rgb, {.progressive = true}), 0},
      {"jpeg-restart", testing::MakeJpeg(rgb, {.restart_interval = 1}), 0},
      {"jpeg-gray", testing::MakeJpeg(testing::MakePattern(24, 16, 1)), 0},
      {"jpeg-cmyk", testing::MakeJpeg(rgb, {.cmyk = true}), 0},
      {"jpeg-exif", testing::InsertExifOrientation(testing::MakeJpeg(rgb), 6), 0},
      {"png", testing::MakePng(rgba), 0},
      {"png16", testing::MakePng(testing::MakePattern(24, 16, 2, true)), 0},
      {"png-palette", testing::MakePalettePng(24, 16, pal.indices, pal.palette), 0},
      {"gif", testing::MakeGif(24, 16, pal.indices, gif_palette, 3), 0},
      {"bmp", testing::MakeBmp(rgb), 0},
      {"tga", testing::MakeTga(rgba), 0},
      {"psd", testing::MakePsd(rgb), 0},
      {"webp-lossy", testing::MakeWebp(rgb, false), 0},
      {"webp-lossless", testing::MakeWebp(rgba, true), 0},
  };
  for (auto& x : f) x.complete_prefix = x.bytes.size();
  f[9].complete_prefix = f[9].bytes.size() - 1;  // the GIF trailer is not needed for frame one
  return f;
}

const std::set<std::string> kCodes = {"corrupt", "truncated", "unsupported", "too-large"};

void ExpectSane(const Result<DecodedImage>& r, const std::string& what) {
  if (r.ok()) {
    const Image& img = r->image;
    EXPECT_GT(img.width, 0) << what;
    EXPECT_EQ(img.data.size(), img.SizeBytes()) << what;
  } else {
    EXPECT_TRUE(kCodes.count(r.error().code)) << what << ": " << r.error().code;
    EXPECT_FALSE(r.error().message.empty()) << what;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << what;
  }
}

TEST(CodecHostile, FixturesDecode) {
  for (const Fixture& f : AllFixtures()) {
    auto r = DecodeImage(f.bytes, {.channels = 4});
    EXPECT_TRUE(r.ok()) << f.name << ": " << r.error().message;
  }
}

TEST(CodecHostile, TruncatedCopiesAreErrors) {
  for (const Fixture& f : AllFixtures()) {
    const size_t step = std::max<size_t>(1, f.bytes.size() / 150);
    for (size_t n = 0; n < f.bytes.size(); n += (n < 64 ? 1 : step)) {
      const std::string what = f.name + " cut at " + std::to_string(n);
      const Bytes cut = testing::Truncate(f.bytes, n);
      auto r = DecodeImage(cut, {});
      ExpectSane(r, what);
      if (n < f.complete_prefix) {
        ASSERT_FALSE(r.ok()) << what;
        if (n >= 32) {
          EXPECT_EQ(r.error().code, "truncated") << what << ": " << r.error().message;
        }
      }
      auto info = ReadImageInfo(cut);
      if (!info.ok()) {
        EXPECT_TRUE(kCodes.count(info.error().code)) << what;
      }
      // Lenient decoding must be just as safe.
      ExpectSane(DecodeImage(cut, {.channels = 1, .allow_truncated = true}), what + " lenient");
    }
  }
}

TEST(CodecHostile, BitFlippedCopiesAreSafe) {
  for (const Fixture& f : AllFixtures()) {
    const size_t bits = f.bytes.size() * 8;
    const size_t step = std::max<size_t>(1, bits / 400);
    for (size_t bit = 0; bit < bits; bit += (bit < 512 ? 3 : step)) {
      const Bytes flipped = testing::FlipBit(f.bytes, bit);
      const std::string what = f.name + " bit " + std::to_string(bit);
      ExpectSane(DecodeImage(flipped, {.channels = 3, .max_pixels = 1 << 20}), what);
      auto info = ReadImageInfo(flipped);
      if (!info.ok()) {
        EXPECT_TRUE(kCodes.count(info.error().code)) << what;
      }
    }
  }
}

TEST(CodecHostile, GarbageAndEmpty) {
  EXPECT_EQ(DecodeImage({}, {}).error().code, "truncated");
  const Bytes garbage(100, 0x42);
  EXPECT_EQ(DecodeImage(garbage, {}).error().code, "unsupported");
  const Bytes soi_only = {0xFF, 0xD8, 0xFF};
  ExpectSane(DecodeImage(soi_only, {}), "soi");
  const Bytes png_sig = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_EQ(DecodeImage(png_sig, {}).error().code, "truncated");
}

}  // namespace
}  // namespace imgpipe
