// The resume journal: one NDJSON line per finished URL, appended with a single write() so a run
// killed at any moment leaves only whole lines (plus at most one torn last line, ignored on load).
#pragma once

#include <map>
#include <string>

#include "libcommon/result.h"

namespace imgpipe {

struct JournalEntry {
  bool ok = false;
  bool retryable = false;
  std::string code;    // error code when !ok
  std::string sha256;  // when ok
};

class Journal {
 public:
  ~Journal();
  // Opens (creating) the journal and reads what an earlier run recorded. A torn last line (a run
  // killed mid-write) is cut off so appends start on a line boundary.
  Status Open(const std::string& path);
  bool is_open() const { return fd_ >= 0; }

  // The last outcome recorded for `url`, or nullptr.
  const JournalEntry* Find(const std::string& url) const;
  // True when an earlier run settled `url`: it succeeded or failed for good.
  bool Settled(const std::string& url) const {
    const JournalEntry* e = Find(url);
    return e && (e->ok || !e->retryable);
  }
  const std::map<std::string, JournalEntry>& entries() const { return entries_; }

  // Appends one outcome (one write(2) of one whole line).
  Status Append(const std::string& url, const JournalEntry& entry);
  // fsync, so a power loss keeps what was appended; called at the end of a run.
  void Sync();

 private:
  int fd_ = -1;
  std::string path_;
  std::map<std::string, JournalEntry> entries_;
};

// Whether a failure code is worth retrying in a later run (network trouble, 429, 5xx, timeouts).
bool RetryableCode(const std::string& code);

}  // namespace imgpipe
