// Every box-coordinate convention of the label formats, converted to and from the stream's one
// convention (absolute pixels, outer edges: x0,y0 top-left, x1,y1 bottom-right) in one place.
// formats/labels/README.md documents each mapping.
#pragma once

#include <array>

#include "libcommon/geometry.h"

namespace imgpipe::labels {

// COCO bbox [x, y, w, h]: top-left corner and extent, absolute pixels, outer edges.
BoxXYXY FromCoco(double x, double y, double w, double h);
void ToCoco(const BoxXYXY& b, double out[4]);

// Pascal VOC / LabelImg <bndbox>: 1-based pixel indices, both corners inclusive. A box over
// 0-based pixel columns 0..9 is xmin=1, xmax=10. So x0 = xmin - 1, x1 = xmax (and y alike):
// integer corners map to integer edges and back exactly. Non-integer values follow the same
// formula.
BoxXYXY FromVoc(double xmin, double ymin, double xmax, double ymax);
void ToVoc(const BoxXYXY& b, double out[4]);  // xmin, ymin, xmax, ymax

// YOLO: centre x, centre y, width, height, each a fraction of the image's width or height.
BoxXYXY FromYolo(double cx, double cy, double w, double h, double image_w, double image_h);
void ToYolo(const BoxXYXY& b, double image_w, double image_h, double out[4]);
// A YOLO segment point (Ultralytics): x, y as fractions of the image's width and height; the
// stream's points are absolute pixel coordinates (continuous, like the box edges).
std::array<double, 2> FromYoloPoint(double x, double y, double image_w, double image_h);
std::array<double, 2> ToYoloPoint(double x, double y, double image_w, double image_h);

// Create ML: centre x, centre y, width, height in absolute pixels.
BoxXYXY FromCreateMl(double cx, double cy, double w, double h);
void ToCreateMl(const BoxXYXY& b, double out[4]);

}  // namespace imgpipe::labels
