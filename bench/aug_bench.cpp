// Google Benchmark of img-aug's kernels on a 640x480 frame: the warp (by interpolation and channel
// count; bilinear rotations run the fixed-point per-pixel path, crops/resizes/mirrors the
// separable one) and the photometric kernels, each next to its scalar reference. Whole pipelines: bench/aug.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <vector>
#include <random>

#include "libcommon/kernels/photometric.h"
#include "libcommon/kernels/photometric_reference.h"
#include "libcommon/kernels/warp.h"
#include "libcommon/kernels/warp_reference.h"

namespace {

using namespace imgpipe;

Image Frame(int c = 3) {
  Image img;
  img.Allocate(640, 480, c);
  std::mt19937 rng(1);
  for (int y = 0; y < 480; ++y)
    for (int x = 0; x < 640 * c; ++x) img.data[size_t(y) * 640 * c + x] = uint8_t((x / 3 + y) ^ (rng() & 15));
  return img;
}

WarpSpec Rotation(double deg, Interp interp) {
  const double a = deg * M_PI / 180, c = std::cos(a), s = std::sin(a);
  WarpSpec spec;
  spec.inv[0] = c, spec.inv[1] = -s, spec.inv[2] = 320 - c * 320 + s * 240;
  spec.inv[3] = s, spec.inv[4] = c, spec.inv[5] = 240 - s * 320 - c * 240;
  spec.interp = interp;
  return spec;
}

void BM_WarpRotate(benchmark::State& state) {
  const Image src = Frame(int(state.range(1)));
  const WarpSpec spec = Rotation(17, Interp(state.range(0)));
  Image dst;
  for (auto _ : state) Warp(src, spec, 640, 480, &dst);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpRotate)->ArgsProduct({{0, 1, 2}, {1, 3, 4}});

void BM_WarpRotateReference(benchmark::State& state) {
  const Image src = Frame();
  const WarpSpec spec = Rotation(17, Interp::kBilinear);
  Image dst;
  for (auto _ : state) WarpReference(src, spec, 640, 480, &dst);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpRotateReference);

void BM_WarpCropResize224(benchmark::State& state) {
  const Image src = Frame();
  WarpSpec spec;  // a 400x300 crop at (100, 80) to 224x224
  spec.inv[0] = 400.0 / 224, spec.inv[2] = 100, spec.inv[4] = 300.0 / 224, spec.inv[5] = 80;
  Image dst;
  for (auto _ : state) Warp(src, spec, 224, 224, &dst);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpCropResize224);

// The separable path's other cases: a 2x downscale (every source row filtered) and a mirror
// (rows copied through shuffles).
void BM_WarpResizeHalf(benchmark::State& state) {
  const Image src = Frame();
  WarpSpec spec;
  spec.inv[0] = 2, spec.inv[4] = 2;
  Image dst;
  for (auto _ : state) Warp(src, spec, 320, 240, &dst);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpResizeHalf);

void BM_WarpMirror(benchmark::State& state) {
  const Image src = Frame(int(state.range(0)));
  WarpSpec spec;
  spec.inv[0] = -1, spec.inv[2] = 640;
  Image dst;
  for (auto _ : state) Warp(src, spec, 640, 480, &dst);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpMirror)->Arg(1)->Arg(3)->Arg(4);

template <void (*Fn)(Image&, float)>
void BM_Photometric(benchmark::State& state) {
  const Image src = Frame();
  Image img = src;
  for (auto _ : state) {
    img.data = src.data;
    Fn(img, 0.3f);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Photometric<AdjustSaturation>)->Name("BM_Saturation");
BENCHMARK(BM_Photometric<AdjustSaturationReference>)->Name("BM_SaturationReference");
BENCHMARK(BM_Photometric<AdjustHue>)->Name("BM_Hue");
BENCHMARK(BM_Photometric<AdjustHueReference>)->Name("BM_HueReference");
BENCHMARK(BM_Photometric<GaussianBlur>)->Name("BM_Blur_sigma0.3");

// A jitter-like program (brightness table, saturation, hue, contrast table) fused into one pass
// against the same steps run one at a time.
std::vector<ColorStep> JitterSteps() {
  ColorStep lut1, sat, hue, lut2;
  for (int i = 0; i < 256; ++i) lut1.lut[i] = uint8_t(std::min(255, i * 5 / 4)), lut2.lut[i] = uint8_t(i * 3 / 4 + 30);
  sat.kind = ColorStep::kSaturation, sat.value = 1.3f;
  hue.kind = ColorStep::kHue, hue.value = 0.07f;
  return {lut1, sat, hue, lut2};
}

void BM_JitterFused(benchmark::State& state) {
  const Image src = Frame();
  Image img = src;
  const auto steps = JitterSteps();
  for (auto _ : state) {
    img.data = src.data;
    ApplyColorSteps(img, steps);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JitterFused);

void BM_JitterOneByOne(benchmark::State& state) {
  const Image src = Frame();
  Image img = src;
  const auto steps = JitterSteps();
  for (auto _ : state) {
    img.data = src.data;
    for (const ColorStep& st : steps) ApplyColorSteps(img, {st});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JitterOneByOne);

void BM_ColorSums(benchmark::State& state) {
  const Image src = Frame();
  std::array<uint64_t, 3> sums;
  for (auto _ : state) ColorSums(src, &sums), benchmark::DoNotOptimize(sums);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ColorSums);

void BM_ColorHistograms(benchmark::State& state) {
  const Image src = Frame();
  std::array<std::array<uint64_t, 256>, 3> hist;
  for (auto _ : state) ColorHistograms(src, &hist), benchmark::DoNotOptimize(hist);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ColorHistograms);

void BM_Lut(benchmark::State& state) {
  const Image src = Frame();
  Image img = src;
  Lut lut;
  for (int i = 0; i < 256; ++i) lut[i] = uint8_t(255 - i);
  for (auto _ : state) ApplyLut(img, lut);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lut);

}  // namespace

BENCHMARK_MAIN();
