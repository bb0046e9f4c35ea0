// Scalar double-precision reference for NormalizeImage, written from the definitions (2-D area
// integral / bilinear sample, then (v / max - mean) / std) and sharing no code with the kernel.
#pragma once

#include <vector>

#include "libcommon/image.h"
#include "libcommon/kernels/normalize.h"

namespace imgpipe {

// The exact (unrounded) value of every output element, in the spec's layout and channel order.
// For u8 output the value is the resized sample scaled to 0..255 and clamped, not rounded.
std::vector<double> NormalizeReference(const Image& src, const NormSpec& spec,
                                       const NormGeometry& g);

}  // namespace imgpipe
