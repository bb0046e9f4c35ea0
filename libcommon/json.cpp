// JSON helpers. The validator is hand-written (not simdjson) because it must accept numbers of any
// size, which pass through imgpipe as text, and must bound nesting depth without recursion.
#include "libcommon/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace imgpipe {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(char(cp));
  } else if (cp < 0x800) {
    out->push_back(char(0xC0 | (cp >> 6)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(char(0xE0 | (cp >> 12)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (cp >> 18)));
    out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> ReadHex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexValue(s[i + k]);
    if (h < 0) return std::nullopt;
    v = v << 4 | uint32_t(h);
  }
  return v;
}

class Validator {
 public:
  Validator(std::string_view s, const JsonLimits& limits) : s_(s), limits_(limits) {}

  Status Run() {
    SkipSpace();
    if (!Value()) return Fail();
    SkipSpace();
    if (pos_ != s_.size()) {
      error_ = "unexpected text after the JSON value";
      return Fail();
    }
    return Status::Ok();
  }

 private:
  Status Fail() const {
    return MakeError("bad-json", error_ + " at byte " + std::to_string(pos_ + 1));
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool Expect(char c, const char* what) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    error_ = pos_ < s_.size() ? std::string("expected ") + what : "unexpected end of JSON";
    return false;
  }

  // Iterative over containers: `stack_` holds '{' or '[' for each open container.
  bool Value() {
    std::vector<char> stack;
    for (;;) {
      SkipSpace();
      if (pos_ >= s_.size()) {
        error_ = "unexpected end of JSON";
        return false;
      }
      char c = s_[pos_];
      bool opened = false;
      if (c == '{' || c == '[') {
        if (stack.size() >= limits_.max_depth) {
          error_ = "nesting deeper than " + std::to_string(limits_.max_depth);
          return false;
        }
        stack.push_back(c);
        ++pos_;
        SkipSpace();
        char close = c == '{' ? '}' : ']';
        if (pos_ < s_.size() && s_[pos_] == close) {
          ++pos_;
          stack.pop_back();
        } else {
          opened = true;
          if (c == '{' && !Key()) return false;
          continue;  // parse the first member's value
        }
      } else if (!Scalar()) {
        return false;
      }
      (void)opened;
      // After a complete value: close containers or move to the next member.
      for (;;) {
        if (stack.empty()) return true;
        SkipSpace();
        char top = stack.back();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          if (top == '{' && !Key()) return false;
          break;
        }
        if (!Expect(top == '{' ? '}' : ']', top == '{' ? "',' or '}'" : "',' or ']'"))
          return false;
        stack.pop_back();
      }
    }
  }

  bool Key() {
    SkipSpace();
    if (!String()) {
      if (error_.empty()) error_ = "expected a string key";
      return false;
    }
    SkipSpace();
    return Expect(':', "':'");
  }

  bool Scalar() {
    char c = s_[pos_];
    if (c == '"') return String();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return true;
      }
    }
    error_ = "unexpected character";
    return false;
  }

  bool String() {
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      error_ = "expected a string";
      return false;
    }
    ++pos_;
    while (pos_ < s_.size()) {
      uint8_t c = static_cast<uint8_t>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        error_ = "control character in string";
        return false;
      }
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) break;
        char e = s_[pos_ + 1];
        if (e == 'u') {
          if (!ReadHex4(s_, pos_ + 2)) {
            error_ = "bad \\u escape";
            return false;
          }
          pos_ += 6;
        } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
          pos_ += 2;
        } else {
          error_ = "bad escape";
          return false;
        }
        continue;
      }
      size_t n = Utf8SequenceLength(s_, pos_);
      if (n == 0) {
        error_ = "invalid UTF-8";
        return false;
      }
      pos_ += n;
    }
    error_ = "unterminated string";
    return false;
  }

  bool Number() {
    size_t start = pos_;
    auto digits = [&] {
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      error_ = "bad number";
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) {
        error_ = "bad number";
        return false;
      }
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) {
        error_ = "bad number";
        return false;
      }
    }
    return pos_ > start;
  }

  std::string_view s_;
  JsonLimits limits_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(char(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::optional<std::string> DecodeJsonString(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  std::string out;
  out.reserve(raw.size() - 2);
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    char e = raw[++i];
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto cp = ReadHex4(raw, i + 1);
        if (!cp) return std::nullopt;
        i += 4;
        uint32_t code = *cp;
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          auto lo = ReadHex4(raw, i + 3);
          if (lo && *lo >= 0xDC00 && *lo <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (*lo - 0xDC00);
            i += 6;
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;  // lone surrogate
        AppendUtf8(&out, code);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::optional<int64_t> DecodeJsonInt(std::string_view raw) {
  int64_t v = 0;
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (r.ec != std::errc() || r.ptr != raw.data() + raw.size()) return std::nullopt;
  return v;
}

std::optional<double> DecodeJsonNumber(std::string_view raw) {
  if (raw.empty() || !(raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (r.ec == std::errc::result_out_of_range) return std::nullopt;
  if (r.ec != std::errc() || r.ptr != raw.data() + raw.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<std::string_view>> SplitJsonArray(std::string_view raw) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r'))
      ++i;
  };
  skip_space();
  if (i >= raw.size() || raw[i] != '[') return std::nullopt;
  ++i;
  std::vector<std::string_view> items;
  for (;;) {
    skip_space();
    if (i >= raw.size()) return std::nullopt;
    if (raw[i] == ']') return items;
    if (raw[i] == ',') {
      ++i;
      continue;
    }
    size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < raw.size(); ++i) {
      char c = raw[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) break;
    }
    // Unvalidated input must not loop forever (a stray '}' makes no progress) nor read past the
    // end (a trailing backslash inside a string skips one byte too many).
    if (i == start) return std::nullopt;
    size_t end = std::min(i, raw.size());
    while (end > start && (raw[end - 1] == ' ' || raw[end - 1] == '\n' || raw[end - 1] == '\t' ||
                           raw[end - 1] == '\r'))
      --end;
    items.push_back(raw.substr(start, end - start));
  }
}

Status ValidateJson(std::string_view text, const JsonLimits& limits) {
  return Validator(text, limits).Run();
}

}  // namespace imgpipe
