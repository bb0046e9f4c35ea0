// Small JSON helpers: string escaping for writers, decoding of raw scalar values, a strict validator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 is replaced by U+FFFD so
// the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonString(std::string_view s);
// Shortest text that reads back as the same double; non-finite values become null.
std::string JsonNumber(double v);

// Decoders for the raw text of one JSON value (as kept by Record): nullopt when the raw text is
// not of that type.
std::optional<std::string> DecodeJsonString(std::string_view raw);
std::optional<int64_t> DecodeJsonInt(std::string_view raw);
std::optional<double> DecodeJsonNumber(std::string_view raw);

// The raw text of each element of a JSON array (`raw` already validated); nullopt when `raw` is
// not an array.
std::optional<std::vector<std::string_view>> SplitJsonArray(std::string_view raw);

struct JsonLimits {
  size_t max_depth = 64;  // nesting of objects/arrays; deeper input is refused, not recursed into
};

// Checks that `text` is exactly one well-formed JSON value (RFC 8259), surrounding whitespace
// allowed. Numbers of any size or precision are accepted (they pass through as text).
Status ValidateJson(std::string_view text, const JsonLimits& limits = {});

}  // namespace imgpipe
