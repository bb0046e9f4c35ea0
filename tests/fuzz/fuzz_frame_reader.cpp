// Fuzz target: any bytes as a record stream (frames and NDJSON mixed) until the end or an error.
// Every record read must re-encode and read back to the same record.
#include <string>
#include <vector>

#include "libcommon/frame.h"
#include "libcommon/stream_reader.h"
#include "tests/fuzz/fuzz_support.h"

using namespace imgpipe;

namespace {

ReaderOptions Options() {
  ReaderOptions o;
  o.frame.max_header = 1 << 16;
  o.frame.max_payload = 1 << 22;  // small limits keep each run fast; the logic is the same
  o.max_line = 1 << 16;
  o.json.max_depth = 16;
  return o;
}

// Everything read, written again as one stream (frames for payloads, lines otherwise), must
// read back as the same records. One stream, one reader: each reader costs a 1 MiB buffer.
void CheckRoundTrip(const std::vector<Record>& records) {
  if (records.empty()) return;
  std::string bytes;
  for (const Record& r : records) {
    if (r.HasPayload()) {
      AppendFrame(r, &bytes);
    } else {
      bytes += r.ToJson();
      bytes += '\n';
    }
  }
  int fd = fuzz::MemFd(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (fd < 0) return;
  ReaderOptions o = Options();
  o.max_line = bytes.size() + 1;
  o.frame.max_header = uint32_t(bytes.size());
  o.json.max_depth = 1000;
  RecordReader reader(fd, "again", o);
  for (const Record& r : records) {
    Record back;
    auto got = reader.Next(&back);
    FUZZ_CHECK(got.ok() && *got);
    FUZZ_CHECK(!back.malformed_input);
    FUZZ_CHECK(back.ToJson() == r.ToJson());
    FUZZ_CHECK(back.payload == r.payload);
    FUZZ_CHECK(back.payload_info.kind == r.payload_info.kind);
  }
  Record extra;
  auto end = reader.Next(&extra);
  FUZZ_CHECK(end.ok() && !*end);
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = fuzz::MemFd(data, size);
  if (fd < 0) return 0;
  RecordReader reader(fd, "fuzz", Options());
  std::vector<Record> records;
  for (size_t n = 0; n <= size + 1; ++n) {  // each record consumes at least one byte
    Record r;
    auto got = reader.Next(&r);
    if (!got) {
      FUZZ_CHECK(!got.error().code.empty());
      break;
    }
    if (!*got) break;
    FUZZ_CHECK(n < size + 1);
    records.push_back(std::move(r));
  }
  CheckRoundTrip(records);
  FUZZ_CHECK(reader.bytes() <= size);
  close(fd);
  return 0;
}
