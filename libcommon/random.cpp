// Philox4x32-10 and the per-record counter-based generator built on it.
#include "libcommon/random.h"

#include <cmath>

namespace imgpipe {

Philox4x32 Philox(const uint32_t counter[4], const uint32_t key[2]) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(kM0) * c0;
    const uint64_t p1 = uint64_t(kM1) * c2;
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n1 = uint32_t(p1);
    const uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    const uint32_t n3 = uint32_t(p0);
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += kW0, k1 += kW1;
  }
  return {{c0, c1, c2, c3}};
}

uint64_t HashKey(std::string_view text) {
  // FNV-1a, then a SplitMix finaliser so that similar ids give unrelated keys.
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char ch : text) h = (h ^ ch) * 0x100000001B3ull;
  SplitMix64 mix{h};
  return mix.Next();
}

CounterRng::CounterRng(uint64_t seed, uint64_t id_hash, uint32_t copy, uint32_t stream)
    : copy_(copy), stream_(stream) {
  SplitMix64 mix{seed ^ (id_hash * 0x9E3779B97F4A7C15ull)};
  const uint64_t k = mix.Next() ^ id_hash;
  key_[0] = uint32_t(k);
  key_[1] = uint32_t(k >> 32);
}

uint32_t CounterRng::NextU32() {
  if (left_ == 0) {
    const uint32_t counter[4] = {copy_, stream_, draw_, 0x1A06u};
    Philox4x32 out = Philox(counter, key_);
    for (int i = 0; i < 4; ++i) buf_[i] = out.v[i];
    ++draw_;
    left_ = 4;
  }
  return buf_[4 - left_--];
}

uint64_t CounterRng::NextU64() {
  const uint64_t hi = NextU32();
  return (hi << 32) | NextU32();
}

double CounterRng::Uniform() { return double(NextU64() >> 11) * 0x1.0p-53; }

int64_t CounterRng::UniformInt(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = uint64_t(hi - lo) + 1;
  // Multiply-shift on 64 random bits: bias below 2^-40 for any span an image needs.
  const unsigned __int128 m = (unsigned __int128)NextU64() * span;
  return lo + int64_t(uint64_t(m >> 64));
}

double CounterRng::Normal() {
  double u1 = Uniform();
  const double u2 = Uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace imgpipe
