// CVAT for images 1.1 XML, and the record-level shape lists (polygons, points, polylines) that
// CVAT and LabelMe share.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "formats/labels/dataset.h"
#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe::labels {

extern const Format kCvatFormat;

using Point = std::array<double, 2>;

// One entry of a record's `polygons`, `points` or `polylines` list:
// {"label", "points": [[x,y],...], ...other keys (attrs, occluded, z_order, ...)}.
struct ShapeRecord {
  std::string label;
  std::vector<Point> points;
  Record fields;  // the whole object
};

// Reads `record[key]` (absent or null: none). Errors ("bad-record") name the shape.
Result<std::vector<ShapeRecord>> ReadShapes(const Record& record, std::string_view key);
// The number of entries of record[key] (0 when absent): for counting what a writer drops that
// CountLosses does not know (polylines).
size_t CountShapes(const Record& record, std::string_view key);
// [[x,y],...] with the shortest text that reads back as the same doubles.
std::string PointsJson(const std::vector<Point>& points);
// {"label":..,"points":[..]} followed by `members` (`"k":v,...` text, may be empty).
std::string ShapeJson(std::string_view label, const std::vector<Point>& points, std::string_view members);

}  // namespace imgpipe::labels
