// Box and image-size arithmetic for orientation and resizing (see geometry.h).
#include "libcommon/geometry.h"

#include <algorithm>
#include <cstdint>

namespace imgpipe {
namespace {

struct Point {
  double x, y;
};

// Continuous form of ApplyOrientation's pixel map: stored pixel i covers [i, i+1), so the
// pixel-index map x' = W-1-x becomes the edge map u' = W-u, and so on.
Point OrientPoint(Point p, int o, double w, double h) {
  switch (o) {
    case 2:
      return {w - p.x, p.y};
    case 3:
      return {w - p.x, h - p.y};
    case 4:
      return {p.x, h - p.y};
    case 5:
      return {p.y, p.x};
    case 6:
      return {h - p.y, p.x};
    case 7:
      return {h - p.y, w - p.x};
    case 8:
      return {p.y, w - p.x};
    default:
      return p;
  }
}

}  // namespace

BoxXYXY OrientBox(BoxXYXY box, int exif_orientation, int src_w, int src_h) {
  const Point a = OrientPoint({box.x0, box.y0}, exif_orientation, src_w, src_h);
  const Point b = OrientPoint({box.x1, box.y1}, exif_orientation, src_w, src_h);
  // Mirrors swap which corner is top-left; min/max restores the convention.
  return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
}

BoxXYXY ScaleBox(BoxXYXY box, double sx, double sy) {
  return {box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy};
}

std::pair<int, int> OrientedSize(int w, int h, int orientation) {
  if (orientation >= 5 && orientation <= 8) return {h, w};
  return {w, h};
}

std::pair<int, int> FitLongSide(int w, int h, int max_side) {
  const int long_side = std::max(w, h);
  if (max_side <= 0 || long_side <= max_side) return {w, h};
  // Integer round-half-up of short * max_side / long_side: no float fuzz at exact halves.
  auto scale = [&](int v) {
    const int64_t n = int64_t(v) * max_side;
    return int(std::max<int64_t>(1, (2 * n + long_side) / (2 * int64_t(long_side))));
  };
  if (w >= h) return {max_side, scale(h)};
  return {scale(w), max_side};
}

}  // namespace imgpipe
