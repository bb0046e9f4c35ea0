// Resuming into the output: a regular output file is cut back to the last journal commit (records
// written after it were never journaled and are fetched again), so a run killed at any moment and
// resumed writes every record exactly once. Also removes the temporary files a killed --save left.
#pragma once

#include <string>
#include <vector>

#include "libcommon/result.h"
#include "tools/img-fetch/journal.h"

namespace imgpipe {

class OutputPosition {
 public:
  // `fd` is the output; `path` its name when known (-o), else it is looked up (/proc/self/fd).
  // `owned`: the output was named with -o, so when it is not the file the journal last wrote to it
  // starts empty; standard output is never emptied, only appended to.
  // `last`: the journal's last commit (nullptr: a new journal). Notes on what was cut go to `notes`.
  Result<OutputMark> Resume(int fd, std::string path, bool owned, const OutputMark* last,
                            std::vector<std::string>* notes);
  // Where the output stands now (call after a flush).
  OutputMark Now() const;

 private:
  int fd_ = -1;
  bool regular_ = false;
  bool append_ = false;  // O_APPEND: writes land at the end, whatever the file position says
  OutputMark base_;
};

// Removes "<name>.tmp.<pid>.<n>" files under `dir` left by img-fetch processes that no longer run
// (a kill between writing a staged file and renaming it). Returns how many were removed.
size_t RemoveStaleStagedFiles(const std::string& dir);

}  // namespace imgpipe
