// JSON helpers: the strict validator (RFC 8259), string escaping, raw-value decoders, array
// splitting, and a generated-document round trip through Record.
#include "libcommon/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "libcommon/record.h"

namespace imgpipe {
namespace {

TEST(JsonTest, ValidatorAcceptsWellFormedValues) {
  for (const char* text :
       {"{}", "[]", "0", "-0", "-0.0e-0", "1E+9", "123.456e78", "true", "false", "null",
        "\"\"", " \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"\\u00e9\\/\" ] } \n", "\"\\ud800\"",
        "[[[[]]]]", "{\"\":{\"\":{}}}", "\"\xF0\x9F\x98\x80\"", "18446744073709551616",
        "1e400"}) {
    EXPECT_TRUE(ValidateJson(text).ok()) << text << ": " << ValidateJson(text).error().message;
  }
}

TEST(JsonTest, ValidatorRejectsMalformedValues) {
  for (std::string text :
       {"", " ", "{", "}", "[", "]", "{]", "[}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}",
        "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10",
        "NaN", "Infinity", "tru", "nulll", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\uZZZZ\"",
        "\"a\nb\"", "\"\x7F\"x", "\"\xC0\x80\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
        "\"\xFF\"", "\"\xE2\x82\"", "1 2", "{} {}", "[1 2]", "{\"a\":1 \"b\":2}"}) {
    EXPECT_FALSE(ValidateJson(text).ok()) << text;
  }
  Status s = ValidateJson("{\"a\":[1,2,}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bad-json");
  EXPECT_NE(s.error().message.find("at byte"), std::string::npos);
}

TEST(JsonTest, ValidatorDepthLimitIsExact) {
  JsonLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(ValidateJson("[[[]]]", limits).ok());
  EXPECT_TRUE(ValidateJson("{\"a\":{\"b\":[1]}}", limits).ok());
  EXPECT_FALSE(ValidateJson("[[[[]]]]", limits).ok());
  EXPECT_FALSE(ValidateJson("{\"a\":{\"b\":[{}]}}", limits).ok());
  EXPECT_TRUE(ValidateJson("[[],[],[[]]]", limits).ok());  // siblings do not add up
  EXPECT_FALSE(ValidateJson(std::string(10'000'000, '['), {}).ok());
}

TEST(JsonTest, AppendJsonStringEscapes) {
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
  EXPECT_EQ(JsonString("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(JsonString(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(JsonString("\xC3\xA9\xF0\x9F\x98\x80"), "\"\xC3\xA9\xF0\x9F\x98\x80\"");
}

TEST(JsonTest, AppendJsonStringReplacesInvalidUtf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(JsonString("a\xFF" "b"), "\"a" + fffd + "b\"");
  EXPECT_EQ(JsonString("\xC0\x80"), "\"" + fffd + fffd + "\"");          // overlong NUL
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // UTF-8 surrogate
  EXPECT_EQ(JsonString("\xF4\x90\x80\x80").find("\xF4"), std::string::npos);  // > U+10FFFF
  EXPECT_EQ(JsonString("\xE2\x82"), "\"" + fffd + fffd + "\"");           // cut short
  // Every single byte value gives valid JSON that decodes to something.
  for (int b = 0; b < 256; ++b) {
    std::string s(1, char(b));
    std::string j = JsonString(s);
    ASSERT_TRUE(ValidateJson(j).ok()) << b;
    ASSERT_TRUE(DecodeJsonString(j).has_value()) << b;
    if (b < 0x80) {
      EXPECT_EQ(*DecodeJsonString(j), s) << b;
    }
  }
}

TEST(JsonTest, DecodeJsonString) {
  EXPECT_EQ(DecodeJsonString("\"\""), "");
  EXPECT_EQ(DecodeJsonString(R"("\u0041\u00e9\u20ac\ud83d\ude00")"),
            "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(DecodeJsonString(R"("\ud800x")"), "\xEF\xBF\xBDx");  // lone high surrogate
  EXPECT_EQ(DecodeJsonString(R"("\ud800\u0041")"), "\xEF\xBF\xBD" "A");
  EXPECT_EQ(DecodeJsonString(R"("\u0000")"), std::string(1, '\0'));
  EXPECT_EQ(DecodeJsonString("1"), std::nullopt);
  EXPECT_EQ(DecodeJsonString("\""), std::nullopt);
  EXPECT_EQ(DecodeJsonString(R"("\q")"), std::nullopt);
  EXPECT_EQ(DecodeJsonString(R"("\")"), std::nullopt);
}

TEST(JsonTest, DecodeNumbers) {
  EXPECT_EQ(DecodeJsonInt("0"), 0);
  EXPECT_EQ(DecodeJsonInt("-0"), 0);
  EXPECT_EQ(DecodeJsonInt("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(DecodeJsonInt("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(DecodeJsonInt("9223372036854775808"), std::nullopt);
  EXPECT_EQ(DecodeJsonInt("1.0"), std::nullopt);
  EXPECT_EQ(DecodeJsonInt("1e2"), std::nullopt);
  EXPECT_EQ(DecodeJsonInt("\"1\""), std::nullopt);
  EXPECT_EQ(DecodeJsonInt(""), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber("0.5"), 0.5);
  EXPECT_EQ(DecodeJsonNumber("-1.5e3"), -1500.0);
  EXPECT_EQ(DecodeJsonNumber("1e400"), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber("true"), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber("\"1\""), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber("inf"), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber("nan"), std::nullopt);
  EXPECT_EQ(DecodeJsonNumber(""), std::nullopt);
}

TEST(JsonTest, JsonNumberIsShortestAndRoundTrips) {
  EXPECT_EQ(JsonNumber(0.1), "0.1");
  EXPECT_EQ(JsonNumber(3.0), "3");
  EXPECT_EQ(JsonNumber(-0.0), "-0");
  EXPECT_EQ(JsonNumber(std::nan("")), "null");
  EXPECT_EQ(JsonNumber(INFINITY), "null");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, 8);
    if (!std::isfinite(v)) continue;
    std::string s = JsonNumber(v);
    ASSERT_TRUE(ValidateJson(s).ok()) << s;
    ASSERT_EQ(DecodeJsonNumber(s), v) << s;
  }
}

TEST(JsonTest, SplitJsonArray) {
  auto items = SplitJsonArray(R"( [1, "a,b]" , [1,[2]], {"x":[3,"]"]}, "\"]", null ] )");
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 6u);
  EXPECT_EQ((*items)[0], "1");
  EXPECT_EQ((*items)[1], R"("a,b]")");
  EXPECT_EQ((*items)[2], "[1,[2]]");
  EXPECT_EQ((*items)[3], R"({"x":[3,"]"]})");
  EXPECT_EQ((*items)[4], R"("\"]")");
  EXPECT_EQ((*items)[5], "null");
  EXPECT_EQ(SplitJsonArray("[]")->size(), 0u);
  EXPECT_EQ(SplitJsonArray("[ \n ]")->size(), 0u);
  EXPECT_FALSE(SplitJsonArray("{}").has_value());
  EXPECT_FALSE(SplitJsonArray("1").has_value());
  EXPECT_FALSE(SplitJsonArray("").has_value());
}

// Documented for validated input, but some callers pass text from files: malformed input must end
// (it used to loop forever on a stray '}', growing memory) and stay inside the buffer.
TEST(JsonTest, SplitJsonArrayOnMalformedInputTerminates) {
  EXPECT_FALSE(SplitJsonArray(R"(["a":1}le)").has_value());
  EXPECT_FALSE(SplitJsonArray("[1}").has_value());
  EXPECT_FALSE(SplitJsonArray("[}").has_value());
  const std::string backslash = "[\"\\";  // a string ending in a backslash, then the end
  EXPECT_FALSE(SplitJsonArray(std::string_view(backslash.data(), backslash.size())).has_value());
}

// Random documents: whatever the validator accepts, Record keeps byte for byte.
class JsonGen {
 public:
  explicit JsonGen(uint32_t seed) : rng_(seed) {}
  std::string Value(int depth) {
    switch (Pick(depth > 4 ? 5 : 7)) {
      case 0: return "null";
      case 1: return Pick(2) ? "true" : "false";
      case 2: return Number();
      case 3: case 4: return String();
      case 5: return Object(depth + 1);
      default: {
        std::string s = "[";
        for (int n = Pick(4), i = 0; i < n; ++i) s += (i ? "," : "") + Value(depth + 1);
        return s + "]";
      }
    }
  }
  std::string Object(int depth) {
    std::string s = "{";
    for (int n = Pick(5), i = 0; i < n; ++i)
      s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + Value(depth + 1);
    return s + "}";
  }

 private:
  int Pick(int n) { return int(rng_() % uint32_t(n)); }
  std::string Number() {
    static const char* kNumbers[] = {"0", "-0", "1", "-17", "3.25", "1e400", "-1E-5",
                                     "18446744073709551616", "0.1000000000000000055511151231257827",
                                     "9223372036854775807", "-0.0e+0"};
    return kNumbers[Pick(11)];
  }
  std::string String() {
    static const char* kPieces[] = {"a", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
                                    "\\t", "\\u0000", "\\ud83d\\ude00", "\xC3\xA9", "\xF0\x9F\x98\x80",
                                    " ", ",", ":", "{", "]", "x y"};
    std::string s = "\"";
    for (int n = Pick(6), i = 0; i < n; ++i) s += kPieces[Pick(19)];
    return s + "\"";
  }
  std::mt19937 rng_;
};

TEST(JsonTest, GeneratedObjectsRoundTripThroughRecordByteExact) {
  JsonGen gen(2024);
  for (int i = 0; i < 3000; ++i) {
    std::string doc = gen.Object(0);
    ASSERT_TRUE(ValidateJson(doc).ok()) << doc;
    auto r = Record::FromJson(doc);
    ASSERT_TRUE(r.ok()) << doc;
    EXPECT_EQ(r->ToJson(), doc);
  }
}

TEST(JsonTest, RandomBytesNeverCrashTheValidator) {
  std::mt19937 rng(99);
  const std::string alphabet = "{}[]\",:\\/ u0123456789abcdefeE.-+tnrl\x80\xC3\xA9\xFF\n";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (int n = int(rng() % 40), k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    Status st = ValidateJson(s);
    if (st.ok() && !s.empty()) {
      auto r = Record::FromJson(s);
      if (r.ok()) {
        EXPECT_TRUE(ValidateJson(r->ToJson()).ok()) << s;
      }
    }
  }
}

}  // namespace
}  // namespace imgpipe
