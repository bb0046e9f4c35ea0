// Framed binary records: the byte layout of formats/record-stream.md, version 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

inline constexpr uint8_t kFrameMagic[4] = {0x89, 'I', 'P', 'F'};
inline constexpr uint16_t kFrameVersion = 1;
inline constexpr size_t kFramePrefixSize = 12;   // magic 4, version 2, reserved 2, header_len 4
inline constexpr size_t kFrameLengthSize = 8;    // payload_len
inline constexpr size_t kFrameTrailerSize = 4;   // CRC32C

struct FrameLimits {
  uint32_t max_header = 16u << 20;   // bytes of JSON header
  uint64_t max_payload = 1ull << 30;  // bytes of payload
};

// Appends `record` (metadata + payload) as one frame to `out`.
void AppendFrame(const Record& record, std::string* out);
// Appends everything of the frame before the payload (prefix, header, payload length) to `out`
// and returns its CRC32C; the frame's CRC is Crc32c(that, payload). Lets a writer send a large
// payload from where it lies instead of copying it.
uint32_t AppendFrameHead(const Record& record, std::string* out);

// The header JSON of a frame: the payload description first, then the metadata.
std::string FrameHeaderJson(const Record& record);

// Splits a parsed header into the record's metadata and payload description, checking that the
// description is complete and agrees with `payload_size`.
Result<Record> RecordFromFrameHeader(std::string_view header_json, uint64_t payload_size,
                                     const JsonLimits& limits = {});

// "payload" object text for `info`.
std::string PayloadInfoJson(const PayloadInfo& info);

}  // namespace imgpipe
