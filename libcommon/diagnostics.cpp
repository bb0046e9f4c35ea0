// Diagnostics: colour only when stderr is a terminal and NO_COLOR is unset.
#include "libcommon/diagnostics.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace imgpipe {

void Report(std::string_view tool, Severity severity, std::string_view message) {
  static const bool color = isatty(STDERR_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  const char* word = severity == Severity::kError     ? "error"
                     : severity == Severity::kWarning ? "warning"
                                                      : "note";
  const char* tint = severity == Severity::kError ? "\033[31m" : "\033[33m";
  std::string line;
  line.append(tool).append(": ");
  if (color) line.append(tint);
  line.append(word);
  if (color) line.append("\033[0m");
  line.append(": ").append(message).append("\n");
  // One write per line so lines from several threads never interleave.
  (void)!write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace imgpipe
