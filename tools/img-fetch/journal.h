// The resume journal: one NDJSON line per finished URL, written in batches. Each batch is one
// append that ends with a commit line naming how far the output had been written when the batch's
// records were flushed, so a resumed run can cut the output back to exactly the journaled records.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

struct JournalEntry {
  bool ok = false;
  bool retryable = false;
  std::string code;    // error code when !ok
  std::string sha256;  // when ok
};

// Where the output stood at a commit. `offset` is meaningful only for a regular output file
// (`has_offset`); a pipe's position cannot be taken back.
struct OutputMark {
  bool has_offset = false;
  uint64_t offset = 0;
  uint64_t dev = 0, ino = 0;  // which file `offset` is in
  std::string path;           // where that file was (to find it again from a later run)
};

class Journal {
 public:
  ~Journal();
  // Opens (creating) the journal and reads what earlier runs recorded. Lines after the last
  // commit line belong to a batch a kill interrupted: they are dropped and cut off, together with
  // a torn last line, so appends start on a committed boundary. A journal without any commit line
  // (written before commits existed, or by hand) keeps all its whole lines.
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
  // The output position of the last commit, when any was read.
  const OutputMark* last_mark() const { return has_mark_ ? &last_mark_ : nullptr; }

  // Appends outcomes and a commit line naming `mark`, as one append (retried until whole). A kill
  // part-way leaves an uncommitted tail that the next Open drops.
  Status Commit(const std::vector<std::pair<std::string, JournalEntry>>& batch, const OutputMark& mark);
  // Appends one outcome without a commit line (one write(2) of one whole line).
  Status Append(const std::string& url, const JournalEntry& entry);
  // fsync, so a power loss keeps what was appended; called at the end of a run.
  void Sync();

 private:
  Status WriteWhole(const std::string& text);
  int fd_ = -1;
  std::string path_;
  std::map<std::string, JournalEntry> entries_;
  bool has_mark_ = false;
  OutputMark last_mark_;
};

// Whether a failure code is worth retrying in a later run (network trouble, 429, 5xx, timeouts).
bool RetryableCode(const std::string& code);

}  // namespace imgpipe
