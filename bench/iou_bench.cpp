// Google Benchmark of the IoU-family matrix kernel: best Highway target, forced scalar target,
// and the pair-by-pair scalar reference, in float and double.
#include <benchmark/benchmark.h>
#include <hwy/targets.h>

#include <cstdint>
#include <random>
#include <vector>

#include "libcommon/kernels/iou.h"
#include "libcommon/kernels/iou_reference.h"

namespace imgpipe {
namespace {

enum Impl : int64_t { kBest = 0, kScalarTarget = 1, kReference = 2 };

template <typename T>
BoxArrays<T> Boxes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> pos(0, 600), size(4, 200);
  BoxArrays<T> b;
  for (size_t i = 0; i < n; ++i) {
    double x = pos(rng), y = pos(rng);
    b.Push(T(x), T(y), T(x + size(rng)), T(y + size(rng)));
  }
  return b;
}

// Args: n (preds), m (gts), kind, impl. Items/s counts IoU values.
template <typename T>
void BM_IouMatrix(benchmark::State& state) {
  const size_t n = size_t(state.range(0)), m = size_t(state.range(1));
  const auto kind = IouKind(state.range(2));
  const auto impl = Impl(state.range(3));
  BoxArrays<T> a = Boxes<T>(n, 1), b = Boxes<T>(m, 2);
  std::vector<T> out(n * m);
  if (impl == kScalarTarget) hwy::SetSupportedTargetsForTest(HWY_BASELINE_SCALAR);
  for (auto _ : state) {
    if (impl == kReference) {
      IouMatrixReference(kind, a.View(), b.View(), out.data());
    } else {
      IouMatrixUnchecked(kind, a.View(), b.View(), out.data());
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  hwy::SetSupportedTargetsForTest(0);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n * m));
  static const char* kImplNames[] = {"best-target", "scalar-target", "reference"};
  state.SetLabel(std::string(IouKindName(kind)) + " " +
                 (impl == kBest ? hwy::TargetName(hwy::SupportedAndGeneratedTargets()[0])
                                : kImplNames[impl]));
}

void Args(benchmark::internal::Benchmark* b) {
  for (int64_t impl : {kBest, kScalarTarget, kReference}) {
    for (int64_t kind : {0, 1, 3}) b->Args({1000, 1000, kind, impl});
    b->Args({100, 30, 0, impl});     // a COCO image: 100 detections x ~7-30 gts
    b->Args({4000, 4000, 0, impl});  // NMS-sized
  }
}

BENCHMARK(BM_IouMatrix<float>)->Apply(Args);
BENCHMARK(BM_IouMatrix<double>)->Apply(Args);

// The finiteness check that precedes every kernel call in the tools.
void BM_CheckFinite(benchmark::State& state) {
  BoxArrays<double> a = Boxes<double>(size_t(state.range(0)), 3);
  for (auto _ : state) benchmark::DoNotOptimize(CheckFiniteBoxes(a.View(), "a").ok());
  state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_CheckFinite)->Arg(1000);

}  // namespace
}  // namespace imgpipe

BENCHMARK_MAIN();
