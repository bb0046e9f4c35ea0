// Binary frames: byte layout, round trips of every payload kind, and every way a frame can break
// (truncation at each byte, each byte corrupted, limits, version, reserved, size disagreements).
#include "libcommon/frame.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "libcommon/crc32c.h"
#include "libcommon/stream_reader.h"
#include "tests/support/stream_helpers.h"

namespace imgpipe {
namespace {

using testing::GetLe;
using testing::PutLe;
using testing::ReadAllRecords;
using testing::ReadAllRecordsViaPipe;

std::string Frame(const Record& r) {
  std::string out;
  AppendFrame(r, &out);
  return out;
}

// A frame whose header is exactly `header` (no checking), with a correct CRC.
std::string RawFrame(std::string_view header, std::string_view payload) {
  std::string out = "\x89IPF";
  out += std::string("\x01\x00\x00\x00", 4);
  std::string len(4, '\0');
  PutLe(&len, 0, header.size(), 4);
  out += len;
  out += header;
  std::string plen(8, '\0');
  PutLe(&plen, 0, payload.size(), 8);
  out += plen;
  out += payload;
  uint32_t crc = Crc32c(0, out.data(), out.size());
  std::string c(4, '\0');
  PutLe(&c, 0, crc, 4);
  return out + c;
}

void ExpectSameRecord(const Record& got, const Record& want) {
  EXPECT_EQ(got.ToJson(), want.ToJson());
  EXPECT_EQ(got.payload, want.payload);
  EXPECT_EQ(got.payload_info.kind, want.payload_info.kind);
  EXPECT_EQ(got.payload_info.width, want.payload_info.width);
  EXPECT_EQ(got.payload_info.height, want.payload_info.height);
  EXPECT_EQ(got.payload_info.channels, want.payload_info.channels);
  EXPECT_EQ(got.payload_info.dtype, want.payload_info.dtype);
  EXPECT_EQ(got.payload_info.shape, want.payload_info.shape);
  EXPECT_EQ(got.payload_info.layout, want.payload_info.layout);
}

std::vector<Record> ThreeRecords() {
  Record a = testing::MakeEncodedRecord("a", 37);
  a.SetRaw("exotic", R"({"n":18446744073709551616,"s":"\ud83d\ude00\n","e":[]})");
  return {a, testing::MakePixelsRecord("b", 3, 2, 3, "u16"),
          testing::MakeTensorRecord("c", {2, 3, 4}, "f16", "chw")};
}

TEST(FrameTest, LayoutMatchesSpec) {
  Record r = testing::MakePixelsRecord("x", 2, 2, 1);
  std::string f = Frame(r);
  ASSERT_GE(f.size(), 24u);
  EXPECT_EQ(f.substr(0, 4), "\x89IPF");
  EXPECT_EQ(GetLe(f, 4, 2), 1u);
  EXPECT_EQ(GetLe(f, 6, 2), 0u);
  const uint64_t h = GetLe(f, 8, 4);
  const std::string header = f.substr(12, h);
  EXPECT_EQ(header,
            R"({"payload":{"kind":"pixels","width":2,"height":2,"channels":1,"dtype":"u8"},)"
            R"("id":"x","width":2,"height":2})");
  const uint64_t p = GetLe(f, 12 + h, 8);
  EXPECT_EQ(p, 4u);
  EXPECT_EQ(f.size(), 24 + h + p);
  EXPECT_EQ(f.substr(20 + h, p), std::string(r.payload.begin(), r.payload.end()));
  EXPECT_EQ(GetLe(f, 20 + h + p, 4), Crc32c(0, f.data(), 20 + h + p));
}

TEST(FrameTest, HeaderWithoutMetadataIsJustThePayloadDescription) {
  Record r;
  r.payload_info.kind = PayloadKind::kEncoded;
  r.payload = {1, 2, 3};
  EXPECT_EQ(FrameHeaderJson(r), R"({"payload":{"kind":"encoded"}})");
  auto got = ReadAllRecords(Frame(r));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.records.size(), 1u);
  ExpectSameRecord(got.records[0], r);
}

TEST(FrameTest, RoundTripEncodedPixelsTensor) {
  const auto records = ThreeRecords();
  const std::string bytes = testing::WriteAllRecords(records);
  for (size_t chunk : {size_t(0), size_t(1), size_t(7), size_t(4096)}) {
    SCOPED_TRACE(chunk);
    auto got = chunk == 0 ? ReadAllRecords(bytes) : ReadAllRecordsViaPipe(bytes, chunk);
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.records.size(), 3u);
    for (size_t i = 0; i < 3; ++i) ExpectSameRecord(got.records[i], records[i]);
  }
}

TEST(FrameTest, RoundTripLargePayloadsAcrossBufferBoundaries) {
  // Payloads bigger than the reader's 1 MiB buffer take its direct-read path.
  std::vector<Record> records = {testing::MakeEncodedRecord("big", (3u << 20) + 17, 5),
                                 testing::MakePixelsRecord("px", 1000, 700, 3, "u8", 9),
                                 testing::MakeEncodedRecord("small", 3, 4)};
  const std::string bytes = testing::WriteAllRecords(records);
  for (size_t chunk : {size_t(0), size_t(65536), size_t(1000003)}) {
    SCOPED_TRACE(chunk);
    auto got = chunk == 0 ? ReadAllRecords(bytes) : ReadAllRecordsViaPipe(bytes, chunk);
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.records.size(), 3u);
    for (size_t i = 0; i < 3; ++i) ExpectSameRecord(got.records[i], records[i]);
  }
}

TEST(FrameTest, TruncationAtEveryByteIsACleanErrorNamingTheFrame) {
  const auto records = ThreeRecords();
  std::vector<size_t> ends;  // end offset of each frame
  std::string bytes;
  for (const Record& r : records) {
    AppendFrame(r, &bytes);
    ends.push_back(bytes.size());
  }
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    size_t complete = 0;
    while (complete < ends.size() && ends[complete] <= cut) ++complete;
    auto got = ReadAllRecords(std::string_view(bytes).substr(0, cut));
    ASSERT_EQ(got.records.size(), complete);
    for (size_t i = 0; i < complete; ++i) ExpectSameRecord(got.records[i], records[i]);
    const bool at_boundary = cut == 0 || (complete > 0 && ends[complete - 1] == cut);
    if (at_boundary) {
      EXPECT_FALSE(got.error) << got.error->message;
      continue;
    }
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->code, "truncated");
    const size_t start = complete == 0 ? 0 : ends[complete - 1];
    EXPECT_NE(got.error->message.find("frame " + std::to_string(complete + 1) + " (byte " +
                                      std::to_string(start) + ")"),
              std::string::npos)
        << got.error->message;
  }
}

TEST(FrameTest, TruncationThroughAPipeInSmallWrites) {
  const auto records = ThreeRecords();
  const std::string bytes = testing::WriteAllRecords(records);
  const size_t first_end = Frame(records[0]).size();
  for (size_t cut : {first_end + 1, first_end + 13, bytes.size() - 1}) {
    auto got = ReadAllRecordsViaPipe(std::string_view(bytes).substr(0, cut), 3);
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->code, "truncated");
    EXPECT_GE(got.records.size(), 1u);
  }
}

// The CRC covers every byte of the frame, so any corrupted byte is an error. The one exception in
// kind (not in detection) is the first byte: without 0x89 the bytes are read as NDJSON, and become
// error records instead of a stream error.
TEST(FrameTest, EveryCorruptedByteOfAFrameIsDetected) {
  const auto records = ThreeRecords();
  std::string bytes;
  AppendFrame(records[0], &bytes);
  const size_t start = bytes.size();
  AppendFrame(records[1], &bytes);
  const size_t end = bytes.size();
  AppendFrame(records[2], &bytes);
  for (uint8_t mask : {uint8_t(0xFF), uint8_t(0x01), uint8_t(0x80), uint8_t(0x10)}) {
    for (size_t at = start; at < end; ++at) {
      SCOPED_TRACE("byte " + std::to_string(at - start) + " of frame 2, mask " +
                   std::to_string(mask));
      std::string bad = bytes;
      bad[at] = char(uint8_t(bad[at]) ^ mask);
      auto got = ReadAllRecords(bad);
      ASSERT_GE(got.records.size(), 1u);
      ExpectSameRecord(got.records[0], records[0]);
      if (at == start) {
        ASSERT_GE(got.records.size(), 2u);
        EXPECT_TRUE(got.records[1].Has("error"));
        EXPECT_TRUE(got.records[1].malformed_input);
        for (const Record& r : got.records) EXPECT_NE(r.GetString("id"), "b");
        continue;
      }
      ASSERT_TRUE(got.error) << "corruption not detected";
      EXPECT_EQ(got.records.size(), 1u);
      EXPECT_NE(got.error->message.find("frame 2 (byte " + std::to_string(start) + ")"),
                std::string::npos)
          << got.error->message;
    }
  }
}

TEST(FrameTest, CrcMismatchIsBadFrame) {
  std::string f = Frame(testing::MakeEncodedRecord("a", 10));
  f.back() = char(f.back() ^ 1);
  auto got = ReadAllRecords(f);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "bad-frame");
  EXPECT_NE(got.error->message.find("CRC32C"), std::string::npos);
}

TEST(FrameTest, OversizeHeaderIsRefused) {
  Record r = testing::MakeEncodedRecord("a", 4);
  const std::string f = Frame(r);
  const uint64_t h = GetLe(f, 8, 4);
  ReaderOptions options;
  options.frame.max_header = uint32_t(h);
  auto ok = ReadAllRecords(f, options);
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.records.size(), 1u);
  options.frame.max_header = uint32_t(h - 1);
  auto got = ReadAllRecords(f, options);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "too-large");
  EXPECT_NE(got.error->message.find("frame 1 (byte 0)"), std::string::npos);
}

TEST(FrameTest, HugeHeaderLengthWithDefaultLimitsIsRefusedBeforeReading) {
  std::string f = Frame(testing::MakeEncodedRecord("a", 4));
  PutLe(&f, 8, 0xFFFFFFFFu, 4);
  auto got = ReadAllRecords(f);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "too-large");
}

TEST(FrameTest, OversizePayloadIsRefused) {
  const std::string f = Frame(testing::MakeEncodedRecord("a", 100));
  ReaderOptions options;
  options.frame.max_payload = 100;
  EXPECT_FALSE(ReadAllRecords(f, options).error);
  options.frame.max_payload = 99;
  auto got = ReadAllRecords(f, options);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "too-large");
}

TEST(FrameTest, OversizePayloadLengthIsRefusedWithoutAllocatingIt) {
  // The stream claims a 2^62-byte payload and ends: allocating it would throw, and reading it
  // would report "truncated". It must be refused by the limit first.
  std::string f = Frame(testing::MakeEncodedRecord("a", 0));
  const uint64_t h = GetLe(f, 8, 4);
  f.resize(12 + h + 8);
  PutLe(&f, 12 + h, 1ull << 62, 8);
  auto got = ReadAllRecords(f);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "too-large");
  EXPECT_NE(got.error->message.find("4611686018427387904"), std::string::npos);
}

uint64_t VirtualMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * uint64_t(sysconf(_SC_PAGESIZE));
}

// A frame within the payload limit whose stream ends early costs what was sent, not what the
// length field claims: a 40-byte input must not make the reader allocate 900 MiB.
TEST(FrameTest, TruncatedLargePayloadDoesNotAllocateTheClaimedSize) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::string f = Frame(testing::MakeEncodedRecord("a", 0));
        const uint64_t h = GetLe(f, 8, 4);
        f.resize(12 + h + 8);
        PutLe(&f, 12 + h, 900ull << 20, 8);
        f += "only a few payload bytes";
        struct rlimit lim {};
        lim.rlim_cur = lim.rlim_max = VirtualMemoryBytes() + (256ull << 20);
        setrlimit(RLIMIT_AS, &lim);
        auto got = ReadAllRecords(f);
        std::_Exit(got.error && got.error->code == "truncated" ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FrameTest, UnknownVersionIsRefused) {
  std::string f = Frame(testing::MakeEncodedRecord("a", 4));
  PutLe(&f, 4, 2, 2);
  testing::FixFrameCrc(&f);
  auto got = ReadAllRecords(f);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, "bad-frame");
  EXPECT_NE(got.error->message.find("version 2"), std::string::npos) << got.error->message;
}

TEST(FrameTest, NonZeroReservedIsRefused) {
  for (uint64_t v : {1ull, 0x100ull, 0xFFFFull}) {
    std::string f = Frame(testing::MakeEncodedRecord("a", 4));
    PutLe(&f, 6, v, 2);
    testing::FixFrameCrc(&f);
    auto got = ReadAllRecords(f);
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->code, "bad-frame");
    EXPECT_NE(got.error->message.find("reserved"), std::string::npos);
  }
}

void ExpectBadFrame(std::string_view header, size_t payload_size, std::string_view why) {
  SCOPED_TRACE(std::string(header));
  std::string frame = RawFrame(header, std::string(payload_size, '\x5A'));
  auto got = ReadAllRecords(frame);
  ASSERT_TRUE(got.error) << "accepted";
  EXPECT_EQ(got.error->code, "bad-frame");
  EXPECT_NE(got.error->message.find(std::string(why)), std::string::npos) << got.error->message;
  EXPECT_TRUE(got.records.empty());
}

TEST(FrameTest, PixelsPayloadSizeMustMatchDescription) {
  const char* px = R"({"payload":{"kind":"pixels","width":4,"height":3,"channels":3,"dtype":"u8"}})";
  EXPECT_EQ(ReadAllRecords(RawFrame(px, std::string(36, 'x'))).records.size(), 1u);
  ExpectBadFrame(px, 35, "its description says 36");
  ExpectBadFrame(px, 37, "its description says 36");
  ExpectBadFrame(px, 0, "its description says 36");
  const char* px16 =
      R"({"payload":{"kind":"pixels","width":4,"height":3,"channels":3,"dtype":"u16"}})";
  EXPECT_EQ(ReadAllRecords(RawFrame(px16, std::string(72, 'x'))).records.size(), 1u);
  ExpectBadFrame(px16, 36, "its description says 72");
}

TEST(FrameTest, IncompletePixelsDescriptionIsRefused) {
  const std::string why = "pixels payload needs";
  ExpectBadFrame(R"({"payload":{"kind":"pixels","height":1,"channels":1,"dtype":"u8"}})", 1, why);
  ExpectBadFrame(R"({"payload":{"kind":"pixels","width":1,"height":1,"channels":5,"dtype":"u8"}})",
                 5, why);
  ExpectBadFrame(R"({"payload":{"kind":"pixels","width":1,"height":1,"channels":0,"dtype":"u8"}})",
                 0, why);
  ExpectBadFrame(
      R"({"payload":{"kind":"pixels","width":1,"height":1,"channels":1,"dtype":"f32"}})", 4, why);
  ExpectBadFrame(
      R"({"payload":{"kind":"pixels","width":-1,"height":-1,"channels":1,"dtype":"u8"}})", 1, why);
  ExpectBadFrame(
      R"({"payload":{"kind":"pixels","width":"2","height":1,"channels":1,"dtype":"u8"}})", 2, why);
}

// Dimensions beyond int must not wrap into small ones: 2^32+1 read as an int is 1.
TEST(FrameTest, PixelsDimensionsBeyondIntAreRefused) {
  ExpectBadFrame(
      R"({"payload":{"kind":"pixels","width":4294967297,"height":1,"channels":1,"dtype":"u8"}})",
      1, "pixels payload needs");
  ExpectBadFrame(
      R"({"payload":{"kind":"pixels","width":1,"height":1,"channels":4294967297,"dtype":"u8"}})",
      1, "pixels payload needs");
}

TEST(FrameTest, TensorPayloadMustMatchShape) {
  const char* t = R"({"payload":{"kind":"tensor","shape":[2,3],"dtype":"f32","layout":"hw"}})";
  auto ok = ReadAllRecords(RawFrame(t, std::string(24, 'x')));
  ASSERT_FALSE(ok.error) << ok.error->message;
  EXPECT_EQ(ok.records[0].payload_info.shape, (std::vector<int64_t>{2, 3}));
  ExpectBadFrame(t, 23, "its shape says 24");
  ExpectBadFrame(R"({"payload":{"kind":"tensor","shape":[],"dtype":"f32"}})", 0, "shape");
  ExpectBadFrame(R"({"payload":{"kind":"tensor","shape":[2,0],"dtype":"u8"}})", 0, "shape");
  ExpectBadFrame(R"({"payload":{"kind":"tensor","dtype":"u8"}})", 1, "no shape");
  ExpectBadFrame(R"({"payload":{"kind":"tensor","shape":[1],"dtype":"f64"}})", 8, "dtype");
  ExpectBadFrame(
      R"({"payload":{"kind":"tensor","shape":[4294967296,4294967296,4294967296],"dtype":"u8"}})",
      1, "overflows");
}

TEST(FrameTest, HeaderProblemsAreRefused) {
  ExpectBadFrame(R"([1,2])", 0, "not a JSON object");
  ExpectBadFrame(R"({"payload":{"kind":"encoded"})", 0, "not a JSON object");
  ExpectBadFrame(R"({"id":"x"})", 0, "no \"payload\"");
  ExpectBadFrame(R"({"payload":"encoded"})", 0, "not an object");
  ExpectBadFrame(R"({"payload":{"kind":"video"}})", 0, "unknown payload kind");
  ExpectBadFrame(R"({"payload":{"kind":"none"}})", 0, "unknown payload kind");
  ExpectBadFrame("", 0, "not a JSON object");
}

TEST(FrameTest, ErrorAfterGoodFramesKeepsThemAndNamesFrameAndOffset) {
  const auto records = ThreeRecords();
  std::string bytes = "{\"line\":1}\n";
  AppendFrame(records[0], &bytes);
  bytes += "{\"line\":2}\n";
  const size_t bad_at = bytes.size();
  bytes += RawFrame(R"({"payload":{"kind":"video"}})", "");
  AppendFrame(records[1], &bytes);
  auto got = ReadAllRecords(bytes);
  ASSERT_EQ(got.records.size(), 3u);
  ASSERT_TRUE(got.error);
  // Frames are numbered among frames only; NDJSON lines do not count.
  EXPECT_NE(got.error->message.find("test: frame 2 (byte " + std::to_string(bad_at) + ")"),
            std::string::npos)
      << got.error->message;
}

}  // namespace
}  // namespace imgpipe
