// Scalar, non-separable reference resizers that the SIMD kernels in resize.h are tested against.
#pragma once

#include "libcommon/image.h"

namespace imgpipe {

// Same contracts as ResizeArea / ResizeBilinear (target size in dst->width / dst->height,
// u8 or u16, any channel count), computed directly in 2-D in double precision from the
// definitions, deliberately sharing no code with the fast path. Slow; for tests and benches.
void ResizeAreaReference(const Image& src, Image* dst);
void ResizeBilinearReference(const Image& src, Image* dst);

}  // namespace imgpipe
