// Encoding images to JPEG (TurboJPEG), PNG (stb_image_write; 16-bit by our own writer) and WebP.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/codec/sniff.h"
#include "libcommon/image.h"
#include "libcommon/result.h"

namespace imgpipe {

struct EncodeOptions {
  int quality = 90;          // 1..100 (JPEG, lossy WebP); clamped
  bool progressive = false;  // JPEG
  bool lossless = false;     // WebP
  int subsampling = 420;     // JPEG chroma: 420, 422 or 444 (ignored for gray)
};

// Encodes u8 images with 1..4 channels to JPEG/PNG/WebP. JPEG has no alpha: gray+alpha and RGBA
// lose it. u16 images encode to PNG only (16-bit samples); other formats give "unsupported".
Result<std::vector<uint8_t>> EncodeImage(const Image& image, ImageFormat format,
                                         const EncodeOptions& options);

}  // namespace imgpipe
