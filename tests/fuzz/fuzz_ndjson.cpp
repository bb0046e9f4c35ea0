// Fuzz target: bytes as one JSON object (Record::FromJson, the validator, the decoders) and as an
// NDJSON stream (RecordReader's line path, with and without plain lines).
#include <string>
#include <string_view>

#include "libcommon/json.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"
#include "tests/fuzz/fuzz_support.h"

using namespace imgpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonLimits limits;
  limits.max_depth = 32;
  Status valid = ValidateJson(text, limits);
  auto record = Record::FromJson(text, limits);
  if (record.ok()) {
    FUZZ_CHECK(valid.ok());
    const std::string json = record->ToJson();
    FUZZ_CHECK(ValidateJson(json, limits).ok());
    auto again = Record::FromJson(json, limits);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->ToJson() == json);
    for (const Field& f : record->fields()) {
      FUZZ_CHECK(ValidateJson(f.raw, limits).ok());
      (void)DecodeJsonInt(f.raw);
      (void)DecodeJsonNumber(f.raw);
      if (auto s = DecodeJsonString(f.raw)) FUZZ_CHECK(ValidateJson(JsonString(*s)).ok());
      if (auto items = SplitJsonArray(f.raw)) {
        for (std::string_view item : *items) FUZZ_CHECK(ValidateJson(item, limits).ok());
      }
    }
  }
  (void)SplitJsonArray(text);  // documented for validated input only, but must not crash

  int fd = fuzz::MemFd(data, size);
  if (fd < 0) return 0;
  ReaderOptions o;
  o.max_line = 4096;
  o.json.max_depth = 32;
  if (size > 0 && (data[0] & 1)) o.plain_line_key = "url";
  RecordReader reader(fd, "fuzz", o);
  for (;;) {
    Record r;
    auto got = reader.Next(&r);
    if (!got || !*got) break;
    FUZZ_CHECK(ValidateJson(r.ToJson()).ok());
  }
  close(fd);
  return 0;
}
