// Fixed-point bilinear warp of u8 images for affine maps (warp.h states the rule; Warp calls it).
// Two paths, the same bytes: a separable two-pass one for axis-aligned maps (scale, shift, flip:
// crop, resize, rrc, pad, letterbox) and a per-pixel one for the rest (rotate, shear).
#pragma once

#include <cmath>
#include <cstdint>

#include "libcommon/image.h"
#include "libcommon/kernels/warp.h"

namespace imgpipe::warp_fixed {

constexpr int kCoordBits = 16;   // sample coordinates are int32 with 16 fraction bits
constexpr int kWeightBits = 7;   // ... rounded to 1/128 pixel for the weights
constexpr int kWeightOne = 1 << kWeightBits;
// Each of the two coordinate terms (x term, y term) must stay within this; their sum plus the
// rounding constant then fits int32.
constexpr int64_t kTermLimit = (int64_t(1) << 30) - (int64_t(1) << 16);

// The sample position of output pixel x in the source, in 1/65536 pixel, relative to pixel
// centres: the x term m_a (x + 1/2) and the y term m_b (y + 1/2) + m_c - 1/2, each rounded to
// the nearest integer separately (so a row only adds two precomputed terms, with no drift).
inline int64_t XTerm(double ma, int x) { return std::llround(ma * (x + 0.5) * 65536.0); }
inline int64_t YTerm(double mb, double mc, int y) { return std::llround((mb * (y + 0.5) + mc - 0.5) * 65536.0); }

// dst (allocated by the caller to out_w x out_h x channels) = src warped; requires
// WarpUsesFixedPoint(src, spec, out_w, out_h).
void WarpBilinearFixed(const Image& src, const WarpSpec& spec, Image* dst);

}  // namespace imgpipe::warp_fixed
