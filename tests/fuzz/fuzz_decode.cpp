// Fuzz target: the image decoders through the front door. The first byte picks the options.
#include <span>

#include "formats/codec/decode.h"
#include "tests/fuzz/fuzz_support.h"

using namespace imgpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t opt = data[0];
  std::span<const uint8_t> bytes(data + 1, size - 1);
  DecodeOptions options;
  static const int kChannels[4] = {1, 3, 4, 3};
  options.channels = kChannels[opt & 3];
  options.keep_16bit = opt & 4;
  options.allow_truncated = opt & 8;
  options.min_long_side = (opt & 0x10) ? 16 * ((opt >> 5) + 1) : 0;
  options.max_pixels = 4 << 20;

  auto info = ReadImageInfo(bytes);
  auto img = DecodeImage(bytes, options);
  if (img.ok()) {
    const Image& im = img->image;
    FUZZ_CHECK(im.width > 0 && im.height > 0);
    FUZZ_CHECK(im.channels == options.channels);
    FUZZ_CHECK(im.data.size() == im.SizeBytes());
    FUZZ_CHECK(int64_t(img->info.width) * img->info.height <= options.max_pixels);
  } else {
    FUZZ_CHECK(!img.error().code.empty());
  }
  (void)info;
  return 0;
}
