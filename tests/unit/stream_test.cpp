// The record stream as a whole: NDJSON and frames mixed, the writer's choice of encoding, its
// refusal to write binary to a terminal, and a reader that goes away.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "libcommon/frame.h"
#include "libcommon/stream_reader.h"
#include "libcommon/stream_writer.h"
#include "tests/support/stream_helpers.h"

namespace imgpipe {
namespace {

using testing::ReadAllRecords;

TEST(StreamTest, MixedNdjsonAndFramesKeepTheirOrder) {
  std::vector<Record> records;
  for (int i = 0; i < 20; ++i) {
    if (i % 3 == 0) {
      records.push_back(testing::MakeEncodedRecord("r" + std::to_string(i), size_t(i) * 5, i));
    } else if (i % 3 == 1) {
      records.push_back(testing::MakePixelsRecord("r" + std::to_string(i), i, 2, 1 + i % 4));
    } else {
      auto r = Record::FromJson(R"({"id":"r)" + std::to_string(i) + R"(","n":)" +
                                std::to_string(i) + "}");
      records.push_back(r.value());
    }
  }
  const std::string bytes = testing::WriteAllRecords(records);
  for (size_t chunk : {size_t(0), size_t(1), size_t(11)}) {
    SCOPED_TRACE(chunk);
    auto got = chunk == 0 ? ReadAllRecords(bytes) : testing::ReadAllRecordsViaPipe(bytes, chunk);
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.records.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(got.records[i].ToJson(), records[i].ToJson());
      EXPECT_EQ(got.records[i].payload, records[i].payload);
      EXPECT_EQ(got.records[i].HasPayload(), records[i].HasPayload());
    }
  }
}

TEST(StreamTest, ReaderCountsRecordsAndBytes) {
  std::string bytes = "{\"a\":1}\n\n";
  AppendFrame(testing::MakeEncodedRecord("e", 9), &bytes);
  bytes += "{\"b\":2}";
  testing::MemFile file(bytes);
  RecordReader reader(file.fd(), "f", {});
  Record r;
  int n = 0;
  while (true) {
    auto got = reader.Next(&r);
    ASSERT_TRUE(got.ok());
    if (!*got) break;
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(reader.records(), 3u);
  EXPECT_EQ(reader.bytes(), bytes.size());
  // Reading past the end keeps saying "end".
  auto again = reader.Next(&r);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(StreamTest, WriterUsesNdjsonWithoutPayloadAndFramesWithOne) {
  Record plain = Record::FromJson(R"({"id":"p"})").value();
  Record px = testing::MakePixelsRecord("x", 2, 1, 3);
  const std::string bytes = testing::WriteAllRecords({plain, px, plain});
  std::string want = "{\"id\":\"p\"}\n";
  AppendFrame(px, &want);
  want += "{\"id\":\"p\"}\n";
  EXPECT_EQ(bytes, want);
}

TEST(StreamTest, HeadersOnlyModeDescribesPayloadsAsNdjson) {
  Record px = testing::MakePixelsRecord("x", 2, 1, 3);
  Record t = testing::MakeTensorRecord("t", {3, 1, 2}, "f32", "chw");
  const std::string bytes = testing::WriteAllRecords({px, t}, OutputMode::kHeadersOnly);
  EXPECT_EQ(bytes,
            R"({"payload":{"kind":"pixels","width":2,"height":1,"channels":3,"dtype":"u8"},)"
            R"("id":"x","width":2,"height":1})"
            "\n"
            R"({"payload":{"kind":"tensor","shape":[3,1,2],"dtype":"f32","layout":"chw"},)"
            R"("id":"t"})"
            "\n");
  EXPECT_EQ(bytes.find('\x89'), std::string::npos);
}

TEST(StreamTest, WriterRefusesFramesToATerminal) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) GTEST_SKIP() << "no pseudo-terminals here";
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  {
    RecordWriter writer(slave);
    Status s = writer.Write(testing::MakeEncodedRecord("e", 4));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "usage");
    EXPECT_TRUE(writer.Write(Record::FromJson(R"({"id":"ok"})").value()).ok());
    EXPECT_TRUE(writer.Flush().ok());
  }
  {
    RecordWriter headers(slave, OutputMode::kHeadersOnly);
    EXPECT_TRUE(headers.Write(testing::MakeEncodedRecord("e", 4)).ok());
  }
  close(slave);
  close(master);
}

TEST(StreamTest, WriterReportsAClosedReaderAsClosed) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  RecordWriter writer(fds[1]);
  Status s = writer.Write(Record::FromJson(R"({"id":"x"})").value());
  if (s.ok()) s = writer.Flush();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "closed");
  close(fds[1]);
}

TEST(StreamTest, ReadErrorIsAnIoError) {
  // A directory descriptor opens but cannot be read (EISDIR).
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  RecordReader reader(fd, "dir", {});
  Record r;
  auto got = reader.Next(&r);
  close(fd);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "io");
}

}  // namespace
}  // namespace imgpipe
