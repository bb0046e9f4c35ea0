// The JSON boundary scanner (json_split.h): one pass over the bytes, a table lookup per byte.
#include "formats/coco/json_split.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace imgpipe::coco {
namespace {

// What a byte means to the scan outside strings: most bytes (digits, letters, '.', ':', spaces)
// mean nothing and cost one lookup.
enum : uint8_t { kPlain = 0, kQuote, kOpen, kClose, kComma };
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  t[uint8_t('"')] = kQuote;
  t[uint8_t('[')] = t[uint8_t('{')] = kOpen;
  t[uint8_t(']')] = t[uint8_t('}')] = kClose;
  t[uint8_t(',')] = kComma;
  return t;
}();

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The next byte in [p, end) that is a quote or a bracket, or also a comma when `commas`; `end`
// when none. Inside a polygon (digits, commas, dots) nothing else matters, and 16 bytes are
// looked at per step (SSE2, x86-64's baseline).
const char* NextSpecial(const char* p, const char* end, bool commas) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), comma = _mm_set1_epi8(',');
  const __m128i lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i l = _mm_or_si128(v, lower);  // '[' -> '{', ']' -> '}'; no other byte maps there
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(l, open), _mm_cmpeq_epi8(l, close)),
                             _mm_cmpeq_epi8(v, quote));
    if (commas) m = _mm_or_si128(m, _mm_cmpeq_epi8(v, comma));
    if (int bits = _mm_movemask_epi8(m)) return p + __builtin_ctz(unsigned(bits));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    uint8_t k = kByteClass[uint8_t(*p)];
    if (k != kPlain && (k != kComma || commas)) return p;
  }
  return end;
}

const char* TrimBack(const char* begin, const char* end) {
  while (end > begin && IsSpace(end[-1])) --end;
  return end;
}

}  // namespace

const char* SkipJsonSpace(const char* p, const char* end) {
  while (p < end && IsSpace(*p)) ++p;
  return p;
}

const char* SkipJsonString(const char* p, const char* end) {
  while (p < end) {
    // Jump to the next quote; a backslash before it (escaped quote) is checked backwards.
    const char* q = static_cast<const char*>(std::memchr(p, '"', size_t(end - p)));
    if (!q) return nullptr;
    size_t slashes = 0;
    for (const char* b = q; b > p && b[-1] == '\\'; --b) ++slashes;
    // An even run of backslashes escapes itself, not the quote. The run may start before `p`
    // only when `p` itself follows a backslash, which never happens: `p` starts the string or
    // follows a quote that was found unescaped.
    if (slashes % 2 == 0) return q + 1;
    p = q + 1;
  }
  return nullptr;
}

const char* SkipJsonValue(const char* p, const char* end, std::string_view member, MemberSpan* span) {
  if (p >= end) return nullptr;
  const char first = *p;
  if (first == '"') return SkipJsonString(p + 1, end);
  if (first != '[' && first != '{') {  // a number or literal: up to the next delimiter
    while (p < end && kByteClass[uint8_t(*p)] == kPlain && !IsSpace(*p) && *p != ':') ++p;
    return p;
  }
  const bool want = span && !member.empty() && first == '{';
  int depth = 0;
  bool expect_key = false;        // at depth 1 of an object: the next string is a key
  const char* capture = nullptr;  // at depth 1: the wanted member's value started here
  while (p < end) {
    // Commas matter only at the object's own level (they end the wanted member's value).
    p = NextSpecial(p, end, want && depth <= 1);
    if (p == end) break;
    switch (kByteClass[uint8_t(*p)]) {
      case kPlain:
        ++p;
        break;
      case kQuote: {
        const char* s = p + 1;
        const char* q = SkipJsonString(s, end);
        if (!q) return nullptr;
        p = q;
        if (want && depth == 1 && expect_key) {
          expect_key = false;
          if (!span->begin && size_t(q - 1 - s) == member.size() &&
              std::memcmp(s, member.data(), member.size()) == 0) {
            const char* v = SkipJsonSpace(q, end);
            if (v >= end || *v != ':') return nullptr;
            v = SkipJsonSpace(v + 1, end);
            capture = span->begin = v;
            p = v;
          }
        }
        break;
      }
      case kOpen:
        if (++depth == 1) expect_key = true;
        ++p;
        break;
      case kClose:
        if (depth == 1 && capture) span->end = TrimBack(capture, p), capture = nullptr;
        if (--depth == 0) return p + 1;
        ++p;
        break;
      case kComma:
        if (depth == 1) {
          if (capture) span->end = TrimBack(capture, p), capture = nullptr;
          expect_key = true;
        }
        ++p;
        break;
    }
  }
  return nullptr;
}

void AppendMinifiedJson(std::string_view raw, std::string* out) {
  const char* p = raw.data();
  const char* end = p + raw.size();
  // Most spans (a compact file's) have no whitespace at all: one copy.
  bool any_space = false;
  for (const char* q = p; q < end && !any_space; ++q) any_space = IsSpace(*q);
  if (!any_space) {
    out->append(raw);
    return;
  }
  while (p < end) {
    if (*p == '"') {
      const char* q = SkipJsonString(p + 1, end);
      if (!q) q = end;
      out->append(p, size_t(q - p));
      p = q;
    } else {
      if (!IsSpace(*p)) out->push_back(*p);
      ++p;
    }
  }
}

}  // namespace imgpipe::coco
