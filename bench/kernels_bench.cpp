// Google Benchmark of the resize kernels: best Highway target, forced scalar target, 2-D reference.
#include <benchmark/benchmark.h>
#include <hwy/targets.h>

#include <cstdint>
#include <random>

#include "libcommon/image.h"
#include "libcommon/kernels/orient.h"
#include "libcommon/kernels/resize.h"
#include "libcommon/kernels/resize_reference.h"

namespace imgpipe {
namespace {

enum Impl : int64_t { kBest = 0, kScalarTarget = 1, kReference = 2 };
enum Kind : int64_t { kArea = 0, kBilinear = 1 };

const Image& Source(int w, int h) {
  static std::mt19937 rng(42);
  static Image big, small;
  Image& img = w >= 1000 ? big : small;
  if (img.width != w || img.height != h) {
    img.Allocate(w, h, 3);
    // Smooth gradient plus noise, roughly photo-like; content does not change the work done.
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w * 3; ++x) {
        img.data[size_t(y) * w * 3 + x] = uint8_t((x / 3 + y) / 8 + (rng() & 15));
      }
    }
  }
  return img;
}

// Args: src_w, src_h, dst_w, dst_h, kind, impl. Bytes/s counts source bytes read.
void BM_Resize(benchmark::State& state) {
  const Image& src = Source(int(state.range(0)), int(state.range(1)));
  const int dst_w = int(state.range(2)), dst_h = int(state.range(3));
  const auto kind = Kind(state.range(4));
  const auto impl = Impl(state.range(5));
  // Same separable algorithm without SIMD: isolates what the vectors buy over the plan.
  if (impl == kScalarTarget) hwy::SetSupportedTargetsForTest(HWY_BASELINE_SCALAR);
  Image dst;
  for (auto _ : state) {
    dst.width = dst_w;
    dst.height = dst_h;
    if (impl == kReference) {
      (kind == kArea ? ResizeAreaReference : ResizeBilinearReference)(src, &dst);
    } else {
      (kind == kArea ? ResizeArea : ResizeBilinear)(src, &dst);
    }
    benchmark::DoNotOptimize(dst.data.data());
  }
  hwy::SetSupportedTargetsForTest(0);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(src.SizeBytes()));
  static const char* kImplNames[] = {"best-target", "scalar-target", "2d-reference"};
  state.SetLabel(impl == kBest ? hwy::TargetName(hwy::SupportedAndGeneratedTargets()[0])
                               : kImplNames[impl]);
}

void ResizeArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"sw", "sh", "dw", "dh", "bilin", "impl"});
  for (int64_t impl : {kBest, kScalarTarget, kReference}) {
    b->Args({3000, 2000, 256, 171, kArea, impl});      // full-size JPEG -> 256
    b->Args({375, 250, 256, 171, kArea, impl});        // after libjpeg's 1/8 DCT pre-shrink
    b->Args({3000, 2000, 256, 171, kBilinear, impl});  // bilinear shrink (aliases; for speed)
    b->Args({375, 250, 1024, 683, kBilinear, impl});   // bilinear upscale
  }
  b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Resize)->Apply(ResizeArgs);

void BM_Orient(benchmark::State& state) {
  const Image& src = Source(3000, 2000);
  const int o = int(state.range(0));
  for (auto _ : state) {
    Image out = ApplyOrientation(src, o);
    benchmark::DoNotOptimize(out.data.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(src.SizeBytes()));
}
BENCHMARK(BM_Orient)->Arg(2)->Arg(3)->Arg(6)->Arg(8)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace imgpipe

BENCHMARK_MAIN();
