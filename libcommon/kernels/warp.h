// Projective warp of u8 images: one resample pass for a whole chain of geometric operations.
#pragma once

#include <cstdint>

#include "libcommon/image.h"

namespace imgpipe {

enum class Interp { kNearest, kBilinear, kBicubic };
// Outside the source: a constant colour; the image mirrored about its edges (OpenCV
// BORDER_REFLECT, "fedcba|abcdef"); or the edge pixel repeated.
enum class BorderMode { kConstant, kReflect, kReplicate };
// The source index read for index i of a row or column of n pixels under `border` (-1: the
// constant colour). Shared by the kernels and their references: it is the definition.
int BorderIndex(int i, int n, BorderMode border);

struct WarpSpec {
  // The inverse map, row-major 3x3: an output point (x, y) in continuous coordinates (pixel
  // (i, j) covers [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5)) reads the source at
  // (u, v) = ((m0 x + m1 y + m2) / w, (m3 x + m4 y + m5) / w), w = m6 x + m7 y + m8. Source
  // pixel centres are at +0.5 too, so boxes (outer edges) move by the forward matrix unchanged.
  // Points with w <= 0 (behind a perspective's horizon) read the point (-1e9, -1e9).
  double inv[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  Interp interp = Interp::kBilinear;
  BorderMode border = BorderMode::kConstant;
  uint8_t fill[4] = {0, 0, 0, 0};  // kConstant: the colour, per channel
};

// dst = src warped to out_w x out_h (u8, 1..4 channels; dst is (re)allocated). Two definitions,
// chosen by WarpUsesFixedPoint:
//
// Fixed point (bilinear, affine, coordinates in range: every crop/resize/flip/rotate/affine of a
// normal image). Sample position of output pixel (x, y), in source pixels from pixel centres,
// as int64 in 1/65536 px: U = round(m0 (x + .5) 65536) + round((m1 (y + .5) + m2 - .5) 65536)
// (round = llround of the double; V likewise with m3, m4, m5). It is rounded to 1/128 px:
// q = (U + 256) >> 9 (arithmetic shifts, i.e. floor), tap column ix = q >> 7, weight fx = q & 127
// (rows likewise). Taps ix, ix + 1 and iy, iy + 1 each go through the border mode by index
// (constant: the fill colour; replicate: clamped; reflect: "fedcba|abcdef"). Then, exactly,
//   top = p00 128 + (p01 - p00) fx,  bot = p10 128 + (p11 - p10) fx,
//   out = (top 128 + (bot - top) fy + 8192) >> 14     (round half up; never above 255).
// Axis-aligned maps run a separable two-pass kernel, the rest a per-pixel one; both give these
// bytes (warp_bilinear.h).
//
// Float (nearest, bicubic, perspective, huge coordinates): everything is computed in float with
// the same operations, in the same order, as WarpReference (no FMA contraction); outside the
// source the border mode applies to the continuous coordinate (reflect mirrors it about the
// edges), and taps beyond that read the padded border.
//
// Either way the result is WarpReference's byte for byte on every target: a run does not
// depend on the machine's SIMD width. Bicubic is Keys' a = -0.5 (Catmull-Rom, as PIL); no
// antialiasing when shrinking (as OpenCV's warpAffine / INTER_LINEAR resize). Highway,
// dynamically dispatched.
void Warp(const Image& src, const WarpSpec& spec, int out_w, int out_h, Image* dst);

// Whether Warp uses the fixed-point definition: u8, 1..4 channels, bilinear, inv[6..8] exactly
// (0, 0, 1), a source under 2^31 bytes and 2^14 pixels a side, and each coordinate term above
// within +-(2^30 - 2^16) (that is, about 16000 pixels).
bool WarpUsesFixedPoint(const Image& src, const WarpSpec& spec, int out_w, int out_h);

}  // namespace imgpipe
