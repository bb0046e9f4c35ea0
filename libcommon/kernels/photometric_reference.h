// Scalar references for the SIMD photometric kernels (photometric.h), for tests and benchmarks.
#pragma once

#include <vector>

#include "libcommon/image.h"

namespace imgpipe {

// Same contracts as AdjustSaturation / AdjustHue / GaussianBlur, one pixel at a time, with the
// same float operations in the same order (so results match the kernels exactly).
void AdjustSaturationReference(Image& img, float factor);
void AdjustHueReference(Image& img, float shift);
// torchvision's adjust_hue formula in float32 (rounded to nearest), which AdjustHue follows
// within 1 per sample (a test checks it); not what the kernel computes.
void AdjustHueFloatReference(Image& img, float shift);
void GaussianBlurReference(Image& img, float sigma);

// The normalised float kernel GaussianBlur uses (2 * radius + 1 taps).
std::vector<float> GaussianKernel(float sigma);

}  // namespace imgpipe
