// One JSON label file (Create ML, LabelMe) read and parsed with simdjson's DOM.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "libcommon/result.h"

namespace imgpipe::labels {

// Reads `path` (at most `max_bytes`) and parses it into `parser`; the element lives as long as
// the parser's next parse. Errors: the read's, or "bad-json" naming the file.
Result<simdjson::dom::element> ParseJsonFile(simdjson::dom::parser& parser, const std::string& path,
                                             uint64_t max_bytes);

}  // namespace imgpipe::labels
