// Per-host politeness: connection limits, a request-rate limit, backoff after 429/503, a circuit
// breaker after repeated failures, and round-robin over hosts so one slow host never stalls the rest.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace imgpipe {

struct HostLimits {
  int per_host = 8;           // transfers at once to one host
  double rate = 0;            // requests per second to one host; 0: no limit
  int breaker_failures = 20;  // consecutive failed transfers that open a host's circuit; 0: never
  double breaker_cooldown = 60;  // seconds the circuit stays open
};

// Seconds on a monotonic clock.
double NowSeconds();

// Holds what is waiting per host and decides what may start now. Items are opaque ids.
class HostScheduler {
 public:
  explicit HostScheduler(HostLimits limits) : limits_(limits) {}

  void Enqueue(const std::string& host, uint64_t item);
  // Ids that may start now, fairly across hosts (one per host per round), at most `max_start`.
  // Each returned id is counted active for its host until Finished.
  std::vector<std::pair<std::string, uint64_t>> Pick(size_t max_start, double now);
  // A transfer ended; `ok`: it got an answer from the host (any HTTP status but 5xx/429).
  void Finished(const std::string& host, bool ok, double now);
  // Nobody starts a request to `host` before `until` (Retry-After, backoff).
  void Backoff(const std::string& host, double until);
  // Extra spacing between requests (robots.txt Crawl-delay): the slower of this and --rate.
  void SetMinInterval(const std::string& host, double seconds);
  // True while the host's circuit is open: its queued items should fail instead of waiting.
  bool CircuitOpen(const std::string& host, double now) const;
  // Removes and returns every queued item of a host (to fail them when its circuit opens).
  std::vector<uint64_t> Drain(const std::string& host);
  // Holds a host's queue (while its robots.txt is being fetched).
  void Hold(const std::string& host, bool hold);

  size_t queued() const { return queued_; }
  // Seconds until something queued could start (for the event loop's timeout); large if never.
  double NextWake(double now) const;

 private:
  struct Host {
    std::deque<uint64_t> queue;
    int active = 0;
    double next_start = 0;     // rate limit and backoff
    double min_interval = 0;   // from Crawl-delay
    int consecutive_failures = 0;
    double open_until = 0;     // circuit breaker
    bool held = false;
  };
  bool CanStart(const Host& h, double now) const;
  HostLimits limits_;
  std::map<std::string, Host> hosts_;
  std::deque<std::string> ring_;  // hosts with queued items, in round-robin order
  size_t queued_ = 0;
};

}  // namespace imgpipe
