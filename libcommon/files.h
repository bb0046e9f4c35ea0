// Files: bounded reads, atomic writes (temp + rename), and output paths that cannot escape their
// folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// Reads a whole file; refuses files larger than `max_bytes` (code "too-large") before reading.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes);

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a reader
// (or a killed run) never sees a half-written file. Creates missing parent folders.
Status WriteFileAtomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// The two halves of WriteFileAtomic, for writers that must decide the final name later (in
// input order): StageFile writes a temporary file next to `path` and returns its name;
// CommitStagedFile renames it to `path`; DiscardStagedFile removes it.
Result<std::filesystem::path> StageFile(const std::filesystem::path& path,
                                        std::span<const uint8_t> bytes);
Status CommitStagedFile(const std::filesystem::path& staged, const std::filesystem::path& path);
void DiscardStagedFile(const std::filesystem::path& staged);

// Joins `relative` under `root`, refusing (code "unsafe-path") absolute names, `..` components,
// empty names, NUL bytes, and any existing symlink on the way. `root` must exist.
Result<std::filesystem::path> SafeJoin(const std::filesystem::path& root,
                                       const std::string& relative);

}  // namespace imgpipe
