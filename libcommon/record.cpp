// Record parsing and serialisation: validate strictly, then split the top-level object into
// key / raw-value spans so unknown values are never re-encoded.
#include "libcommon/record.h"

namespace imgpipe {
namespace {

// End of the JSON value starting at s[i] (s already validated).
size_t SkipValue(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{': case '[': ++depth; break;
      case '}': case ']':
        if (--depth == 0) return i + 1;
        if (depth < 0) return i;  // end of the enclosing object: a scalar just ended
        break;
      case ',': case ' ': case '\t': case '\n': case '\r':
        if (depth == 0) return i;
        break;
      default: break;
    }
  }
  return i;
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

}  // namespace

const char* PayloadKindName(PayloadKind kind) {
  switch (kind) {
    case PayloadKind::kEncoded: return "encoded";
    case PayloadKind::kPixels: return "pixels";
    case PayloadKind::kTensor: return "tensor";
    default: return "none";
  }
}

size_t DtypeSize(std::string_view dtype) {
  if (dtype == "u8") return 1;
  if (dtype == "u16" || dtype == "f16" || dtype == "bf16") return 2;
  if (dtype == "f32") return 4;
  return 0;
}

Result<Record> Record::FromJson(std::string_view text, const JsonLimits& limits) {
  if (Status s = ValidateJson(text, limits); !s) return s.error();
  size_t i = SkipSpace(text, 0);
  if (i >= text.size() || text[i] != '{') return MakeError("bad-json", "not a JSON object");
  Record record;
  i = SkipSpace(text, i + 1);
  while (i < text.size() && text[i] != '}') {
    size_t key_end = SkipValue(text, i);
    auto key = DecodeJsonString(text.substr(i, key_end - i));
    i = SkipSpace(text, key_end);
    i = SkipSpace(text, i + 1);  // ':'
    size_t value_end = SkipValue(text, i);
    std::string raw(text.substr(i, value_end - i));
    i = SkipSpace(text, value_end);
    if (i < text.size() && text[i] == ',') i = SkipSpace(text, i + 1);
    // A repeated key: the last one wins, as in most JSON readers.
    record.SetRaw(key.value_or(""), std::move(raw));
  }
  return record;
}

std::string Record::ToJson() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, fields_[i].key);
    out.push_back(':');
    out.append(fields_[i].raw);
  }
  out.push_back('}');
  return out;
}

const std::string* Record::FindRaw(std::string_view key) const {
  for (const Field& f : fields_)
    if (f.key == key) return &f.raw;
  return nullptr;
}

std::optional<std::string> Record::GetString(std::string_view key) const {
  const std::string* raw = FindRaw(key);
  return raw ? DecodeJsonString(*raw) : std::nullopt;
}

std::optional<int64_t> Record::GetInt(std::string_view key) const {
  const std::string* raw = FindRaw(key);
  return raw ? DecodeJsonInt(*raw) : std::nullopt;
}

std::optional<double> Record::GetNumber(std::string_view key) const {
  const std::string* raw = FindRaw(key);
  return raw ? DecodeJsonNumber(*raw) : std::nullopt;
}

void Record::SetRaw(std::string_view key, std::string raw) {
  for (Field& f : fields_) {
    if (f.key == key) {
      f.raw = std::move(raw);
      return;
    }
  }
  fields_.push_back(Field{std::string(key), std::move(raw)});
}

void Record::SetString(std::string_view key, std::string_view value) {
  SetRaw(key, JsonString(value));
}
void Record::SetInt(std::string_view key, int64_t value) { SetRaw(key, std::to_string(value)); }
void Record::SetNumber(std::string_view key, double value) { SetRaw(key, JsonNumber(value)); }
void Record::SetBool(std::string_view key, bool value) { SetRaw(key, value ? "true" : "false"); }

bool Record::Erase(std::string_view key) {
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (it->key == key) {
      fields_.erase(it);
      return true;
    }
  }
  return false;
}

void Record::SetError(std::string_view tool, const Error& error) {
  std::string raw = "{\"tool\":" + JsonString(tool) + ",\"code\":" + JsonString(error.code) +
                    ",\"message\":" + JsonString(error.message) + "}";
  SetRaw("error", std::move(raw));
}

}  // namespace imgpipe
