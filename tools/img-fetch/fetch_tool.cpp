// RunFetch: input records -> FetchEngine -> output (frames, or files + NDJSON), with the journal,
// --dedup, --shard, the progress line and the end-of-run summary.
#include "tools/img-fetch/fetch_tool.h"

#include <curl/curl.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "formats/codec/sniff.h"
#include "formats/encoded_file.h"
#include "libcommon/diagnostics.h"
#include "libcommon/files.h"
#include "libcommon/random.h"
#include "libcommon/stream_writer.h"
#include "tools/img-fetch/failure_class.h"
#include "tools/img-fetch/fetch_engine.h"
#include "tools/img-fetch/journal.h"
#include "tools/img-fetch/output_resume.h"

namespace imgpipe {
namespace {

// Records read on their own thread, so a slow producer upstream never stalls transfers.
struct InputQueue {
  std::mutex mu;
  std::condition_variable space;
  std::deque<Record> records;
  size_t capacity = 1024;
  bool done = false;
  bool stop = false;
  std::string error;  // a stream error (exit 2)
  FetchEngine* engine = nullptr;
};

void ReadInput(std::shared_ptr<InputQueue> q, int fd, ReaderOptions options) {
  RecordReader reader(fd, "stdin", options);
  for (;;) {
    {
      std::unique_lock lock(q->mu);
      q->space.wait(lock, [&] { return q->stop || q->records.size() < q->capacity; });
      if (q->stop) return;
    }
    Record r;
    auto got = reader.Next(&r);
    std::lock_guard lock(q->mu);
    if (!got) q->error = got.error().message;
    if (!got || !*got) {
      q->done = true;
      if (q->engine) q->engine->Wakeup();
      return;
    }
    q->records.push_back(std::move(r));
    if (q->engine && q->records.size() == 1) q->engine->Wakeup();
  }
}

std::string Human(double bytes) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f", bytes / 1e6);
  return buf;
}

}  // namespace

bool ParseShard(const std::string& text, uint32_t* index, uint32_t* count) {
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (i != slash && !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  if (slash > 9 || text.size() - slash - 1 > 9) return false;
  uint32_t i = uint32_t(std::stoul(text.substr(0, slash)));
  uint32_t n = uint32_t(std::stoul(text.substr(slash + 1)));
  if (n == 0 || i >= n) return false;
  *index = i;
  *count = n;
  return true;
}

FetchResult RunFetch(const FetchConfig& config, int in_fd, int out_fd) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const std::string& tool = config.driver.tool;
  FetchResult res;
  RunSummary& s = res.summary;
  RecordWriter writer(out_fd);

  Journal journal;
  OutputPosition position;
  auto note = [&](const std::string& text) {
    if (!config.driver.quiet) Report(tool, Severity::kNote, text);
  };
  if (!config.journal.empty()) {
    if (Status st = journal.Open(config.journal); !st) {
      ReportError(tool, st.error().message);
      s.stream_error = true;
      return res;
    }
    // Exactly once: the output is cut back to where the journal's last commit left it, and this
    // run's first commit names where it starts.
    std::vector<std::string> cut;
    auto mark = position.Resume(out_fd, config.output_path, !config.output_path.empty(), journal.last_mark(), &cut);
    if (mark) {
      if (Status st = journal.Commit({}, *mark); !st) mark = st.error();
    }
    if (!mark) {
      ReportError(tool, mark.error().message);
      s.stream_error = true;
      return res;
    }
    for (const std::string& c : cut) note(c);
  }
  if (!config.save_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config.save_dir, ec);
    if (ec) {
      ReportError(tool, config.save_dir + ": cannot create folder: " + ec.message());
      s.stream_error = true;
      return res;
    }
    if (size_t n = RemoveStaleStagedFiles(config.save_dir))
      note("removed " + std::to_string(n) + " temporary files a killed run left in " + config.save_dir);
  }
  std::set<std::string> seen_sha;
  if (config.dedup)
    for (const auto& [url, e] : journal.entries())
      if (e.ok && !e.sha256.empty()) seen_sha.insert(e.sha256);

  auto queue = std::make_shared<InputQueue>();
  queue->capacity = size_t(config.concurrency) * 2 + 256;
  std::thread reader(ReadInput, queue, in_fd, config.reader);

  std::vector<std::pair<std::string, JournalEntry>> pending_journal;
  bool stopping = false;
  FetchEngine* engine_ptr = nullptr;
  auto start = std::chrono::steady_clock::now();
  auto last_progress = start;

  auto count_failure = [&](const std::string& code, const std::string& message) {
    ++s.failed;
    ++s.failures_by_code[FailureClass(code)];
    if (s.failed <= config.driver.max_error_messages && !config.driver.quiet)
      ReportError(tool, message);
    if (config.driver.on_error == OnError::kFail) {
      s.stopped_on_error = true;
      stopping = true;
      if (engine_ptr) engine_ptr->Stop();
    }
  };
  auto write = [&](const Record& r, bool failed) {
    if (s.output_closed || s.stream_error || (failed && config.driver.on_error == OnError::kDrop)) {
      ++s.dropped;
      return;
    }
    Status st = writer.Write(r);
    if (!st) {
      ++s.dropped;
      if (st.error().code == "closed") {
        s.output_closed = true;
      } else {
        s.stream_error = true;
        ReportError(tool, st.error().message);
      }
      stopping = true;
      if (engine_ptr) engine_ptr->Stop();
      return;
    }
    ++s.out;
  };

  auto next_input = [&](Record* out, bool* eof) -> bool {
    for (;;) {
      Record r;
      {
        std::lock_guard lock(queue->mu);
        if (stopping) {
          *eof = true;
          return false;
        }
        if (queue->records.empty()) {
          if (queue->done) {
            *eof = true;
            if (!queue->error.empty() && !s.stream_error) {
              s.stream_error = true;
              ReportError(tool, queue->error);
            }
          }
          return false;
        }
        r = std::move(queue->records.front());
        queue->records.pop_front();
      }
      queue->space.notify_one();
      ++s.in;
      if (r.malformed_input) {
        auto err = Record::FromJson(*r.FindRaw("error"));
        std::string code = err ? err->GetString("code").value_or("bad-json") : "bad-json";
        count_failure(code, err ? err->GetString("message").value_or("") : "");
        write(r, true);
        continue;
      }
      auto url = r.GetString("url");
      if (url && config.shard_count > 1 && HashKey(*url) % config.shard_count != config.shard_index) {
        ++res.skipped_shard;
        ++s.dropped;
        continue;
      }
      // Crawl mode reads a settled page again (to reach what it links to) unless it failed.
      if (url && journal.is_open() && journal.Settled(*url) && (!config.crawl || !journal.Find(*url)->ok)) {
        ++res.skipped_journal;
        ++s.dropped;
        continue;
      }
      if (r.Has("error")) {  // failed upstream: passed on untouched (and journaled, so only once)
        ++s.upstream_errors;
        write(r, false);
        if (url) pending_journal.emplace_back(*url, JournalEntry{false, false, "upstream-error", ""});
        continue;
      }
      *out = std::move(r);
      return true;
    }
  };

  auto emit = [&](FetchOutcome&& o) {
    if (o.found) ++res.found;
    if (o.page && journal.is_open() && journal.Settled(o.input_url)) {
      ++res.skipped_journal;  // written by an earlier run; read again only for its links
      ++s.dropped;
      return;
    }
    Record& r = o.record;
    JournalEntry je;
    je.ok = o.ok;
    je.code = o.code;
    if (o.ok && r.HasPayload()) {
      DescribeEncodedPayload(r);
      std::string sha = r.GetString("sha256").value_or("");
      je.sha256 = sha;
      if (config.dedup && !seen_sha.insert(sha).second) {
        ++res.duplicates;
        ++s.dropped;
        if (o.journal && !o.input_url.empty()) pending_journal.emplace_back(o.input_url, je);
        return;
      }
      res.bytes += r.payload.size();
      if (!config.save_dir.empty()) {
        std::string name = sha + "." + ExtensionOf(SniffFormat(r.payload));
        std::filesystem::path path = std::filesystem::path(config.save_dir) / name;
        if (Status st = WriteFileAtomic(path, r.payload); !st) {
          r.ClearPayload();
          r.SetError(tool, st.error());
          o.ok = false;
          o.code = st.error().code;
          je.ok = false;
          je.code = o.code;
        } else {
          r.ClearPayload();
          r.SetString("path", path.string());
        }
      }
    }
    if (!o.ok) {
      std::string message;
      if (auto err = r.FindRaw("error")) {
        auto e = Record::FromJson(*err);
        if (e) message = e->GetString("message").value_or("");
      }
      count_failure(o.code, message);
    }
    write(r, !o.ok);
    if (o.journal && !o.input_url.empty()) pending_journal.emplace_back(o.input_url, je);
  };

  FetchEngine engine(config, next_input, emit);
  engine_ptr = &engine;
  if (journal.is_open() && config.crawl) {
    engine.SetFoundFilter([&](const std::string& url, bool page) {
      if (!journal.Settled(url) || (page && journal.Find(url)->ok)) return false;
      ++res.found;
      ++res.skipped_journal;
      ++s.dropped;
      return true;
    });
  }
  {
    std::lock_guard lock(queue->mu);
    queue->engine = &engine;
  }

  // Journal lines follow the output they describe: written only once that output is flushed, in
  // one append ending with a commit line that names the output's length. A kill before the commit
  // leaves records past the last commit, which the next run cuts off and fetches again (regular
  // files); a pipe cannot take records back, so there a kill can repeat the last flush's records.
  OutputMark committed = journal.last_mark() ? *journal.last_mark() : OutputMark{};
  auto flush_journal = [&] {
    if (s.output_closed || s.stream_error) {  // what was not written must not count as done
      pending_journal.clear();
      return;
    }
    {
      Status st = writer.Flush();
      if (!st) {
        if (st.error().code == "closed") s.output_closed = true;
        else {
          s.stream_error = true;
          ReportError(tool, st.error().message);
        }
        stopping = true;
        engine.Stop();
        return;
      }
    }
    if (!journal.is_open()) {
      pending_journal.clear();
      return;
    }
    OutputMark now = position.Now();
    if (pending_journal.empty() && (now.offset == committed.offset || !now.has_offset)) return;
    if (Status st = journal.Commit(pending_journal, now); !st) {
      ReportError(tool, st.error().message);
      s.stream_error = true;
      stopping = true;
      engine.Stop();
    }
    committed = now;
    pending_journal.clear();
  };
  auto progress = [&](bool final) {
    if (!config.driver.progress || config.driver.quiet) return;
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_progress < std::chrono::milliseconds(500)) return;
    last_progress = now;
    double secs = std::max(1e-3, std::chrono::duration<double>(now - start).count());
    uint64_t done = s.out + s.dropped;
    std::string line = "\r" + tool + ": " + std::to_string(done) + "/" +
                       std::to_string(s.in + res.found) + " done, " +
                       std::to_string(int64_t((s.out - s.failed) / secs)) + " img/s, " +
                       Human(res.bytes / secs) + " MB/s, " + std::to_string(s.failed) + " errors   ";
    if (final) line += "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  };
  engine.SetIdleHook([&] {
    flush_journal();
    progress(false);
  });
  engine.Run();
  flush_journal();
  progress(true);
  journal.Sync();
  // Records taken in but not finished (a stop on --on-error=fail or a closed output).
  s.dropped += engine.in_flight();
  bool reader_done;
  {
    std::lock_guard lock(queue->mu);
    queue->stop = true;
    queue->engine = nullptr;
    reader_done = queue->done;
  }
  queue->space.notify_all();
  // The reader may be blocked in read(2) on an upstream that never ends; it owns nothing of ours.
  if (reader_done) reader.join();
  else reader.detach();

  std::vector<std::string> notes;
  if (res.skipped_journal) notes.push_back(std::to_string(res.skipped_journal) + " already in the journal");
  if (res.skipped_shard) notes.push_back(std::to_string(res.skipped_shard) + " in other shards");
  if (res.duplicates) notes.push_back(std::to_string(res.duplicates) + " duplicates");
  PrintRunSummary(config.driver, s,
                  res.found ? " (+" + std::to_string(res.found) + " found by crawling)" : "", notes);
  return res;
}

}  // namespace imgpipe
