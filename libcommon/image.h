// Image: decoded pixels in memory (interleaved rows, no padding), shared by codecs and kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imgpipe {

enum class SampleType { kU8, kU16 };

inline size_t SampleBytes(SampleType t) { return t == SampleType::kU8 ? 1 : 2; }
inline const char* SampleTypeName(SampleType t) { return t == SampleType::kU8 ? "u8" : "u16"; }

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  SampleType type = SampleType::kU8;
  // width * height * channels samples, row-major, interleaved; u16 samples in native byte order.
  std::vector<uint8_t> data;

  size_t RowBytes() const { return size_t(width) * channels * SampleBytes(type); }
  size_t SizeBytes() const { return RowBytes() * height; }
  void Allocate(int w, int h, int c, SampleType t = SampleType::kU8) {
    width = w;
    height = h;
    channels = c;
    type = t;
    data.assign(SizeBytes(), 0);
  }
};

}  // namespace imgpipe
