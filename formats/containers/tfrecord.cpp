// TFRecord framing over libcommon's CRC32C.
#include "formats/containers/tfrecord.h"

#include "libcommon/crc32c.h"

namespace imgpipe {
namespace {
void PutLe(std::vector<uint8_t>* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(uint8_t(v >> (8 * i)));
}
uint64_t GetLe(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
}  // namespace

uint32_t MaskedCrc32c(const void* data, size_t size) {
  const uint32_t crc = Crc32c(0, data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

void AppendTfRecord(std::vector<uint8_t>* out, std::span<const uint8_t> data) {
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = uint8_t(uint64_t(data.size()) >> (8 * i));
  out->insert(out->end(), len, len + 8);
  PutLe(out, MaskedCrc32c(len, 8), 4);
  out->insert(out->end(), data.begin(), data.end());
  PutLe(out, MaskedCrc32c(data.data(), data.size()), 4);
}

Result<std::vector<std::vector<uint8_t>>> ReadTfRecords(std::span<const uint8_t> b) {
  std::vector<std::vector<uint8_t>> out;
  size_t p = 0;
  while (p < b.size()) {
    const std::string where = "record " + std::to_string(out.size() + 1) + " (byte " + std::to_string(p) + ")";
    if (p + 12 > b.size()) return MakeError("corrupt", where + ": truncated length");
    const uint64_t len = GetLe(b.data() + p, 8);
    if (GetLe(b.data() + p + 8, 4) != MaskedCrc32c(b.data() + p, 8))
      return MakeError("corrupt", where + ": length CRC mismatch");
    if (len > b.size() - p - 12 || b.size() - p - 12 - len < 4) return MakeError("corrupt", where + ": truncated data");
    const uint8_t* d = b.data() + p + 12;
    if (GetLe(d + len, 4) != MaskedCrc32c(d, len)) return MakeError("corrupt", where + ": data CRC mismatch");
    out.emplace_back(d, d + len);
    p += 12 + len + 4;
  }
  return out;
}

}  // namespace imgpipe
