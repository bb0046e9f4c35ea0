// Diagnostics on stderr in the one format every program uses: "<tool>: error: <message>".
#pragma once

#include <string_view>

namespace imgpipe {

enum class Severity { kError, kWarning, kNote };

void Report(std::string_view tool, Severity severity, std::string_view message);
inline void ReportError(std::string_view tool, std::string_view message) {
  Report(tool, Severity::kError, message);
}
inline void ReportWarning(std::string_view tool, std::string_view message) {
  Report(tool, Severity::kWarning, message);
}

// Exit codes shared by every program (DESIGN.md, and every man page).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;
inline constexpr int kExitUsage = 2;

}  // namespace imgpipe
