// RunRecordMap: conservation (in = out + dropped), ordering, --on-error modes, exit codes,
// upstream errors, in-flight bounds, stream errors and a closed output.
#include "libcommon/driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "libcommon/diagnostics.h"
#include "libcommon/frame.h"
#include "tests/support/stream_helpers.h"

namespace imgpipe {
namespace {

using testing::MemFile;
using testing::VectorSource;

struct RunOutput {
  RunSummary summary;
  std::vector<Record> out;
};

RunOutput RunOver(const DriverConfig& config, RecordSource& source, const RecordFn& fn) {
  MemFile out;
  RunOutput run;
  {
    RecordWriter writer(out.fd());
    run.summary = RunRecordMap(config, source, fn, writer);
  }
  auto got = testing::ReadAllRecords(out.Contents());
  EXPECT_FALSE(got.error) << got.error->message;
  run.out = std::move(got.records);
  return run;
}

std::vector<Record> Numbered(int n) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.SetInt("id", i);
    r.SetRaw("keep", R"({"big":18446744073709551616,"s":"\u00e9"})");
    records.push_back(std::move(r));
  }
  return records;
}

// Fails on id % 7 == 3; sleeps a pseudo-random 0..2 ms on the others so they finish out of order.
Status FailSome(Record& r) {
  const int64_t id = r.GetInt("id").value();
  if (id % 7 == 3) return MakeError("boom", "record " + std::to_string(id) + " exploded");
  std::this_thread::sleep_for(std::chrono::microseconds((id * 7919) % 2000));
  r.SetBool("mapped", true);
  return Status::Ok();
}

std::string ErrorCode(const Record& r) {
  const std::string* raw = r.FindRaw("error");
  if (!raw) return "";
  auto e = Record::FromJson(*raw);
  return e.ok() ? e->GetString("code").value_or("") : "?";
}

struct Case {
  int threads;
  bool unordered;
  OnError on_error;
};

class DriverMatrixTest : public ::testing::TestWithParam<Case> {};

TEST_P(DriverMatrixTest, ConservationOrderAndErrors) {
  const Case c = GetParam();
  const int n = 150;
  const int failing = (n - 3 + 6) / 7;  // ids 3, 10, 17, ...
  DriverConfig config;
  config.tool = "img-test";
  config.threads = c.threads;
  config.unordered = c.unordered;
  config.on_error = c.on_error;
  config.quiet = true;
  config.max_error_messages = 0;
  VectorSource source(Numbered(n));
  RunOutput run = RunOver(config, source, FailSome);
  const RunSummary& s = run.summary;
  EXPECT_EQ(s.in, uint64_t(n));
  EXPECT_EQ(s.in, s.out + s.dropped);
  EXPECT_EQ(run.out.size(), s.out);
  EXPECT_EQ(s.failed, uint64_t(failing));
  EXPECT_EQ(s.failures_by_code.at("boom"), uint64_t(failing));
  EXPECT_EQ(s.ExitCode(), 1);
  EXPECT_FALSE(s.stream_error);

  std::vector<int64_t> ids;
  for (const Record& r : run.out) {
    const int64_t id = r.GetInt("id").value();
    ids.push_back(id);
    EXPECT_EQ(*r.FindRaw("keep"), R"({"big":18446744073709551616,"s":"\u00e9"})");
    if (id % 7 == 3) {
      EXPECT_EQ(ErrorCode(r), "boom");
      EXPECT_NE(r.FindRaw("error")->find("\"tool\":\"img-test\""), std::string::npos);
      EXPECT_FALSE(r.Has("mapped"));
    } else {
      EXPECT_FALSE(r.Has("error"));
      EXPECT_EQ(*r.FindRaw("mapped"), "true");
    }
  }
  std::vector<int64_t> want;
  for (int i = 0; i < n; ++i)
    if (c.on_error != OnError::kDrop || i % 7 != 3) want.push_back(i);
  if (c.on_error == OnError::kDrop) EXPECT_EQ(s.dropped, uint64_t(failing));
  else EXPECT_EQ(s.dropped, 0u);
  if (!c.unordered) {
    EXPECT_EQ(ids, want);
  } else {
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, want);
  }
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (int threads : {1, 2, 8})
    for (bool unordered : {false, true})
      for (OnError e : {OnError::kPass, OnError::kDrop}) cases.push_back({threads, unordered, e});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Matrix, DriverMatrixTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "t" + std::to_string(c.threads) +
                                  (c.unordered ? "_unordered" : "_ordered") +
                                  (c.on_error == OnError::kPass ? "_pass" : "_drop");
                         });

TEST(DriverTest, OnErrorFailStopsEarly) {
  for (int threads : {1, 2, 8}) {
    for (bool unordered : {false, true}) {
      SCOPED_TRACE(std::to_string(threads) + (unordered ? " unordered" : " ordered"));
      DriverConfig config;
      config.threads = threads;
      config.unordered = unordered;
      config.on_error = OnError::kFail;
      config.max_inflight = 4;
      config.quiet = true;
      config.max_error_messages = 0;
      const int n = 1000;
      VectorSource source(Numbered(n));
      RunOutput run = RunOver(config, source, FailSome);
      const RunSummary& s = run.summary;
      EXPECT_TRUE(s.stopped_on_error);
      EXPECT_EQ(s.ExitCode(), 1);
      EXPECT_EQ(s.in, s.out + s.dropped);
      EXPECT_EQ(run.out.size(), s.out);
      EXPECT_GE(s.failed, 1u);
      EXPECT_LT(s.in, uint64_t(n));
      EXPECT_EQ(source.handed_out(), s.in);
      if (!unordered) {
        // The reader is at most max_inflight records ahead of the writer (plus the one it was
        // reading when the run stopped), and what was written is a prefix of the input.
        EXPECT_LE(s.in, 4u + config.max_inflight + 1);
        for (size_t i = 0; i < run.out.size(); ++i) EXPECT_EQ(run.out[i].GetInt("id"), int64_t(i));
        ASSERT_GE(run.out.size(), 4u);
        EXPECT_EQ(ErrorCode(run.out[3]), "boom");
      }
    }
  }
}

TEST(DriverTest, ExitCodes) {
  DriverConfig config;
  config.quiet = true;
  config.max_error_messages = 0;
  config.threads = 2;
  {
    VectorSource source(Numbered(20));
    RunOutput run = RunOver(config, source, [](Record&) { return Status::Ok(); });
    EXPECT_EQ(run.summary.ExitCode(), 0);
    EXPECT_EQ(run.out.size(), 20u);
  }
  {
    VectorSource source(Numbered(20));
    RunOutput run = RunOver(config, source, FailSome);
    EXPECT_EQ(run.summary.ExitCode(), 1);
  }
  {
    // A stream error after 20 good records: they are all written, and the exit code is 2 even
    // though some records also failed.
    VectorSource source(Numbered(20), MakeError("truncated", "frame 21: cut"));
    RunOutput run = RunOver(config, source, FailSome);
    EXPECT_TRUE(run.summary.stream_error);
    EXPECT_EQ(run.summary.ExitCode(), 2);
    EXPECT_EQ(run.summary.in, 20u);
    EXPECT_EQ(run.out.size(), 20u);
  }
  {
    VectorSource source({});
    RunOutput run = RunOver(config, source, FailSome);
    EXPECT_EQ(run.summary.ExitCode(), 0);
    EXPECT_EQ(run.summary.in, 0u);
  }
}

TEST(DriverTest, TruncatedFrameStreamExitsTwoAfterWritingWhatCameBefore) {
  std::string bytes;
  std::vector<Record> frames;
  for (int i = 0; i < 5; ++i) {
    frames.push_back(testing::MakePixelsRecord("p" + std::to_string(i), 5, 4, 3, "u8", i));
    AppendFrame(frames.back(), &bytes);
  }
  std::string last;
  AppendFrame(testing::MakeEncodedRecord("cut", 100), &last);
  bytes += last.substr(0, last.size() / 2);
  MemFile in(bytes);
  RecordReader reader(in.fd(), "stdin", {});
  StreamSource source(&reader);
  DriverConfig config;
  config.quiet = true;
  config.threads = 3;
  RunOutput run = RunOver(config, source, [](Record& r) {
    r.SetString("seen", "yes");
    return Status::Ok();
  });
  EXPECT_EQ(run.summary.ExitCode(), 2);
  EXPECT_EQ(run.summary.in, 5u);
  ASSERT_EQ(run.out.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(run.out[i].GetString("id"), frames[i].GetString("id"));
    EXPECT_EQ(run.out[i].payload, frames[i].payload);
    EXPECT_EQ(run.out[i].GetString("seen"), "yes");
  }
}

TEST(DriverTest, UpstreamErrorsPassUntouchedWithoutCallingFn) {
  std::vector<Record> records = Numbered(40);
  std::set<int64_t> upstream;
  for (int i = 0; i < 40; i += 3) {
    records[i].SetRaw("error", R"({"tool":"img-fetch","code":"http-404","message":"gone"})");
    upstream.insert(i);
  }
  std::vector<std::string> before;
  for (const Record& r : records) before.push_back(r.ToJson());
  std::atomic<int> calls{0};
  DriverConfig config;
  config.quiet = true;
  config.threads = 4;
  for (OnError e : {OnError::kPass, OnError::kDrop, OnError::kFail}) {
    calls = 0;
    config.on_error = e;
    VectorSource source(records);
    RunOutput run = RunOver(config, source, [&](Record& r) {
      EXPECT_FALSE(r.Has("error"));
      ++calls;
      r.SetBool("mapped", true);
      return Status::Ok();
    });
    EXPECT_EQ(calls.load(), int(40 - upstream.size()));
    EXPECT_EQ(run.summary.upstream_errors, upstream.size());
    EXPECT_EQ(run.summary.failed, 0u);
    EXPECT_EQ(run.summary.dropped, 0u);
    EXPECT_EQ(run.summary.ExitCode(), 0);
    ASSERT_EQ(run.out.size(), 40u);
    for (size_t i = 0; i < 40; ++i) {
      if (upstream.count(int64_t(i))) EXPECT_EQ(run.out[i].ToJson(), before[i]);
      else EXPECT_TRUE(run.out[i].Has("mapped"));
    }
  }
}

TEST(DriverTest, MalformedInputLinesCountAsFailuresHere) {
  MemFile in("{\"id\":1}\nnot json\n{\"id\":2}\n");
  RecordReader reader(in.fd(), "stdin", {});
  StreamSource source(&reader);
  std::atomic<int> calls{0};
  DriverConfig config;
  config.quiet = true;
  config.max_error_messages = 0;
  RunOutput run = RunOver(config, source, [&](Record&) {
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(run.summary.failed, 1u);
  EXPECT_EQ(run.summary.failures_by_code.at("bad-json"), 1u);
  EXPECT_EQ(run.summary.upstream_errors, 0u);
  EXPECT_EQ(run.summary.ExitCode(), 1);
  ASSERT_EQ(run.out.size(), 3u);
  EXPECT_EQ(run.out[1].GetString("raw"), "not json");
}

TEST(DriverTest, InflightBoundsAreRespected) {
  for (size_t max_inflight : {size_t(1), size_t(2), size_t(5)}) {
    SCOPED_TRACE(max_inflight);
    std::atomic<int> running{0}, peak{0};
    DriverConfig config;
    config.quiet = true;
    config.threads = 8;
    config.max_inflight = max_inflight;
    VectorSource source(Numbered(60));
    RunOutput run = RunOver(config, source, [&](Record& r) {
      int now = ++running;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(std::chrono::microseconds(300));
      --running;
      return Status::Ok();
    });
    EXPECT_LE(peak.load(), int(max_inflight));
    ASSERT_EQ(run.out.size(), 60u);
    for (int i = 0; i < 60; ++i) EXPECT_EQ(run.out[i].GetInt("id"), i);
  }
}

TEST(DriverTest, ByteBoundAdmitsOneLargeRecordAtATime) {
  std::vector<Record> records;
  for (int i = 0; i < 12; ++i)
    records.push_back(testing::MakeEncodedRecord(std::to_string(i), 50000, uint8_t(i)));
  std::atomic<int> running{0}, peak{0};
  DriverConfig config;
  config.quiet = true;
  config.threads = 4;
  config.max_inflight_bytes = 1000;  // smaller than one record: still one at a time, never stuck
  VectorSource source(records);
  RunOutput run = RunOver(config, source, [&](Record&) {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    --running;
    return Status::Ok();
  });
  EXPECT_EQ(peak.load(), 1);
  ASSERT_EQ(run.out.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(run.out[i].payload, records[i].payload);
}

TEST(DriverTest, DefaultThreadCountWorks) {
  DriverConfig config;
  config.quiet = true;
  VectorSource source(Numbered(50));
  RunOutput run = RunOver(config, source, [](Record& r) {
    r.SetInt("id2", r.GetInt("id").value() * 2);
    return Status::Ok();
  });
  ASSERT_EQ(run.out.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(run.out[i].GetInt("id2"), 2 * i);
}

TEST(DriverTest, ClosedOutputEndsQuietlyAndConserves) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  std::vector<Record> records;
  for (int i = 0; i < 200; ++i) records.push_back(testing::MakeEncodedRecord("e", 20000, i));
  VectorSource source(records);
  DriverConfig config;
  config.quiet = true;
  config.threads = 2;
  RunSummary s;
  {
    RecordWriter writer(fds[1]);
    s = RunRecordMap(config, source, [](Record&) { return Status::Ok(); }, writer);
  }
  close(fds[1]);
  EXPECT_TRUE(s.output_closed);
  EXPECT_FALSE(s.stream_error);
  EXPECT_EQ(s.ExitCode(), 0);
  EXPECT_EQ(s.in, s.out + s.dropped);
  EXPECT_LT(s.in, 200u);  // reading stopped once nothing more could be written
}

}  // namespace
}  // namespace imgpipe
