// Counter-based randomness (Philox4x32-10): every draw is a pure function of its key and counter.
#pragma once

#include <cstdint>
#include <string_view>

namespace imgpipe {

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a keyed
// bijection of a 128-bit counter. No state survives between calls, so a record's draws depend
// only on (seed, record key, copy, stream, draw index) and never on threads, order or sharding.
struct Philox4x32 {
  uint32_t v[4];
};
Philox4x32 Philox(const uint32_t counter[4], const uint32_t key[2]);

// 64-bit hash of a record's identity (its `id`), stable across runs and machines.
uint64_t HashKey(std::string_view text);

// The draws of one record: key = (seed, id hash) mixed into Philox's 64-bit key; counter =
// (copy, stream, draw index, word pair). `stream` separates the op that draws (its position in
// the pipeline) so adding or removing an op does not shift the draws of the others.
class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t id_hash, uint32_t copy, uint32_t stream = 0);

  uint32_t NextU32();
  uint64_t NextU64();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive); lo when hi < lo.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // true with probability p.
  bool Bernoulli(double p) { return p >= 1.0 || (p > 0.0 && Uniform() < p); }
  // Standard normal (Box-Muller on two uniforms).
  double Normal();

  uint32_t draws() const { return draw_; }

 private:
  uint32_t key_[2];
  uint32_t copy_, stream_;
  uint32_t draw_ = 0;
  uint32_t buf_[4];
  int left_ = 0;
};

// SplitMix64: a fast generator for bulk per-pixel noise, seeded from a CounterRng draw (so noise
// is as reproducible as everything else, but does not cost a Philox block per sample).
struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

}  // namespace imgpipe
