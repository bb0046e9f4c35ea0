// TFRecord framing (length, masked CRC32C of the length, data, masked CRC32C of the data).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// TensorFlow's masked CRC32C: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t MaskedCrc32c(const void* data, size_t size);

// Appends one framed record to `out`.
void AppendTfRecord(std::vector<uint8_t>* out, std::span<const uint8_t> data);

// Splits a TFRecord file into its records, checking both CRCs of every record ("corrupt" with
// the record number and byte offset otherwise).
Result<std::vector<std::vector<uint8_t>>> ReadTfRecords(std::span<const uint8_t> bytes);

}  // namespace imgpipe
