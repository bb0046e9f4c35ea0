// Scalar reference for the warp kernel (warp.h): per pixel, per tap, straight from the definition.
#pragma once

#include "libcommon/image.h"
#include "libcommon/kernels/warp.h"

namespace imgpipe {

// Same contract as Warp; shares no code with it but the choice of definition
// (WarpUsesFixedPoint). Slow; for tests and benchmarks.
void WarpReference(const Image& src, const WarpSpec& spec, int out_w, int out_h, Image* dst);

// The Keys cubic (a = -0.5) weights for fraction t in [0, 1) of taps -1, 0, 1, 2, evaluated in
// float in exactly the order the SIMD kernel uses.
void CubicWeights(float t, float w[4]);

}  // namespace imgpipe
