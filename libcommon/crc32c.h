// CRC32C (Castagnoli), the checksum that closes every binary frame.
#pragma once

#include <cstddef>
#include <cstdint>

namespace imgpipe {

// Extends `crc` (0 to start) over `data`; uses the SSE4.2 instruction when the CPU has it.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);
// The table-driven version, for tests that compare the two.
uint32_t Crc32cPortableForTest(uint32_t crc, const void* data, size_t size);

}  // namespace imgpipe
