// RunRecordMap: the calling thread reads, a pool of workers maps, one writer thread writes in input
// order (or as finished). A bound on records and bytes in flight keeps memory flat whatever the
// speed difference between reading and working.
#include "libcommon/driver.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "libcommon/diagnostics.h"

namespace imgpipe {
namespace {

using Clock = std::chrono::steady_clock;

struct Job {
  uint64_t seq = 0;
  Record record;
  uint64_t cost = 0;  // bytes charged against max_inflight_bytes
  bool skip = false;  // arrived with an error: pass on untouched
  bool failed = false;
  std::string failure_code;
  std::string failure_message;
};

uint64_t CostOf(const Record& r) {
  uint64_t cost = r.payload.size() + 64;
  for (const Field& f : r.fields()) cost += f.key.size() + f.raw.size();
  return cost;
}

class Pipeline {
 public:
  Pipeline(const DriverConfig& config, const RecordFn& fn, const RecordFn& finish,
           RecordWriter& writer)
      : config_(config), fn_(fn), finish_(finish), writer_(writer) {
    threads_ = config.threads > 0 ? config.threads
                                  : std::max(1u, std::thread::hardware_concurrency());
    max_inflight_ = config.max_inflight > 0 ? config.max_inflight : size_t(threads_) * 4;
  }

  RunSummary Run(RecordSource& source) {
    std::vector<std::thread> workers;
    for (int i = 0; i < threads_; ++i) workers.emplace_back([this] { WorkLoop(); });
    std::thread writer([this] { WriteLoop(); });
    start_ = Clock::now();
    ReadLoop(source);
    {
      std::lock_guard lock(mu_);
      reading_done_ = true;
    }
    work_cv_.notify_all();
    done_cv_.notify_all();
    for (auto& t : workers) t.join();
    writer.join();
    if (Status s = writer_.Flush(); !s && s.error().code == "closed") summary_.output_closed = true;
    return summary_;
  }

 private:
  void ReadLoop(RecordSource& source) {
    uint64_t seq = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        space_cv_.wait(lock, [&] {
          return stop_ || inflight_ == 0 ||
                 (inflight_ < max_inflight_ && inflight_bytes_ < config_.max_inflight_bytes);
        });
        if (stop_) return;
      }
      auto job = std::make_unique<Job>();
      auto got = source.Next(&job->record);
      if (!got) {
        ReportError(config_.tool, got.error().message);
        std::lock_guard lock(mu_);
        summary_.stream_error = true;
        return;
      }
      if (!*got) return;
      job->seq = seq++;
      job->cost = CostOf(job->record);
      job->skip = job->record.Has("error");
      {
        std::lock_guard lock(mu_);
        ++summary_.in;
        ++inflight_;
        inflight_bytes_ += job->cost;
        work_.push_back(std::move(job));
      }
      work_cv_.notify_one();
    }
  }

  void WorkLoop() {
    for (;;) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return !work_.empty() || reading_done_; });
        if (work_.empty()) return;
        job = std::move(work_.front());
        work_.pop_front();
      }
      // A record the reader could not parse carries its error but was made here: it counts as
      // failed in this tool, not as an upstream error.
      if (job->record.malformed_input) {
        job->failed = true;
        auto err = job->record.FindRaw("error");
        auto parsed = Record::FromJson(*err);
        job->failure_code = parsed ? parsed->GetString("code").value_or("bad-json") : "bad-json";
        job->failure_message = parsed ? parsed->GetString("message").value_or("") : "";
      } else if (!job->skip) {
        Status s = fn_(job->record);
        if (!s) {
          job->failed = true;
          job->failure_code = s.error().code;
          job->failure_message = s.error().message;
          job->record.SetError(config_.tool, s.error());
        }
      }
      {
        std::lock_guard lock(mu_);
        done_.emplace(job->seq, std::move(job));
      }
      done_cv_.notify_one();
    }
  }

  void WriteLoop() {
    uint64_t next = 0;
    auto last_progress = Clock::now();
    for (;;) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock lock(mu_);
        done_cv_.wait_for(lock, std::chrono::milliseconds(200), [&] {
          if (done_.empty()) return reading_done_ && inflight_ == 0;
          return config_.unordered || done_.begin()->first == next;
        });
        if (done_.empty() || (!config_.unordered && done_.begin()->first != next)) {
          if (reading_done_ && inflight_ == 0) break;
          lock.unlock();
          // Nothing ready: hand what is buffered to the next program now, so a slow producer
          // (a crawl, say) still streams instead of holding records back until 1 MiB gathers.
          FlushIdle();
          MaybeProgress(&last_progress);
          continue;
        }
        auto it = done_.begin();
        job = std::move(it->second);
        done_.erase(it);
        ++next;
      }
      Emit(*job);
      {
        std::lock_guard lock(mu_);
        --inflight_;
        inflight_bytes_ -= job->cost;
      }
      space_cv_.notify_one();
      done_cv_.notify_one();
      MaybeProgress(&last_progress);
    }
    if (config_.progress) (void)!write(STDERR_FILENO, "\n", 1);
  }

  // Writer thread only (the summary's counters other than `in` are written here).
  void Emit(Job& job) {
    if (finish_ && !job.failed && !job.skip) {
      Status s = finish_(job.record);
      if (!s) {
        job.failed = true;
        job.failure_code = s.error().code;
        job.failure_message = s.error().message;
        job.record.SetError(config_.tool, s.error());
      }
    }
    bool drop = false;
    if (job.failed) {
      std::lock_guard lock(mu_);
      ++summary_.failed;
      ++summary_.failures_by_code[job.failure_code];
      if (summary_.failed <= config_.max_error_messages && !job.failure_message.empty())
        ReportError(config_.tool, job.failure_message);
      if (config_.on_error == OnError::kDrop) drop = true;
      if (config_.on_error == OnError::kFail) {
        summary_.stopped_on_error = true;
        stop_ = true;
        space_cv_.notify_all();
      }
    } else if (job.skip) {
      std::lock_guard lock(mu_);
      ++summary_.upstream_errors;
    }
    if (drop || output_closed_) {
      std::lock_guard lock(mu_);
      ++summary_.dropped;
      return;
    }
    Status s = writer_.Write(job.record);
    std::lock_guard lock(mu_);
    if (!s) {
      // Nothing more can be written: stop reading, and count what remains as dropped.
      stop_ = true;
      output_closed_ = true;
      space_cv_.notify_all();
      ++summary_.dropped;
      if (s.error().code == "closed") {
        summary_.output_closed = true;
      } else {
        summary_.stream_error = true;
        ReportError(config_.tool, s.error().message);
      }
      return;
    }
    ++summary_.out;
  }

  void FlushIdle() {
    if (output_closed_unlocked_) return;
    Status s = writer_.Flush();
    if (!s) {
      std::lock_guard lock(mu_);
      output_closed_unlocked_ = true;
      output_closed_ = true;
      stop_ = true;
      space_cv_.notify_all();
      if (s.error().code == "closed") {
        summary_.output_closed = true;
      } else {
        summary_.stream_error = true;
        ReportError(config_.tool, s.error().message);
      }
    }
  }

  void MaybeProgress(Clock::time_point* last) {
    if (!config_.progress || config_.quiet) return;
    auto now = Clock::now();
    if (now - *last < std::chrono::milliseconds(500)) return;
    *last = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    uint64_t out;
    {
      std::lock_guard lock(mu_);
      out = summary_.out;
    }
    std::string line = "\r" + config_.tool + ": " + std::to_string(out) + " records, " +
                       std::to_string(int(out / std::max(secs, 1e-9))) + "/s   ";
    (void)!write(STDERR_FILENO, line.data(), line.size());
  }

  const DriverConfig& config_;
  const RecordFn& fn_;
  const RecordFn& finish_;
  RecordWriter& writer_;
  int threads_;
  size_t max_inflight_;
  Clock::time_point start_;

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_, space_cv_;
  std::deque<std::unique_ptr<Job>> work_;
  std::map<uint64_t, std::unique_ptr<Job>> done_;
  size_t inflight_ = 0;
  uint64_t inflight_bytes_ = 0;
  bool reading_done_ = false;
  bool stop_ = false;
  bool output_closed_ = false;
  bool output_closed_unlocked_ = false;  // writer thread's own copy, read without the lock
  RunSummary summary_;
};


}  // namespace

void PrintRunSummary(const DriverConfig& config, const RunSummary& s, const std::string& in_note,
                     const std::vector<std::string>& notes) {
  if (s.output_closed) return;  // `| head`: end quietly
  bool has_failures = s.failed > 0;
  if (config.quiet && !has_failures) return;
  std::string line = std::to_string(s.in) + " in" + in_note + ", " + std::to_string(s.out) +
                     " out, " + std::to_string(s.dropped) + " dropped";
  if (has_failures) {
    line += "; " + std::to_string(s.failed) + " failed (";
    bool first = true;
    for (const auto& [code, n] : s.failures_by_code) {
      if (!first) line += ", ";
      first = false;
      line += code + " " + std::to_string(n);
    }
    line += ")";
  }
  for (const std::string& note : notes) line += "; " + note;
  if (s.upstream_errors) line += "; " + std::to_string(s.upstream_errors) + " with earlier errors";
  if (s.stopped_on_error) line += "; stopped at the first failure (--on-error=fail)";
  Report(config.tool, has_failures ? Severity::kWarning : Severity::kNote, line);
}

int RunSummary::ExitCode() const {
  if (stream_error) return kExitUsage;
  if (failed > 0) return kExitSomeFailed;
  return kExitOk;
}

RunSummary RunRecordMap(const DriverConfig& config, RecordSource& source, const RecordFn& fn,
                        RecordWriter& writer, const RecordFn& finish) {
  Pipeline pipeline(config, fn, finish, writer);
  RunSummary summary = pipeline.Run(source);
  PrintRunSummary(config, summary);
  return summary;
}

int RunStdinMap(const DriverConfig& config, const ReaderOptions& reader_options,
                const RecordFn& fn, const RecordFn& finish) {
  PrepareStandardStreams();
  RecordReader reader(STDIN_FILENO, "stdin", reader_options);
  StreamSource source(&reader);
  RecordWriter writer(STDOUT_FILENO);
  return RunRecordMap(config, source, fn, writer, finish).ExitCode();
}

}  // namespace imgpipe
