// One JSON label file (see json_file.h).
#include "formats/labels/json_file.h"

#include "formats/labels/conventions_io.h"

namespace imgpipe::labels {

Result<simdjson::dom::element> ParseJsonFile(simdjson::dom::parser& parser, const std::string& path,
                                             uint64_t max_bytes) {
  auto text = ReadTextFile(path, max_bytes);
  if (!text) return text.error();
  // The DOM points into the parser's own copy of the text, not into `text`.
  simdjson::dom::element doc;
  if (auto err = parser.parse(*text).get(doc))
    return MakeError("bad-json", path + ": malformed JSON: " + simdjson::error_message(err));
  return doc;
}

}  // namespace imgpipe::labels
