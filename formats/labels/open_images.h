// Open Images (v5/v6 CSV layout: annotations/*-annotations-bbox.csv, class descriptions, image
// lists, images.meta; images/<subset>/<ImageID>.<ext>).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

extern const Format kOpenImagesFormat;

// RFC 4180 CSV: the fields of the row starting at `*pos` (quoted fields with "" escapes and
// embedded newlines, \r\n accepted); advances `*pos` past the row. False at the end of `text`.
bool NextCsvRow(std::string_view text, size_t* pos, std::vector<std::string>* fields);
// One CSV field, quoted when it holds a comma, quote, or line break.
std::string CsvField(std::string_view s);

}  // namespace imgpipe::labels
