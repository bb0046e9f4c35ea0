// Fuzz target: EXIF orientation parsing (JPEG APP1, WebP, PNG, bare TIFF) and rewriting.
#include <span>

#include "formats/codec/exif.h"
#include "tests/fuzz/fuzz_support.h"

using namespace imgpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  const int o = ParseExifOrientation(bytes);
  FUZZ_CHECK(o >= 1 && o <= 8);
  const int t = ParseTiffOrientation(bytes);
  FUZZ_CHECK(t >= 1 && t <= 8);
  if (size > 0) {
    const int want = 1 + data[size - 1] % 8;
    auto out = AddExifOrientation(bytes, want);
    if (out.ok()) FUZZ_CHECK(ParseExifOrientation(*out) == want);
  }
  return 0;
}
