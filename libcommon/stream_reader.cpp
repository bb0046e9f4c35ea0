// RecordReader: one buffered pass over the input; the first byte of each record tells its encoding
// (0x89 starts a frame and can never start a JSON text).
#include "libcommon/stream_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "libcommon/crc32c.h"

namespace imgpipe {
namespace {

constexpr size_t kBufferSize = 1u << 20;
constexpr size_t kRawKeep = 1024;  // bytes of an over-long line kept in its error record

uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

bool IsSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

RecordReader::RecordReader(int fd, std::string source_name, ReaderOptions options)
    : fd_(fd), name_(std::move(source_name)), options_(std::move(options)), buf_(kBufferSize) {}

bool RecordReader::Fill() {
  if (eof_) return false;
  if (pos_ > 0 && pos_ == end_) pos_ = end_ = 0;
  if (pos_ > 0 && end_ == buf_.size()) {  // compact
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += size_t(n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_error_ = std::strerror(errno);
    eof_ = true;
    return false;
  }
}

bool RecordReader::ReadExact(void* dst, size_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  while (n > 0) {
    if (Available() == 0) {
      // Large payloads go straight from the descriptor into their destination.
      if (n >= buf_.size() / 2 && !eof_) {
        ssize_t r = ::read(fd_, out, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          if (r < 0) read_error_ = std::strerror(errno);
          eof_ = true;
          return false;
        }
        out += r;
        n -= size_t(r);
        offset_ += uint64_t(r);
        continue;
      }
      if (!Fill()) return false;
    }
    size_t take = std::min(n, Available());
    std::memcpy(out, buf_.data() + pos_, take);
    pos_ += take;
    offset_ += take;
    out += take;
    n -= take;
  }
  return true;
}

bool RecordReader::SkipExact(uint64_t n, uint32_t* crc) {
  while (n > 0) {
    if (Available() == 0 && !Fill()) return false;
    size_t take = size_t(std::min<uint64_t>(n, Available()));
    *crc = Crc32c(*crc, buf_.data() + pos_, take);
    pos_ += take;
    offset_ += take;
    n -= take;
  }
  return true;
}

Error RecordReader::FrameError(std::string code, const std::string& what) const {
  return MakeError(std::move(code), name_ + ": frame " + std::to_string(frames_) + " (byte " +
                                        std::to_string(frame_start_) + "): " + what);
}

Result<bool> RecordReader::Next(Record* record) {
  for (;;) {
    if (Available() == 0 && !Fill()) {
      if (!read_error_.empty())
        return MakeError("io", name_ + ": read error: " + read_error_);
      return false;
    }
    uint8_t first = buf_[pos_];
    if (first == kFrameMagic[0]) return ReadFrame(record);
    auto got = ReadLine(record);
    if (!got || *got) return got;  // a blank line: read on
  }
}

Result<bool> RecordReader::ReadFrame(Record* record) {
  ++frames_;
  frame_start_ = offset_;
  uint8_t prefix[kFramePrefixSize];
  if (!ReadExact(prefix, sizeof(prefix)))
    return FrameError("truncated", "stream ends inside the frame prefix");
  if (std::memcmp(prefix, kFrameMagic, 4) != 0)
    return FrameError("bad-frame", "bad magic (not an imgpipe frame)");
  uint64_t version = GetLe(prefix + 4, 2);
  if (version != kFrameVersion)
    return FrameError("bad-frame", "unsupported frame version " + std::to_string(version) +
                                       " (this build reads version " +
                                       std::to_string(kFrameVersion) + ")");
  if (GetLe(prefix + 6, 2) != 0) return FrameError("bad-frame", "reserved bytes are not zero");
  uint64_t header_len = GetLe(prefix + 8, 4);
  if (header_len > options_.frame.max_header)
    return FrameError("too-large", "header of " + std::to_string(header_len) +
                                       " bytes exceeds --max-header " +
                                       std::to_string(options_.frame.max_header));
  std::string header(header_len, '\0');
  if (!ReadExact(header.data(), header_len))
    return FrameError("truncated", "stream ends inside the header");
  uint8_t len_bytes[kFrameLengthSize];
  if (!ReadExact(len_bytes, sizeof(len_bytes)))
    return FrameError("truncated", "stream ends inside the payload length");
  uint64_t payload_len = GetLe(len_bytes, 8);
  if (payload_len > options_.frame.max_payload)
    return FrameError("too-large", "payload of " + std::to_string(payload_len) +
                                       " bytes exceeds --max-payload " +
                                       std::to_string(options_.frame.max_payload));
  uint32_t crc = Crc32c(0, prefix, sizeof(prefix));
  crc = Crc32c(crc, header.data(), header.size());
  crc = Crc32c(crc, len_bytes, sizeof(len_bytes));
  std::vector<uint8_t> payload;
  if (options_.skip_payloads) {
    if (!SkipExact(payload_len, &crc))
      return FrameError("truncated", "stream ends inside the payload");
  } else {
    // Grown as the bytes arrive, so a short stream that claims a large payload costs what it
    // sent, not what it claimed (a 40-byte input must not allocate a gigabyte).
    constexpr uint64_t kPayloadStep = 64u << 20;
    while (payload.size() < payload_len) {
      size_t at = payload.size();
      size_t n = size_t(std::min<uint64_t>(payload_len - at, std::max<uint64_t>(at, kPayloadStep)));
      payload.resize(at + n);
      if (!ReadExact(payload.data() + at, n))
        return FrameError("truncated", "stream ends inside the payload");
    }
    crc = Crc32c(crc, payload.data(), payload.size());
  }
  uint8_t crc_bytes[kFrameTrailerSize];
  if (!ReadExact(crc_bytes, sizeof(crc_bytes)))
    return FrameError("truncated", "stream ends inside the CRC");
  if (crc != GetLe(crc_bytes, 4)) return FrameError("bad-frame", "CRC32C mismatch");
  auto parsed = RecordFromFrameHeader(header, payload_len, options_.json);
  if (!parsed) return FrameError(parsed.error().code, parsed.error().message);
  *record = std::move(parsed.value());
  record->payload = std::move(payload);
  ++records_;
  return true;
}

Result<bool> RecordReader::ReadLine(Record* record) {
  ++lines_;
  std::string line;
  bool too_long = false;
  for (;;) {
    if (Available() == 0 && !Fill()) break;
    const uint8_t* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', Available());
    size_t take = nl ? size_t(static_cast<const uint8_t*>(nl) - start) : Available();
    if (!too_long && take > options_.max_line - std::min(options_.max_line, line.size()))
      too_long = true;
    // An over-long line keeps its first kRawKeep bytes for the error record, however the reads
    // happen to split it (the record must not depend on pipe timing).
    size_t keep = too_long ? std::min(take, kRawKeep - std::min(kRawKeep, line.size())) : take;
    line.append(reinterpret_cast<const char*>(start), keep);
    pos_ += take;
    offset_ += take;
    if (nl) {
      ++pos_;
      ++offset_;
      break;
    }
  }
  if (!read_error_.empty()) return MakeError("io", name_ + ": read error: " + read_error_);
  ++records_;
  std::string where = name_ + ": line " + std::to_string(lines_);
  if (too_long) {
    *record = Record();
    record->SetString("raw", line.substr(0, kRawKeep));
    record->SetInt("line", int64_t(lines_));
    record->malformed_input = true;
    record->SetError(options_.tool, MakeError("too-large", where + " is longer than --max-line " +
                                                                std::to_string(options_.max_line) +
                                                                " bytes"));
    return true;
  }
  while (!line.empty() && IsSpace(uint8_t(line.back()))) line.pop_back();
  size_t lead = 0;
  while (lead < line.size() && IsSpace(uint8_t(line[lead]))) ++lead;
  if (lead == line.size()) {
    --records_;
    return false;
  }
  if (!options_.plain_line_key.empty() && lead < line.size() && line[lead] != '{') {
    *record = Record();
    record->SetString(options_.plain_line_key, std::string_view(line).substr(lead));
    return true;
  }
  auto parsed = Record::FromJson(line, options_.json);
  if (parsed) {
    *record = std::move(parsed.value());
    return true;
  }
  *record = Record();
  record->SetString("raw", line);
  record->SetInt("line", int64_t(lines_));
  record->malformed_input = true;
  record->SetError(options_.tool, MakeError("bad-json", where + ": " + parsed.error().message));
  return true;
}

}  // namespace imgpipe
