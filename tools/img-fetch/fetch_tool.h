// img-fetch: URLs in (NDJSON records with `url`, or plain lines), images out (encoded frames, or
// files under --save with NDJSON index lines), through one event-driven libcurl multi engine.
#pragma once

#include <cstdint>
#include <string>

#include "libcommon/driver.h"
#include "libcommon/stream_reader.h"
#include "tools/img-fetch/host_scheduler.h"

namespace imgpipe {

struct FetchConfig {
  // Engine
  int concurrency = 256;           // transfers at once, all hosts together
  HostLimits host;                 // --per-host, --rate, --breaker
  std::string user_agent = "imgpipe/" IMGPIPE_VERSION " (+https://github.com/imgpipe/imgpipe)";
  std::string cacert;              // CA certificates (PEM) to trust instead of the system's
  // Limits
  double timeout = 60;             // seconds for a whole transfer
  double connect_timeout = 10;
  long low_speed_limit = 1024;     // bytes/s ...
  long low_speed_time = 30;        // ... sustained this many seconds, else "timeout"
  uint64_t max_bytes = 64ull << 20;
  int max_redirects = 5;
  int64_t max_pixels = 178956970;  // width*height from the streamed header
  uint64_t max_page_bytes = 8ull << 20;  // crawl mode: largest HTML page
  // Retries
  int retries = 3;
  double backoff_base = 1.0;       // seconds; doubled per attempt, with jitter
  double backoff_max = 60;
  double max_retry_after = 300;    // a longer Retry-After fails the record instead of waiting
  // Politeness
  bool robots = true;
  bool x_robots_tag = true;
  // Private addresses: guarded for redirects and crawled links unless allow_private; for input
  // URLs too with deny_private.
  bool allow_private = false;
  bool deny_private = false;
  // Crawl
  bool crawl = false;
  int depth = 0;                   // page links followed from each input page
  bool any_host = false;           // follow page links to other hosts too
  // Output and bookkeeping
  std::string save_dir;            // write files here and emit NDJSON instead of frames
  std::string journal;             // resume journal
  std::string output_path;         // -o: the output file's name (out_fd is open on it)
  bool dedup = false;              // by content hash within the run (and the journal)
  uint32_t shard_index = 0, shard_count = 1;
  DriverConfig driver;             // tool name, --on-error, --progress, --quiet
  ReaderOptions reader;
};

struct FetchResult {
  RunSummary summary;
  uint64_t found = 0;            // records made by crawling (images and pages)
  uint64_t skipped_journal = 0;  // settled by an earlier run (dropped)
  uint64_t skipped_shard = 0;    // another shard's (dropped)
  uint64_t duplicates = 0;       // same content as an earlier record (dropped)
  uint64_t bytes = 0;            // body bytes of the images written
};

// Reads records from in_fd, writes to out_fd; prints the summary on stderr (unless quiet). With a
// journal and a regular output file, out_fd is first cut back to the journal's last commit.
FetchResult RunFetch(const FetchConfig& config, int in_fd, int out_fd);

// "i/N" with 0 <= i < N.
bool ParseShard(const std::string& text, uint32_t* index, uint32_t* count);

}  // namespace imgpipe
