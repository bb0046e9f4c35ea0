// Scalar references for the SIMD photometric kernels (photometric.h), for tests and benchmarks.
#pragma once

#include <vector>

#include "libcommon/image.h"

namespace imgpipe {

// Same contracts as AdjustSaturation / AdjustHue / GaussianBlur, one pixel at a time, with the
// same float operations in the same order (so results match the kernels exactly).
void AdjustSaturationReference(Image& img, float factor);
void AdjustHueReference(Image& img, float shift);
void GaussianBlurReference(Image& img, float sigma);

// The normalised float kernel GaussianBlur uses (2 * radius + 1 taps).
std::vector<float> GaussianKernel(float sigma);

}  // namespace imgpipe
