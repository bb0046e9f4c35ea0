// Boxes in a record: read the `boxes` array into structs, write it back with every other box key
// (label, score, attrs, ...) untouched.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/geometry.h"
#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

struct BoxRecord {
  BoxXYXY box;        // x0,y0,x1,y1 in the stream's convention
  Record fields;      // the whole box object (x0.. are rewritten from `box` on write)
  std::optional<std::string> Label() const { return fields.GetString("label"); }
  std::optional<double> Score() const { return fields.GetNumber("score"); }
};

// Reads `record[key]` (absent or null: no boxes). Errors ("bad-record") name the box: not an
// array, a box that is not an object, a missing or non-finite coordinate.
Result<std::vector<BoxRecord>> ReadBoxes(const Record& record, std::string_view key = "boxes");

// Writes `boxes` as `record[key]`.
void WriteBoxes(Record& record, const std::vector<BoxRecord>& boxes,
                std::string_view key = "boxes");

// Applies `map` to every box in `record["boxes"]`; a record without boxes is left alone.
Status TransformBoxes(Record& record, const std::function<BoxXYXY(BoxXYXY)>& map);

}  // namespace imgpipe
