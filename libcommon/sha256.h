// SHA-256 of encoded image bytes (the record's `sha256` key).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace imgpipe {

// Lower-case hex digest of `size` bytes at `data`.
std::string Sha256Hex(const void* data, size_t size);

}  // namespace imgpipe
