// RFC 4180 CSV rows (see csv.h).
#include "formats/labels/csv.h"

namespace imgpipe::labels {

bool NextCsvRow(std::string_view text, size_t* pos, std::vector<std::string>* fields) {
  fields->clear();
  size_t i = *pos;
  if (i >= text.size()) return false;
  std::string cur;
  bool quoted = false, was_quoted = false;
  while (i < text.size()) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cur.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cur.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
      ++i;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
      was_quoted = false;
      ++i;
    } else if (c == '\n' || c == '\r') {
      ++i;
      if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
      break;
    } else {
      cur.push_back(c);
      ++i;
    }
  }
  fields->push_back(std::move(cur));
  *pos = i;
  return true;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace imgpipe::labels
