// Google Benchmark of img-norm's fused kernel: resize+crop+normalise+CHW, the normalise pass alone
// (no resize), and memcpy of the same output size (the memory-bandwidth bound). Bytes/s count
// output bytes, so the normalise-only and memcpy rows compare directly.
#include <benchmark/benchmark.h>
#include <hwy/targets.h>

#include <cstring>
#include <random>
#include <vector>

#include "libcommon/kernels/normalize.h"

namespace imgpipe {
namespace {

Image Source(int w, int h) {
  std::mt19937 rng(7);
  Image img;
  img.Allocate(w, h, 3);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}

NormSpec Spec(NormResize resize, NormDtype dtype, bool chw) {
  NormSpec s;
  s.resize = resize;
  s.width = s.height = 224;
  s.dtype = dtype;
  s.chw = chw;
  s.mean = {0.485, 0.456, 0.406};
  s.std = {0.229, 0.224, 0.225};
  return s;
}

// Args: src_w, src_h, resize, dtype, chw, scalar-target.
void BM_Normalize(benchmark::State& state) {
  const Image src = Source(int(state.range(0)), int(state.range(1)));
  const NormSpec spec = Spec(NormResize(state.range(2)), NormDtype(state.range(3)), state.range(4) != 0);
  if (state.range(5)) hwy::SetSupportedTargetsForTest(HWY_BASELINE_SCALAR);
  auto g = PlanNormGeometry(src.width, src.height, spec).value();
  std::vector<uint8_t> out(NormOutputBytes(g, spec));
  for (auto _ : state) {
    NormalizeImage(src, spec, g, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  hwy::SetSupportedTargetsForTest(0);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(out.size()));
  state.SetLabel(std::string(state.range(5) ? "scalar-target" : hwy::TargetName(hwy::SupportedAndGeneratedTargets()[0])) +
                 " " + NormDtypeName(spec.dtype) + (spec.chw ? " chw" : " hwc"));
}

// memcpy of N bytes (a 3x224x224 f32 tensor is 602112).
void BM_Memcpy(benchmark::State& state) {
  std::vector<uint8_t> a(size_t(state.range(0)), 1), b(size_t(state.range(0)));
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), a.size());
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}

constexpr int kNone = int(NormResize::kNone), kShort = int(NormResize::kShortSide);
constexpr int kF32 = int(NormDtype::kF32), kF16 = int(NormDtype::kF16), kU8 = int(NormDtype::kU8);

BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF32, 1, 0})->Name("normalise_only_224_f32_chw");
BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF32, 0, 0})->Name("normalise_only_224_f32_hwc");
BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF16, 1, 0})->Name("normalise_only_224_f16_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kF32, 1, 0})->Name("resize_crop_norm_500x375_f32_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kF32, 1, 1})->Name("resize_crop_norm_500x375_f32_chw_scalar");
BENCHMARK(BM_Normalize)->Args({1920, 1080, kShort, kF16, 1, 0})->Name("resize_crop_norm_1920x1080_f16_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kU8, 0, 0})->Name("resize_crop_500x375_u8_hwc");
BENCHMARK(BM_Memcpy)->Arg(3 * 224 * 224 * 4)->Name("memcpy_602112");
BENCHMARK(BM_Memcpy)->Arg(3 * 224 * 224 * 2)->Name("memcpy_301056");

}  // namespace
}  // namespace imgpipe

BENCHMARK_MAIN();
