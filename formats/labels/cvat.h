// CVAT for images 1.1 XML. Its record-level shapes (polygons, points, polylines) are the
// stream's shape lists of shapes.h, which CVAT and LabelMe share.
#pragma once

#include "formats/labels/dataset.h"
#include "formats/labels/shapes.h"

namespace imgpipe::labels {

extern const Format kCvatFormat;

}  // namespace imgpipe::labels
