// NumPy .npy (format 1.0) headers and .npz archives (zip, STORED entries, CRC-32).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// NumPy dtype descriptor for an imgpipe dtype: u8 "|u1", u16 "<u2", f16 "<f2", f32 "<f4",
// i64 "<i8". bf16 has no NumPy dtype: it is stored as its raw bits, "<u2" (say so elsewhere).
std::string NpyDescr(std::string_view dtype);

// The complete .npy 1.0 header (magic, version, length, dict, spaces, '\n'), padded so the
// data starts at a multiple of 64 bytes. `min_size` pads further (a writer that reserves room
// before the row count is known). Errors when the dict does not fit 65535 bytes.
Result<std::string> NpyHeader(std::string_view descr, const std::vector<int64_t>& shape,
                              size_t min_size = 0);

struct NpyInfo {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t data_offset = 0;
};

// Parses and checks a .npy header (1.0, 2.0 or 3.0) and that the data that follows has the size
// the shape says.
Result<NpyInfo> ParseNpy(std::span<const uint8_t> bytes);

// CRC-32 (ISO-HDLC / zlib: reflected 0xEDB88320, init and final XOR 0xFFFFFFFF).
uint32_t Crc32(uint32_t crc, const void* data, size_t size);

// Zip pieces for STORED entries (no compression, no zip64: entries and archive < 4 GiB).
struct ZipEntryInfo {
  std::string name;
  uint32_t crc = 0;
  uint32_t size = 0;
  uint32_t offset = 0;  // of the local header
};
std::string ZipLocalHeader(const ZipEntryInfo& e);  // 30 bytes + name
// Central directory + end record for `entries`, placed at `cd_offset`.
std::string ZipDirectory(const std::vector<ZipEntryInfo>& entries, uint32_t cd_offset);

// Reads a zip of STORED entries (what NpzWriter makes), checking every CRC-32.
struct ZipMember {
  std::string name;
  std::vector<uint8_t> data;
};
Result<std::vector<ZipMember>> ReadStoredZip(std::span<const uint8_t> bytes);

}  // namespace imgpipe
