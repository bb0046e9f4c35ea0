// Box and image-size arithmetic that follows pixels through orientation and resizing.
#pragma once

#include <utility>

namespace imgpipe {

// The stream's one box convention: absolute pixels, (x0, y0) the top-left and (x1, y1) the
// bottom-right of the box's outer edge (a box over pixel columns 0..9 has x0 = 0, x1 = 10).
struct BoxXYXY {
  double x0, y0, x1, y1;
};

// Maps a box on the stored image (src_w x src_h, before orientation) to the displayed image
// that ApplyOrientation(img, exif_orientation) produces; a box tight around a filled pixel
// rectangle stays tight around it. The result is normalised (x0 <= x1, y0 <= y1) when the
// input is. Orientations outside 1..8 are treated as 1, like ApplyOrientation.
BoxXYXY OrientBox(BoxXYXY box, int exif_orientation, int src_w, int src_h);

// Scales box coordinates; with sx = dst_w / src_w, sy = dst_h / src_h it follows a resize
// (edges, not pixel centres, are what scale in the outer-edge convention).
BoxXYXY ScaleBox(BoxXYXY box, double sx, double sy);

// {width, height} after ApplyOrientation: swapped for 5..8.
std::pair<int, int> OrientedSize(int w, int h, int orientation);

// {width, height} scaled so the long side becomes max_side, aspect kept, the short side
// rounded to nearest and at least 1. Only ever shrinks (img-decode --max-side N): a size
// whose long side is already <= max_side, or max_side <= 0 (no limit), is returned as is.
std::pair<int, int> FitLongSide(int w, int h, int max_side);

}  // namespace imgpipe
