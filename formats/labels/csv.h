// RFC 4180 CSV, as Open Images writes it: rows in, fields out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imgpipe::labels {

// The fields of the row starting at `*pos` (quoted fields with "" escapes and embedded newlines,
// \r\n accepted); advances `*pos` past the row. False at the end of `text`.
bool NextCsvRow(std::string_view text, size_t* pos, std::vector<std::string>* fields);
// One CSV field, quoted when it holds a comma, quote, or line break.
std::string CsvField(std::string_view s);

}  // namespace imgpipe::labels
