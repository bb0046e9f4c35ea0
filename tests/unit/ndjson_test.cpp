// NDJSON records: byte-exact pass-through of values we do not interpret, malformed and over-long
// lines as error records, depth limits, blank lines, CRLF and plain lines.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "libcommon/json.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"
#include "tests/support/stream_helpers.h"

namespace imgpipe {
namespace {

using testing::ReadAllRecords;
using testing::ReadAllRecordsViaPipe;

const char kExotic[] =
    R"({"id":"x","s":"q\" b\\ s\/ \b\f\n\r\t nul\u0000 emoji\ud83d\ude00 lone\udc00",)"
    "\"utf8\":\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\","
    R"("max":9223372036854775807,"min":-9223372036854775808,"big":18446744073709551616,)"
    R"("inf":1e400,"prec":0.1000000000000000055511151231257827,"negz":-0.0,"E":1E+2,)"
    R"("nested":{"a":[1,{"b":[[],{}]},"x,y]}"],"c":{"d":null}},"empty_o":{},"empty_a":[],)"
    R"("t":true,"f":false,"n":null,"\u00e9key":1})";

TEST(NdjsonTest, ExoticValuesPassThroughByteExact) {
  const std::string line = kExotic;
  auto got = ReadAllRecords(line + "\n");
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.records.size(), 1u);
  const Record& r = got.records[0];
  EXPECT_FALSE(r.Has("error"));
  EXPECT_EQ(*r.FindRaw("big"), "18446744073709551616");
  EXPECT_EQ(*r.FindRaw("inf"), "1e400");
  EXPECT_EQ(*r.FindRaw("prec"), "0.1000000000000000055511151231257827");
  EXPECT_EQ(*r.FindRaw("negz"), "-0.0");
  EXPECT_EQ(*r.FindRaw("empty_o"), "{}");
  EXPECT_EQ(*r.FindRaw("empty_a"), "[]");
  EXPECT_EQ(*r.FindRaw("nested"), R"({"a":[1,{"b":[[],{}]},"x,y]}"],"c":{"d":null}})");
  // Everything but the one escaped key is written back exactly as read.
  std::string want = line;
  want.replace(want.find("\\u00e9key"), 9, "\xC3\xA9key");
  EXPECT_EQ(r.ToJson(), want);
  EXPECT_EQ(testing::WriteAllRecords({r}), want + "\n");
}

TEST(NdjsonTest, ExoticValuesDecode) {
  auto r = Record::FromJson(kExotic);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->GetString("s"),
            std::string("q\" b\\ s/ \b\f\n\r\t nul") + '\0' +
                " emoji\xF0\x9F\x98\x80 lone\xEF\xBF\xBD");
  EXPECT_EQ(r->GetString("utf8"), "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(r->GetInt("max"), INT64_MAX);
  EXPECT_EQ(r->GetInt("min"), INT64_MIN);
  EXPECT_EQ(r->GetInt("big"), std::nullopt);
  EXPECT_EQ(r->GetNumber("inf"), std::nullopt);
  EXPECT_EQ(r->GetNumber("prec"), 0.1);
  ASSERT_TRUE(r->GetNumber("negz"));
  EXPECT_TRUE(std::signbit(*r->GetNumber("negz")));
  EXPECT_EQ(r->GetNumber("E"), 100.0);
  EXPECT_EQ(r->GetInt("E"), std::nullopt);
  EXPECT_TRUE(r->Has("\xC3\xA9key"));
  EXPECT_EQ(r->GetString("max"), std::nullopt);
}

TEST(NdjsonTest, WhitespaceInsideValuesIsKeptAndAroundThemDropped) {
  auto got = ReadAllRecords(" { \"a\" : [ 1 , 2 ] ,\t\"b\" :\"x\" } \n");
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(got.records[0].ToJson(), R"({"a":[ 1 , 2 ],"b":"x"})");
}

TEST(NdjsonTest, SettersKeepPositionAndRepeatedKeysLastWins) {
  auto r = Record::FromJson(R"({"a":1,"b":2,"a":3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ToJson(), R"({"a":3,"b":2})");
  r->SetInt("b", 20);
  r->SetString("c", "new\n");
  r->SetNumber("d", 0.5);
  r->SetNumber("nan", std::nan(""));
  r->SetBool("e", false);
  EXPECT_EQ(r->ToJson(), R"({"a":3,"b":20,"c":"new\n","d":0.5,"nan":null,"e":false})");
  EXPECT_TRUE(r->Erase("a"));
  EXPECT_FALSE(r->Erase("a"));
  EXPECT_EQ(r->ToJson(), R"({"b":20,"c":"new\n","d":0.5,"nan":null,"e":false})");
}

TEST(NdjsonTest, MalformedLinesBecomeErrorRecordsAndTheStreamGoesOn) {
  const std::vector<std::string> bad = {
      "{",         R"({"a":})",    "[1,2]",        R"("str")",        R"({"a":1}})",
      R"({"a":01})", "{'a':1}",    R"({"a":1,})",  "{\"a\":\"\x01\"}", R"({"a":tru})",
      "nul",       R"({"a":1} {"b":2})", R"({"a":"\q"})", R"({"a":"\u12G4"})", R"({"a":-})",
      R"({"a":1.})", R"({"a":1e})", R"({"a" 1})",   "{1:2}",           R"({"a":[1,]})",
      R"({"a":NaN})", R"({"a":Infinity})", R"({"a":+1})", R"({"a":.5})", R"({"a":"x)",
      R"({"a":[})",  "}",          R"({"a":1,"a"})", "\"\\",         "hello world"};
  std::string stream;
  for (const auto& line : bad) stream += line + "\n{\"ok\":true}\n";
  ReaderOptions options;
  options.tool = "img-test";
  auto got = ReadAllRecords(stream, options);
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.records.size(), 2 * bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(bad[i]);
    const Record& e = got.records[2 * i];
    EXPECT_TRUE(e.malformed_input);
    EXPECT_EQ(e.GetString("raw"), bad[i]);
    EXPECT_EQ(e.GetInt("line"), int64_t(2 * i + 1));
    auto err = Record::FromJson(*e.FindRaw("error"));
    ASSERT_TRUE(err.ok());
    EXPECT_EQ(err->GetString("tool"), "img-test");
    EXPECT_EQ(err->GetString("code"), "bad-json");
    EXPECT_NE(err->GetString("message")->find("test: line " + std::to_string(2 * i + 1)),
              std::string::npos);
    // The error record itself is well-formed JSON and reads back as a record.
    EXPECT_TRUE(ValidateJson(e.ToJson()).ok());
    const Record& ok = got.records[2 * i + 1];
    EXPECT_FALSE(ok.malformed_input);
    EXPECT_EQ(ok.ToJson(), R"({"ok":true})");
  }
}

TEST(NdjsonTest, InvalidUtf8LineIsAnErrorRecordWithValidJson) {
  auto got = ReadAllRecords("{\"a\":\"\xFF\xC0\x80\"}\n\x89 not a frame in mid-line? no: first byte\n");
  // The second line starts with 0x89, so it is read as a frame and fails as one.
  ASSERT_GE(got.records.size(), 1u);
  EXPECT_TRUE(got.records[0].malformed_input);
  EXPECT_TRUE(ValidateJson(got.records[0].ToJson()).ok());
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "bad-frame");

  auto mid = ReadAllRecords("{\"a\":1}\x89\n{\"b\":2}\n");
  ASSERT_FALSE(mid.error);
  ASSERT_EQ(mid.records.size(), 2u);
  EXPECT_TRUE(mid.records[0].malformed_input);
  EXPECT_EQ(mid.records[1].ToJson(), R"({"b":2})");
}

TEST(NdjsonTest, OverLongLineIsAnErrorRecordAndTheNextLineIsRead) {
  ReaderOptions options;
  options.max_line = 100;
  std::string exact = "{\"a\":\"" + std::string(100 - 8, 'x') + "\"}";
  ASSERT_EQ(exact.size(), 100u);
  std::string longer = "{\"a\":\"" + std::string(5000, 'y') + "\"}";
  std::string stream = exact + "\n" + longer + "\n{\"next\":1}\n" + longer;
  for (size_t chunk : {size_t(0), size_t(1), size_t(64), size_t(99)}) {
    SCOPED_TRACE(chunk);
    auto got = chunk == 0 ? ReadAllRecords(stream, options)
                          : ReadAllRecordsViaPipe(stream, chunk, options);
    ASSERT_FALSE(got.error);
    ASSERT_EQ(got.records.size(), 4u);
    EXPECT_FALSE(got.records[0].malformed_input);
    for (size_t i : {size_t(1), size_t(3)}) {
      const Record& e = got.records[i];
      EXPECT_TRUE(e.malformed_input);
      EXPECT_EQ(e.GetInt("line"), int64_t(i + 1));
      EXPECT_EQ(e.GetString("raw"), longer.substr(0, 1024));
      auto err = Record::FromJson(*e.FindRaw("error"));
      ASSERT_TRUE(err.ok());
      EXPECT_EQ(err->GetString("code"), "too-large");
    }
    EXPECT_EQ(got.records[2].ToJson(), R"({"next":1})");
  }
}

TEST(NdjsonTest, LinesLongerThanTheReadBuffer) {
  ReaderOptions options;
  options.max_line = 3u << 20;
  const std::string fits = "{\"a\":\"" + std::string((5u << 19), 'f') + "\"}";   // 2.5 MiB
  const std::string over = "{\"a\":\"" + std::string((7u << 19), 'o') + "\"}";   // 3.5 MiB
  auto got = ReadAllRecordsViaPipe(fits + "\n" + over + "\n{\"z\":0}\n", 1 << 16, options);
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_EQ(got.records[0].ToJson(), fits);
  EXPECT_TRUE(got.records[1].malformed_input);
  EXPECT_EQ(got.records[2].ToJson(), R"({"z":0})");
}

std::string Nested(int depth) {
  std::string s = "{\"a\":";
  for (int i = 1; i < depth; ++i) s += "[";
  s += "1";
  for (int i = 1; i < depth; ++i) s += "]";
  return s + "}";
}

TEST(NdjsonTest, DepthLimit) {
  ReaderOptions options;
  options.json.max_depth = 4;
  auto got = ReadAllRecords(Nested(4) + "\n" + Nested(5) + "\n" + Nested(2) + "\n", options);
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_FALSE(got.records[0].malformed_input);
  EXPECT_TRUE(got.records[1].malformed_input);
  EXPECT_NE(got.records[1].FindRaw("error")->find("nesting deeper than 4"), std::string::npos);
  EXPECT_FALSE(got.records[2].malformed_input);

  // Default limit 64; a million levels must not recurse.
  auto deflt = ReadAllRecords(Nested(64) + "\n" + Nested(65) + "\n" + Nested(1000000) + "\n");
  ASSERT_EQ(deflt.records.size(), 3u);
  EXPECT_FALSE(deflt.records[0].malformed_input);
  EXPECT_TRUE(deflt.records[1].malformed_input);
  EXPECT_TRUE(deflt.records[2].malformed_input);
}

TEST(NdjsonTest, BlankLinesCrlfAndMissingFinalNewline) {
  const std::string stream = "\n\n{\"a\":1}\r\n   \n\t\r\n{\"b\":2}\r\n\r\nbad\r\n{\"c\":3}";
  for (size_t chunk : {size_t(0), size_t(1), size_t(5)}) {
    SCOPED_TRACE(chunk);
    auto got = chunk == 0 ? ReadAllRecords(stream) : ReadAllRecordsViaPipe(stream, chunk);
    ASSERT_FALSE(got.error);
    ASSERT_EQ(got.records.size(), 4u);
    EXPECT_EQ(got.records[0].ToJson(), R"({"a":1})");
    EXPECT_EQ(got.records[1].ToJson(), R"({"b":2})");
    EXPECT_TRUE(got.records[2].malformed_input);
    EXPECT_EQ(got.records[2].GetString("raw"), "bad");   // no '\r'
    EXPECT_EQ(got.records[2].GetInt("line"), 8);        // physical line number
    EXPECT_EQ(got.records[3].ToJson(), R"({"c":3})");
  }
  EXPECT_TRUE(ReadAllRecords("").records.empty());
  EXPECT_TRUE(ReadAllRecords("\n \n\r\n").records.empty());
}

TEST(NdjsonTest, PlainLineKey) {
  ReaderOptions options;
  options.plain_line_key = "url";
  auto got = ReadAllRecords(
      "http://x/a.jpg\n{\"url\":\"y\",\"k\":1}\n  path with \"quotes\" \\ and spaces  \r\n"
      "{broken\n\n",
      options);
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.records.size(), 4u);
  EXPECT_EQ(got.records[0].ToJson(), R"({"url":"http://x/a.jpg"})");
  EXPECT_EQ(got.records[1].ToJson(), R"({"url":"y","k":1})");
  EXPECT_EQ(got.records[2].GetString("url"), "path with \"quotes\" \\ and spaces");
  EXPECT_TRUE(ValidateJson(got.records[2].ToJson()).ok());
  EXPECT_TRUE(got.records[3].malformed_input);  // starts with '{': JSON or an error, not a path
}

TEST(NdjsonTest, ErrorRecordsRoundTripThroughWriterAndReader) {
  auto got = ReadAllRecords("{oops}\n");
  ASSERT_EQ(got.records.size(), 1u);
  const std::string written = testing::WriteAllRecords(got.records);
  auto again = ReadAllRecords(written);
  ASSERT_EQ(again.records.size(), 1u);
  EXPECT_FALSE(again.records[0].malformed_input);  // now a well-formed record carrying an error
  EXPECT_EQ(again.records[0].ToJson(), got.records[0].ToJson());
}

TEST(NdjsonTest, RecordFromJsonRefusesNonObjects) {
  for (const char* text : {"[]", "1", "\"s\"", "null", "", " ", "{}x"})
    EXPECT_FALSE(Record::FromJson(text).ok()) << text;
  auto empty = Record::FromJson(" {  } ");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->fields().empty());
  EXPECT_EQ(empty->ToJson(), "{}");
}

}  // namespace
}  // namespace imgpipe
