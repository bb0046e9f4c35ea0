// The coordinate conventions of the label formats (see conventions.h and README.md).
#include "formats/labels/conventions.h"

namespace imgpipe::labels {

BoxXYXY FromCoco(double x, double y, double w, double h) { return {x, y, x + w, y + h}; }
void ToCoco(const BoxXYXY& b, double out[4]) {
  out[0] = b.x0;
  out[1] = b.y0;
  out[2] = b.x1 - b.x0;
  out[3] = b.y1 - b.y0;
}

BoxXYXY FromVoc(double xmin, double ymin, double xmax, double ymax) {
  return {xmin - 1, ymin - 1, xmax, ymax};
}
void ToVoc(const BoxXYXY& b, double out[4]) {
  out[0] = b.x0 + 1;
  out[1] = b.y0 + 1;
  out[2] = b.x1;
  out[3] = b.y1;
}

BoxXYXY FromYolo(double cx, double cy, double w, double h, double image_w, double image_h) {
  // Edges from the normalised centre and extent, scaled once each (fewer rounding steps).
  return {(cx - w / 2) * image_w, (cy - h / 2) * image_h, (cx + w / 2) * image_w,
          (cy + h / 2) * image_h};
}
void ToYolo(const BoxXYXY& b, double image_w, double image_h, double out[4]) {
  out[0] = (b.x0 + b.x1) / 2 / image_w;
  out[1] = (b.y0 + b.y1) / 2 / image_h;
  out[2] = (b.x1 - b.x0) / image_w;
  out[3] = (b.y1 - b.y0) / image_h;
}

std::array<double, 2> FromYoloPoint(double x, double y, double image_w, double image_h) {
  return {x * image_w, y * image_h};
}
std::array<double, 2> ToYoloPoint(double x, double y, double image_w, double image_h) {
  return {x / image_w, y / image_h};
}

BoxXYXY FromCreateMl(double cx, double cy, double w, double h) {
  return {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
}
void ToCreateMl(const BoxXYXY& b, double out[4]) {
  out[0] = (b.x0 + b.x1) / 2;
  out[1] = (b.y0 + b.y1) / 2;
  out[2] = b.x1 - b.x0;
  out[3] = b.y1 - b.y0;
}

}  // namespace imgpipe::labels
