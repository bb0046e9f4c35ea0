// Google Benchmark of img-norm's fused kernel: resize+crop+normalise+CHW, the normalise pass alone
// (no resize), and memcpy of the same output size (the memory-bandwidth bound). Bytes/s count
// output bytes, so the normalise-only and memcpy rows compare directly; each kernel row also
// times memcpy of its own output size in the same run (thread CPU time, as the machine may be
// shared) and reports pct_of_memcpy = memcpy time / kernel time * 100.
#include <benchmark/benchmark.h>
#include <hwy/targets.h>
#include <time.h>

#include <algorithm>
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

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// CPU seconds per memcpy of `bytes` (best of 5 batches, as the kernel rows run long enough to
// warm up and the machine may be loaded).
double MemcpySeconds(size_t bytes) {
  std::vector<uint8_t> a(bytes, 1), b(bytes);
  const int reps = int(std::max<size_t>(20, (size_t(64) << 20) / std::max<size_t>(bytes, 1)));
  double best = 1e30;
  for (int batch = 0; batch < 5; ++batch) {
    const double t0 = ThreadCpuSeconds();
    for (int i = 0; i < reps; ++i) {
      std::memcpy(b.data(), a.data(), a.size());
      benchmark::DoNotOptimize(b.data());
      benchmark::ClobberMemory();
    }
    best = std::min(best, (ThreadCpuSeconds() - t0) / reps);
  }
  return best;
}

// Args: src_w, src_h, resize, dtype, chw, scalar-target, plan-cache miss on every call
// (alternates two means, so each call rebuilds its per-call tables over the same memory).
void BM_Normalize(benchmark::State& state) {
  const Image src = Source(int(state.range(0)), int(state.range(1)));
  const NormSpec spec = Spec(NormResize(state.range(2)), NormDtype(state.range(3)), state.range(4) != 0);
  NormSpec spec_other = spec;
  spec_other.mean[0] += 1e-3;
  const bool miss = state.range(6) != 0;
  if (state.range(5)) hwy::SetSupportedTargetsForTest(HWY_BASELINE_SCALAR);
  auto g = PlanNormGeometry(src.width, src.height, spec).value();
  std::vector<uint8_t> out(NormOutputBytes(g, spec));
  bool flip = false;
  const double t0 = ThreadCpuSeconds();
  for (auto _ : state) {
    NormalizeImage(src, miss && (flip = !flip) ? spec_other : spec, g, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  const double kernel_s = (ThreadCpuSeconds() - t0) / double(state.iterations());
  hwy::SetSupportedTargetsForTest(0);
  state.counters["pct_of_memcpy"] = 100.0 * MemcpySeconds(out.size()) / kernel_s;
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

BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF32, 1, 0, 0})->Name("normalise_only_224_f32_chw");
BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF32, 1, 0, 1})->Name("normalise_only_224_f32_chw_plan_miss");
BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF32, 0, 0, 0})->Name("normalise_only_224_f32_hwc");
BENCHMARK(BM_Normalize)->Args({224, 224, kNone, kF16, 1, 0, 0})->Name("normalise_only_224_f16_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kF32, 1, 0, 0})->Name("resize_crop_norm_500x375_f32_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kF32, 1, 0, 1})->Name("resize_crop_norm_500x375_f32_chw_plan_miss");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kF32, 1, 1, 0})->Name("resize_crop_norm_500x375_f32_chw_scalar");
BENCHMARK(BM_Normalize)->Args({1920, 1080, kShort, kF16, 1, 0, 0})->Name("resize_crop_norm_1920x1080_f16_chw");
BENCHMARK(BM_Normalize)->Args({500, 375, kShort, kU8, 0, 0, 0})->Name("resize_crop_500x375_u8_hwc");
BENCHMARK(BM_Memcpy)->Arg(3 * 224 * 224 * 4)->Name("memcpy_602112");
BENCHMARK(BM_Memcpy)->Arg(3 * 224 * 224 * 2)->Name("memcpy_301056");

}  // namespace
}  // namespace imgpipe

BENCHMARK_MAIN();
