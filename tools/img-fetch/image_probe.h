// Looking at the first bytes of a body while it streams in: is it an image, and how many pixels
// does its header claim (so a pixel bomb is refused before the rest arrives).
#pragma once

#include <cstdint>
#include <span>

#include "formats/codec/sniff.h"

namespace imgpipe {

enum class ProbeState { kNeedMore, kImage, kNotImage };

struct ProbeResult {
  ProbeState state = ProbeState::kNeedMore;
  ImageFormat format = ImageFormat::kUnknown;
  int64_t width = 0, height = 0;  // 0 while not known yet
};

// `prefix` is the body received so far. kNotImage once enough bytes show it is no image format
// we read; kImage once the format is known (width/height filled when the header is complete).
// `final` says the body is complete, so kNeedMore cannot be answered any more.
ProbeResult ProbeImage(std::span<const uint8_t> prefix, bool final);

// How many leading bytes ProbeImage may want before the size is known; after this many, an image
// whose size is still unknown is accepted and the size left to the decoder.
inline constexpr size_t kProbeLimit = 256 * 1024;

}  // namespace imgpipe
