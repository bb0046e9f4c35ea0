// A byte scanner that finds where JSON values begin and end without parsing them: it tracks
// strings and nesting only. The COCO reader uses it to cut a big file's arrays into batches of
// whole elements, each parsed on its own, so memory follows the batch and not the file. It does
// not validate: the batches' parser does (and a text the scanner cannot follow is malformed).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imgpipe::coco {

// The first byte at or after `p` that is not JSON whitespace (`end` when none).
const char* SkipJsonSpace(const char* p, const char* end);

// `p` is just after a string's opening quote: returns the byte after its closing quote, or
// nullptr when the text ends first.
const char* SkipJsonString(const char* p, const char* end);

// Where one member of an object is, filled by SkipJsonValue: the raw text of its value.
struct MemberSpan {
  const char* begin = nullptr;  // nullptr: the object has no such member
  const char* end = nullptr;
};

// `p` is the first byte of a value: returns the byte after it, or nullptr when the text ends
// before the value does (or a closing bracket comes first). When the value is an object and
// `member` is not empty, the first member of that name (at the object's own level, its key
// written without escapes) is reported in `*span`: its value's text, outer whitespace excluded.
const char* SkipJsonValue(const char* p, const char* end, std::string_view member = {},
                          MemberSpan* span = nullptr);

// Appends `raw` (valid JSON) without the whitespace outside strings: the compact form the record
// stream needs (one record per line), every other byte as written.
void AppendMinifiedJson(std::string_view raw, std::string* out);

}  // namespace imgpipe::coco
