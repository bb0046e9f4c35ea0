// .npy headers, CRC-32 and the handful of zip records a STORED .npz needs.
#include "formats/containers/npy.h"

#include <array>
#include <cstring>

namespace imgpipe {
namespace {

void Le(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(char((v >> (8 * i)) & 0xFF));
}
uint64_t GetLe(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

size_t DescrSize(std::string_view d) {
  if (d.size() < 3) return 0;
  size_t n = 0;
  for (char c : d.substr(2)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string NpyDescr(std::string_view dtype) {
  if (dtype == "u8") return "|u1";
  if (dtype == "u16" || dtype == "bf16") return "<u2";
  if (dtype == "f16") return "<f2";
  if (dtype == "f32") return "<f4";
  if (dtype == "i64") return "<i8";
  return "";
}

Result<std::string> NpyHeader(std::string_view descr, const std::vector<int64_t>& shape,
                              size_t min_size) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) {
    dims += std::to_string(shape[i]);
    if (shape.size() == 1) dims += ",";
    else if (i + 1 < shape.size()) dims += ", ";
  }
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + dims + ")";
  dict += ", }";
  size_t total = 10 + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  if (total < min_size) total = (min_size + 63) / 64 * 64;
  if (total - 10 > 65535) return MakeError("unsupported", "npy header longer than 65535 bytes");
  std::string h = "\x93NUMPY";
  h.push_back('\x01');
  h.push_back('\x00');
  Le(&h, total - 10, 2);
  h += dict;
  h.append(total - h.size() - 1, ' ');
  h.push_back('\n');
  return h;
}

Result<NpyInfo> ParseNpy(std::span<const uint8_t> b) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
    return MakeError("corrupt", "not a .npy file (no \\x93NUMPY magic)");
  const int major = b[6];
  size_t hlen, start;
  if (major == 1) hlen = GetLe(b.data() + 8, 2), start = 10;
  else if (major == 2 || major == 3) {
    if (b.size() < 12) return MakeError("corrupt", "npy header truncated");
    hlen = GetLe(b.data() + 8, 4), start = 12;
  } else return MakeError("unsupported", "npy version " + std::to_string(major));
  if (start + hlen > b.size()) return MakeError("corrupt", "npy header truncated");
  std::string dict(reinterpret_cast<const char*>(b.data() + start), hlen);
  NpyInfo info;
  info.data_offset = start + hlen;
  auto value_after = [&](const std::string& key) -> std::string {
    size_t k = dict.find("'" + key + "'");
    if (k == std::string::npos) return "";
    size_t colon = dict.find(':', k);
    return colon == std::string::npos ? "" : dict.substr(colon + 1);
  };
  std::string d = value_after("descr");
  size_t q1 = d.find('\''), q2 = q1 == std::string::npos ? q1 : d.find('\'', q1 + 1);
  if (q2 == std::string::npos) return MakeError("corrupt", "npy header without descr");
  info.descr = d.substr(q1 + 1, q2 - q1 - 1);
  std::string f = value_after("fortran_order");
  info.fortran_order = f.find("True") < f.find(',');
  std::string s = value_after("shape");
  size_t open = s.find('('), close = s.find(')');
  if (open == std::string::npos || close == std::string::npos) return MakeError("corrupt", "npy header without shape");
  std::string dims = s.substr(open + 1, close - open - 1);
  size_t elems = 1;
  for (size_t p = 0; p < dims.size();) {
    while (p < dims.size() && (dims[p] == ' ' || dims[p] == ',')) ++p;
    if (p >= dims.size()) break;
    int64_t v = 0;
    while (p < dims.size() && dims[p] >= '0' && dims[p] <= '9') v = v * 10 + (dims[p++] - '0');
    info.shape.push_back(v);
    elems *= size_t(v);
    if (p < dims.size() && dims[p] != ',' && dims[p] != ' ') return MakeError("corrupt", "bad npy shape");
  }
  const size_t esize = DescrSize(info.descr);
  if (esize == 0) return MakeError("unsupported", "npy descr " + info.descr);
  if (b.size() - info.data_offset != elems * esize)
    return MakeError("corrupt", "npy data is " + std::to_string(b.size() - info.data_offset) +
                                    " bytes, the shape says " + std::to_string(elems * esize));
  return info;
}

uint32_t Crc32(uint32_t crc, const void* data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  const uint8_t* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string ZipLocalHeader(const ZipEntryInfo& e) {
  std::string h;
  Le(&h, 0x04034b50, 4);
  Le(&h, 20, 2);  // version needed
  Le(&h, 0, 2);   // flags
  Le(&h, 0, 2);   // STORED
  Le(&h, 0, 2);   // time
  Le(&h, 0x21, 2);  // date 1980-01-01
  Le(&h, e.crc, 4);
  Le(&h, e.size, 4);
  Le(&h, e.size, 4);
  Le(&h, e.name.size(), 2);
  Le(&h, 0, 2);
  return h + e.name;
}

std::string ZipDirectory(const std::vector<ZipEntryInfo>& entries, uint32_t cd_offset) {
  std::string cd;
  for (const ZipEntryInfo& e : entries) {
    Le(&cd, 0x02014b50, 4);
    Le(&cd, 20, 2);  // made by
    Le(&cd, 20, 2);  // needed
    Le(&cd, 0, 2);
    Le(&cd, 0, 2);
    Le(&cd, 0, 2);
    Le(&cd, 0x21, 2);
    Le(&cd, e.crc, 4);
    Le(&cd, e.size, 4);
    Le(&cd, e.size, 4);
    Le(&cd, e.name.size(), 2);
    Le(&cd, 0, 2);  // extra
    Le(&cd, 0, 2);  // comment
    Le(&cd, 0, 2);  // disk
    Le(&cd, 0, 2);  // internal attrs
    Le(&cd, 0, 4);  // external attrs
    Le(&cd, e.offset, 4);
    cd += e.name;
  }
  std::string end;
  Le(&end, 0x06054b50, 4);
  Le(&end, 0, 2);
  Le(&end, 0, 2);
  Le(&end, entries.size(), 2);
  Le(&end, entries.size(), 2);
  Le(&end, cd.size(), 4);
  Le(&end, cd_offset, 4);
  Le(&end, 0, 2);
  return cd + end;
}

Result<std::vector<ZipMember>> ReadStoredZip(std::span<const uint8_t> b) {
  if (b.size() < 22) return MakeError("corrupt", "zip too short");
  const uint8_t* end = b.data() + b.size() - 22;
  if (GetLe(end, 4) != 0x06054b50) return MakeError("corrupt", "zip without end record (or with a comment)");
  const size_t count = GetLe(end + 10, 2), cd_size = GetLe(end + 12, 4), cd_off = GetLe(end + 16, 4);
  if (cd_off + cd_size > b.size() - 22) return MakeError("corrupt", "zip directory out of range");
  std::vector<ZipMember> out;
  size_t p = cd_off;
  for (size_t i = 0; i < count; ++i) {
    if (p + 46 > cd_off + cd_size || GetLe(b.data() + p, 4) != 0x02014b50)
      return MakeError("corrupt", "bad zip directory entry");
    const uint8_t* c = b.data() + p;
    const uint32_t crc = uint32_t(GetLe(c + 16, 4));
    const size_t size = GetLe(c + 20, 4), usize = GetLe(c + 24, 4), nlen = GetLe(c + 28, 2),
                 xlen = GetLe(c + 30, 2), clen = GetLe(c + 32, 2), off = GetLe(c + 42, 4);
    if (GetLe(c + 10, 2) != 0 || size != usize) return MakeError("unsupported", "zip entry is compressed");
    std::string name(reinterpret_cast<const char*>(c + 46), nlen);
    if (off + 30 > b.size() || GetLe(b.data() + off, 4) != 0x04034b50)
      return MakeError("corrupt", "bad zip local header for " + name);
    const size_t data = off + 30 + GetLe(b.data() + off + 26, 2) + GetLe(b.data() + off + 28, 2);
    if (data + size > b.size()) return MakeError("corrupt", "zip entry " + name + " out of range");
    if (GetLe(b.data() + off + 14, 4) != crc || GetLe(b.data() + off + 18, 4) != size)
      return MakeError("corrupt", "zip local header of " + name + " disagrees with the directory");
    if (Crc32(0, b.data() + data, size) != crc) return MakeError("corrupt", "CRC-32 mismatch in " + name);
    out.push_back({name, std::vector<uint8_t>(b.data() + data, b.data() + data + size)});
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

}  // namespace imgpipe
