// Projective warp of u8 images: one resample pass for a whole chain of geometric operations.
#pragma once

#include <cstdint>

#include "libcommon/image.h"

namespace imgpipe {

enum class Interp { kNearest, kBilinear, kBicubic };
// Outside the source: a constant colour; the image mirrored about its edges (OpenCV
// BORDER_REFLECT, "fedcba|abcdef"); or the edge pixel repeated.
enum class BorderMode { kConstant, kReflect, kReplicate };

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

// dst = src warped to out_w x out_h (u8, 1..4 channels; dst is (re)allocated). Everything is
// computed in float with the same operations, in the same order, as WarpReference (no FMA
// contraction), so the result is WarpReference's byte for byte on every target: a run does not
// depend on the machine's SIMD width. Bicubic is Keys' a = -0.5 (Catmull-Rom, as PIL); no
// antialiasing when shrinking (as OpenCV's warpAffine / INTER_LINEAR resize). Highway, dynamically
// dispatched; gathers fetch a whole pixel (4 bytes) per tap.
void Warp(const Image& src, const WarpSpec& spec, int out_w, int out_h, Image* dst);

}  // namespace imgpipe
