// ustar writer and reader: fixed 512-byte headers, octal fields, checksum over the header with
// the checksum field taken as spaces.
#include "formats/containers/tar.h"

#include <cstdio>
#include <cstring>

namespace imgpipe {
namespace {

void PutOctal(uint8_t* field, size_t width, uint64_t value) {
  // width - 1 digits and a NUL, zero-padded, as GNU tar writes them.
  std::snprintf(reinterpret_cast<char*>(field), width, "%0*llo", int(width - 1),
                static_cast<unsigned long long>(value));
}

uint64_t GetOctal(const uint8_t* field, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && field[i] && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') return ~0ull;
    v = v * 8 + (field[i] - '0');
  }
  return v;
}

uint32_t HeaderChecksum(const uint8_t* h) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kTarBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum;
}

}  // namespace

Status AppendTarEntry(std::vector<uint8_t>* out, std::string_view name,
                      std::span<const uint8_t> data, int64_t mtime) {
  std::string_view prefix, base = name;
  if (name.empty() || name.find('\0') != std::string_view::npos)
    return MakeError("unsupported", "tar entry name is empty or has a NUL byte");
  if (name.size() > 100) {
    // Split at a '/' so that the prefix fits 155 bytes and the rest 100.
    size_t cut = name.rfind('/', 155);
    while (cut != std::string_view::npos && name.size() - cut - 1 > 100) cut = std::string_view::npos;
    if (cut == std::string_view::npos || cut == 0)
      return MakeError("unsupported", "tar entry name too long for ustar: " + std::string(name));
    prefix = name.substr(0, cut);
    base = name.substr(cut + 1);
  }
  if (data.size() >= (1ull << 33)) return MakeError("unsupported", "tar entry larger than 8 GiB");
  const size_t at = out->size();
  out->resize(at + kTarBlock, 0);
  uint8_t* h = out->data() + at;
  std::memcpy(h, base.data(), base.size());
  PutOctal(h + 100, 8, 0644);
  PutOctal(h + 108, 8, 0);
  PutOctal(h + 116, 8, 0);
  PutOctal(h + 124, 12, data.size());
  PutOctal(h + 136, 12, uint64_t(mtime < 0 ? 0 : mtime));
  h[156] = '0';
  std::memcpy(h + 257, "ustar\0" "00", 8);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", HeaderChecksum(h));
  h[155] = ' ';
  out->insert(out->end(), data.begin(), data.end());
  out->resize(out->size() + (kTarBlock - data.size() % kTarBlock) % kTarBlock, 0);
  return Status::Ok();
}

void AppendTarEnd(std::vector<uint8_t>* out) { out->resize(out->size() + 2 * kTarBlock, 0); }

Result<std::vector<TarEntry>> ReadTar(std::span<const uint8_t> bytes) {
  std::vector<TarEntry> entries;
  size_t pos = 0;
  auto zero_block = [&](size_t p) {
    for (size_t i = 0; i < kTarBlock; ++i)
      if (bytes[p + i]) return false;
    return true;
  };
  for (;;) {
    if (pos + kTarBlock > bytes.size())
      return MakeError("corrupt", "tar ends without the end-of-archive blocks at byte " + std::to_string(pos));
    const uint8_t* h = bytes.data() + pos;
    if (zero_block(pos)) {
      if (pos + 2 * kTarBlock > bytes.size() || !zero_block(pos + kTarBlock))
        return MakeError("corrupt", "tar has a single zero block at byte " + std::to_string(pos));
      return entries;
    }
    if (std::memcmp(h + 257, "ustar", 5) != 0)
      return MakeError("corrupt", "tar header without ustar magic at byte " + std::to_string(pos));
    if (GetOctal(h + 148, 8) != HeaderChecksum(h))
      return MakeError("corrupt", "tar header checksum mismatch at byte " + std::to_string(pos));
    const uint64_t size = GetOctal(h + 124, 12);
    if (size == ~0ull || pos + kTarBlock + size > bytes.size())
      return MakeError("corrupt", "tar entry size out of range at byte " + std::to_string(pos));
    std::string name(reinterpret_cast<const char*>(h), strnlen(reinterpret_cast<const char*>(h), 100));
    std::string prefix(reinterpret_cast<const char*>(h + 345), strnlen(reinterpret_cast<const char*>(h + 345), 155));
    if (!prefix.empty()) name = prefix + "/" + name;
    if (h[156] == '0' || h[156] == 0) {
      entries.push_back({name, std::vector<uint8_t>(h + kTarBlock, h + kTarBlock + size)});
    }
    pos += kTarBlock + (size + kTarBlock - 1) / kTarBlock * kTarBlock;
  }
}

}  // namespace imgpipe
