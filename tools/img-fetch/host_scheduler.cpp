// HostScheduler: fair, rate-limited start decisions per host.
#include "tools/img-fetch/host_scheduler.h"

#include <algorithm>
#include <chrono>

namespace imgpipe {

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void HostScheduler::Enqueue(const std::string& host, uint64_t item) {
  Host& h = hosts_[host];
  if (h.queue.empty()) ring_.push_back(host);
  h.queue.push_back(item);
  ++queued_;
}

bool HostScheduler::CanStart(const Host& h, double now) const {
  return !h.held && !h.queue.empty() && h.active < limits_.per_host && now >= h.next_start;
}

std::vector<std::pair<std::string, uint64_t>> HostScheduler::Pick(size_t max_start, double now) {
  std::vector<std::pair<std::string, uint64_t>> out;
  // Rounds over the ring: each host gets at most one start per round, so hosts interleave.
  bool progress = true;
  while (out.size() < max_start && progress && !ring_.empty()) {
    progress = false;
    size_t n = ring_.size();
    for (size_t i = 0; i < n && out.size() < max_start; ++i) {
      std::string name = std::move(ring_.front());
      ring_.pop_front();
      Host& h = hosts_[name];
      if (CanStart(h, now)) {
        out.emplace_back(name, h.queue.front());
        h.queue.pop_front();
        --queued_;
        ++h.active;
        double interval = std::max(limits_.rate > 0 ? 1.0 / limits_.rate : 0.0, h.min_interval);
        if (interval > 0) h.next_start = std::max(h.next_start, now) + interval;
        progress = true;
      }
      if (!h.queue.empty()) ring_.push_back(std::move(name));
    }
  }
  return out;
}

void HostScheduler::Finished(const std::string& host, bool ok, double now) {
  Host& h = hosts_[host];
  if (h.active > 0) --h.active;
  if (ok) {
    h.consecutive_failures = 0;
  } else if (limits_.breaker_failures > 0 && ++h.consecutive_failures >= limits_.breaker_failures) {
    h.open_until = now + limits_.breaker_cooldown;
    h.consecutive_failures = 0;
  }
}

void HostScheduler::Backoff(const std::string& host, double until) {
  Host& h = hosts_[host];
  h.next_start = std::max(h.next_start, until);
}

void HostScheduler::SetMinInterval(const std::string& host, double seconds) {
  hosts_[host].min_interval = seconds;
}

bool HostScheduler::CircuitOpen(const std::string& host, double now) const {
  auto it = hosts_.find(host);
  return it != hosts_.end() && now < it->second.open_until;
}

std::vector<uint64_t> HostScheduler::Drain(const std::string& host) {
  Host& h = hosts_[host];
  std::vector<uint64_t> out(h.queue.begin(), h.queue.end());
  queued_ -= h.queue.size();
  h.queue.clear();
  ring_.erase(std::remove(ring_.begin(), ring_.end(), host), ring_.end());
  return out;
}

void HostScheduler::Hold(const std::string& host, bool hold) { hosts_[host].held = hold; }

double HostScheduler::NextWake(double now) const {
  double wake = 3600;
  for (const std::string& name : ring_) {
    const Host& h = hosts_.at(name);
    if (h.held || h.queue.empty() || h.active >= limits_.per_host) continue;
    wake = std::min(wake, std::max(0.0, h.next_start - now));
  }
  return wake;
}

}  // namespace imgpipe
