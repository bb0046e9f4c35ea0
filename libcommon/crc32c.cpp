// CRC32C: SSE4.2 `crc32` instruction with a slicing-by-8 table fallback, chosen once at run time.
#include "libcommon/crc32c.h"

#include <array>
#include <cstring>

namespace imgpipe {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};
constexpr Tables kTables;

uint32_t Crc32cPortable(uint32_t crc, const uint8_t* p, size_t n);

uint32_t Crc32cPortable(uint32_t crc, const uint8_t* p, size_t n) {
  const auto& t = kTables.t;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    v ^= crc;
    crc = t[7][v & 0xFF] ^ t[6][(v >> 8) & 0xFF] ^ t[5][(v >> 16) & 0xFF] ^ t[4][(v >> 24) & 0xFF] ^
          t[3][(v >> 32) & 0xFF] ^ t[2][(v >> 40) & 0xFF] ^ t[1][(v >> 48) & 0xFF] ^
          t[0][(v >> 56) & 0xFF];
    p += 8;
    n -= 8;
  }
  while (n--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of 3 cycles but a throughput of 1, so three independent
// streams over consecutive blocks run about 3x faster than one chain. The three partial CRCs
// are joined with the "append kBlock zero bytes" operator (CRC is linear over GF(2)).
constexpr size_t kBlock = 8192;

struct ShiftTables {
  std::array<std::array<uint32_t, 256>, 4> t{};
  ShiftTables() {
    // The operator on each of the 32 single-bit states, then tables by linearity.
    uint32_t basis[32];
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t c = 1u << bit;
      for (size_t i = 0; i < kBlock; ++i) c = kTables.t[0][c & 0xFF] ^ (c >> 8);
      basis[bit] = c;
    }
    for (int k = 0; k < 4; ++k)
      for (uint32_t n = 0; n < 256; ++n) {
        uint32_t v = 0;
        for (int b = 0; b < 8; ++b)
          if (n & (1u << b)) v ^= basis[8 * k + b];
        t[k][n] = v;
      }
  }
  uint32_t Shift(uint32_t c) const {
    return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
  }
};

__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  static const ShiftTables shift;
  uint64_t c0 = crc;
  while (n >= 3 * kBlock) {
    uint64_t c1 = 0, c2 = 0;
    for (size_t i = 0; i < kBlock; i += 8) {
      uint64_t a, b, d;
      std::memcpy(&a, p + i, 8);
      std::memcpy(&b, p + kBlock + i, 8);
      std::memcpy(&d, p + 2 * kBlock + i, 8);
      c0 = __builtin_ia32_crc32di(c0, a);
      c1 = __builtin_ia32_crc32di(c1, b);
      c2 = __builtin_ia32_crc32di(c2, d);
    }
    c0 = shift.Shift(uint32_t(c0)) ^ uint32_t(c1);
    c0 = shift.Shift(uint32_t(c0)) ^ uint32_t(c2);
    p += 3 * kBlock;
    n -= 3 * kBlock;
  }
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c0 = __builtin_ia32_crc32di(c0, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c0);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

using CrcFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);
CrcFn PickImplementation() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return Crc32cHardware;
#endif
  return Crc32cPortable;
}

}  // namespace

uint32_t Crc32c(uint32_t crc, const void* data, size_t size) {
  static const CrcFn impl = PickImplementation();
  return ~impl(~crc, static_cast<const uint8_t*>(data), size);
}

uint32_t Crc32cPortableForTest(uint32_t crc, const void* data, size_t size) {
  return ~Crc32cPortable(~crc, static_cast<const uint8_t*>(data), size);
}

}  // namespace imgpipe
