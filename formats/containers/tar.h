// POSIX ustar archives (what WebDataset shards are): entry bytes for a writer, a checking reader
// for tests and tools.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

inline constexpr size_t kTarBlock = 512;

// Appends one regular-file entry (header block, data, zero padding to a 512-byte boundary) to
// `out`. Names up to 100 bytes, or up to 255 split at a '/' into ustar's prefix + name; longer
// names, or sizes beyond 8 GiB, are an error ("unsupported"). Mode 0644, owner 0/0, `mtime`
// in seconds, so the same input makes byte-identical archives.
Status AppendTarEntry(std::vector<uint8_t>* out, std::string_view name,
                      std::span<const uint8_t> data, int64_t mtime = 0);

// The end-of-archive marker: two zero blocks.
void AppendTarEnd(std::vector<uint8_t>* out);

struct TarEntry {
  std::string name;
  std::vector<uint8_t> data;
};

// Reads every regular-file entry, checking each header checksum, the ustar magic and that the
// archive ends with the zero-block marker ("corrupt" otherwise).
Result<std::vector<TarEntry>> ReadTar(std::span<const uint8_t> bytes);

}  // namespace imgpipe
