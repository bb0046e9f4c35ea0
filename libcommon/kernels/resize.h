// Resizing of interleaved images: exact area average for shrinking, half-pixel bilinear otherwise.
#pragma once

#include "libcommon/image.h"

namespace imgpipe {

// All three take u8 or u16 images with any channel count >= 1 (1..4 in practice) and run the
// same separable float kernel (Highway, dynamically dispatched) for both sample types. The
// result is within 1 of ResizeAreaReference / ResizeBilinearReference for every sample.
// `dst` may be `&src`. An empty source or a non-positive target size yields an empty image.

// Box filter over each output pixel's exact (fractional) source footprint, like OpenCV
// INTER_AREA / Pillow's reduce. Meant for shrinking; when an axis grows it degenerates to
// nearest-neighbour with a blend where a footprint straddles two source pixels.
// The target size is read from dst->width / dst->height; channels, type and data are set here.
void ResizeArea(const Image& src, Image* dst);

// Bilinear with pixel centres at +0.5 (OpenCV INTER_LINEAR, align_corners=false), edges
// clamped. Target size as for ResizeArea.
void ResizeBilinear(const Image& src, Image* dst);

// Resizes to width x height: area when neither axis grows (aliasing-free shrink), bilinear
// when either grows. dst is (re)allocated here.
void Resize(const Image& src, int width, int height, Image* dst);

}  // namespace imgpipe
