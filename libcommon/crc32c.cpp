// CRC32C: SSE4.2 `crc32` instruction with a slicing-by-8 table fallback, chosen once at run time.
#include "libcommon/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// Carry-less multiplication folding (the method of Intel's "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ"): on CPUs where `crc32` is slow (AMD: one per 3 cycles, so the
// three streams above gain nothing) PCLMULQDQ moves 64 bytes per step instead of 8.
//
// A 16-byte block read little-endian is a polynomial with bit m <-> x^(127-m) (the CRC is
// reflected). Moving a block X forward by D bits means X * x^D mod P. With H = bits 0..63 (the
// x^127..x^64 half) and L = bits 64..127: X * x^D = H * x^(64+D) + L * x^D, and each factor can be
// replaced by its remainder mod P (degree < 32), leaving a product of degree < 96 that fits a block.
// clmul of two 64-bit values with bit j <-> x^(63-j) gives bit m <-> x^(126-m), i.e. the block of
// the product times x, so the constants are x^(D+63) and x^(D-1) mod P. They are computed here
// rather than copied as magic numbers.
struct FoldConstants {
  // Per distance D = 128, 256, 384, 512 bits: {x^(D+63) mod P for H, x^(D-1) mod P for L}.
  uint64_t k[4][2];
  FoldConstants() {
    for (int i = 0; i < 4; ++i) {
      const int d = 128 * (i + 1);
      k[i][0] = Reflected64(XPowModP(d + 63));
      k[i][1] = Reflected64(XPowModP(d - 1));
    }
  }
  // x^n mod P, bit d <-> x^d, P = x^32 + 0x1EDC6F41 (Castagnoli, not reflected).
  static uint32_t XPowModP(int n) {
    uint64_t r = 1;
    for (int i = 0; i < n; ++i) {
      r <<= 1;
      if (r >> 32) r ^= 0x11EDC6F41ull;
    }
    return uint32_t(r);
  }
  // The 64-bit operand layout: x^d at bit 63 - d.
  static uint64_t Reflected64(uint32_t poly) {
    uint64_t v = 0;
    for (int d = 0; d < 32; ++d)
      if (poly >> d & 1) v |= 1ull << (63 - d);
    return v;
  }
};

__attribute__((target("pclmul,sse4.2"))) inline __m128i Fold(__m128i x, const uint64_t k[2]) {
  const __m128i kk = _mm_set_epi64x(static_cast<long long>(k[1]), static_cast<long long>(k[0]));
  return _mm_xor_si128(_mm_clmulepi64_si128(x, kk, 0x00), _mm_clmulepi64_si128(x, kk, 0x11));
}

__attribute__((target("pclmul,sse4.2"))) uint32_t Crc32cClmul(uint32_t crc, const uint8_t* p,
                                                              size_t n) {
  if (n < 128) return Crc32cHardware(crc, p, n);
  static const FoldConstants c;
  auto load = [](const uint8_t* q) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q)); };
  // The register's effect is that of XOR-ing it into the first four bytes.
  __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
  p += 64;
  n -= 64;
  while (n >= 64) {  // four lanes, each moved 512 bits onto the next 64 bytes
    x0 = _mm_xor_si128(Fold(x0, c.k[3]), load(p));
    x1 = _mm_xor_si128(Fold(x1, c.k[3]), load(p + 16));
    x2 = _mm_xor_si128(Fold(x2, c.k[3]), load(p + 32));
    x3 = _mm_xor_si128(Fold(x3, c.k[3]), load(p + 48));
    p += 64;
    n -= 64;
  }
  __m128i x = _mm_xor_si128(_mm_xor_si128(Fold(x0, c.k[2]), Fold(x1, c.k[1])),
                            _mm_xor_si128(Fold(x2, c.k[0]), x3));
  while (n >= 16) {
    x = _mm_xor_si128(Fold(x, c.k[0]), load(p));
    p += 16;
    n -= 16;
  }
  // The CRC of the folded block with a zero register is the CRC of everything so far.
  alignas(16) uint8_t block[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(block), x);
  uint32_t r = Crc32cHardware(0, block, 16);
  return Crc32cHardware(r, p, n);
}
#endif

using CrcFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);
CrcFn PickImplementation() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2")) return Crc32cClmul;
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
