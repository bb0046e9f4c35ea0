// FetchEngine: the event loop. One thread drives a libcurl multi handle; records come in from a
// reader thread, transfers are started per host by the HostScheduler, and finished records go to
// an OutputSink in the order they finish.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "libcommon/record.h"
#include "tools/img-fetch/fetch_tool.h"

namespace imgpipe {

// What the engine hands back for each record it is done with.
struct FetchOutcome {
  Record record;          // with payload (success) or `error`
  std::string input_url;  // the URL the record came in with (journal key); "" when none
  bool ok = false;
  bool found = false;     // made by crawling, not read from the input
  bool page = false;      // a crawl-mode page record (not an image)
  bool journal = true;    // the outcome belongs in the journal
  std::string code;       // error code when !ok
  bool retryable = false;
};

class FetchEngine {
 public:
  // `next_input` returns the next input record (false: none now; `*eof` when there will be none
  // again); `emit` receives each finished record. Both run on the engine's thread.
  using InputFn = std::function<bool(Record* record, bool* eof)>;
  using EmitFn = std::function<void(FetchOutcome&& outcome)>;
  FetchEngine(const FetchConfig& config, InputFn next_input, EmitFn emit);
  ~FetchEngine();

  // Runs until the input is exhausted and every transfer finished, or Stop() was called.
  void Run();
  void Stop();
  // Makes a blocked Run() look at its input again (thread-safe).
  void Wakeup();
  // Called once per loop turn on the engine thread (flush output, progress).
  void SetIdleHook(std::function<void()> hook) { idle_hook_ = std::move(hook); }
  // Crawl mode: asked for every image (`page` false) and page URL found on a page before it is
  // queued; true drops it (settled by an earlier run). Runs on the engine thread.
  void SetFoundFilter(std::function<bool(const std::string& url, bool page)> filter);
  // Records taken from the input that have not been emitted yet.
  size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::function<void()> idle_hook_;
};

}  // namespace imgpipe
