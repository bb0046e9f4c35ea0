// The record-level shape lists (`polygons`, `points`, `polylines`): each entry is
// {"label", "points": [[x,y],...], ...other keys (attrs, occluded, z_order, ...)} in the stream's
// pixel convention. CVAT, LabelMe and YOLO segmentation read and write them; every writer counts
// the ones it cannot hold.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/geometry.h"
#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe::labels {

using Point = std::array<double, 2>;

// One entry of a record's `polygons`, `points` or `polylines` list.
struct ShapeRecord {
  std::string label;
  std::vector<Point> points;
  Record fields;  // the whole object
};

// Reads `record[key]` (absent or null: none). Errors ("bad-record") name the shape.
Result<std::vector<ShapeRecord>> ReadShapes(const Record& record, std::string_view key);
// The number of entries of record[key] (0 when absent or not an array).
size_t CountShapes(const Record& record, std::string_view key);
// The smallest box holding every point (a polygon's extent); `points` must not be empty.
BoxXYXY Extent(const std::vector<Point>& points);
// [[x,y],...] with the shortest text that reads back as the same doubles.
std::string PointsJson(const std::vector<Point>& points);
// {"label":..,"points":[..]} followed by `members` (`"k":v,...` text, may be empty).
std::string ShapeJson(std::string_view label, const std::vector<Point>& points, std::string_view members);

}  // namespace imgpipe::labels
