// IoU-family matrices with Highway: one row per box of `a`, vectors across the boxes of `b`.
//
// Why across `b`: a row's box is a broadcast, each column loads four contiguous coordinates of
// the SoA arrays, and the output row is stored contiguously; no gathers, no transposes. Ragged
// ends (Highway 1.0.3 has no LoadN) are done by one overlapping full vector when the row is at
// least a vector long, else by the scalar reference, whose operation order is the kernel's, so
// every target gives the reference's values exactly.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/iou.cpp"
#include "libcommon/kernels/iou.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cmath>
#include <string>

#include "libcommon/kernels/iou_reference.h"

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// A product that the compiler may not fuse with the add or subtract that consumes it. With FMA
// in the target (AVX2, AVX-512) GCC contracts a*b+c into one rounding; the reference (and the
// SSE / scalar targets) round twice, so fused results would differ in the last bit and IoU at a
// matching threshold could depend on the CPU. The empty asm hides the value from contraction
// and costs no instruction.
template <class V>
HWY_INLINE V Product(V a, V b) {
  V p = hn::Mul(a, b);
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128 && \
    (defined(__GNUC__) || defined(__clang__))
  asm("" : "+x"(p.raw));
#endif
  return p;
}

template <IouKind kKind, typename T>
void IouRows(const BoxView<T>& a, const BoxView<T>& b, T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  const size_t m = b.n;
  const auto zero = hn::Zero(d);
  const auto quarter = hn::Set(d, T(0.25));
  const auto one = hn::Set(d, T(1));
  const auto four_over_pi2 = hn::Set(d, T(0.40528473456935108578));
  constexpr bool kCiou = kKind == IouKind::kCiou;
  for (size_t i = 0; i < a.n; ++i) {
    T* HWY_RESTRICT row = out + i * m;
    if (m < N) {
      for (size_t j = 0; j < m; ++j) {
        row[j] = IouPairReference<T>(kKind, a.x0[i], a.y0[i], a.x1[i], a.y1[i],
                                     kCiou ? a.aspect[i] : T(0), b.x0[j], b.y0[j], b.x1[j],
                                     b.y1[j], kCiou ? b.aspect[j] : T(0));
      }
      continue;
    }
    const auto ax0 = hn::Set(d, a.x0[i]);
    const auto ay0 = hn::Set(d, a.y0[i]);
    const auto ax1 = hn::Set(d, a.x1[i]);
    const auto ay1 = hn::Set(d, a.y1[i]);
    const auto area_a = Product(hn::Max(hn::Sub(ax1, ax0), zero), hn::Max(hn::Sub(ay1, ay0), zero));
    const auto acx = hn::Add(ax0, ax1);
    const auto acy = hn::Add(ay0, ay1);
    const auto aspect_a = hn::Set(d, kCiou ? a.aspect[i] : T(0));
    for (size_t j = 0; j < m; j += N) {
      if (j + N > m) j = m - N;  // overlap the last full vector
      const auto bx0 = hn::LoadU(d, b.x0 + j);
      const auto by0 = hn::LoadU(d, b.y0 + j);
      const auto bx1 = hn::LoadU(d, b.x1 + j);
      const auto by1 = hn::LoadU(d, b.y1 + j);
      const auto area_b =
          Product(hn::Max(hn::Sub(bx1, bx0), zero), hn::Max(hn::Sub(by1, by0), zero));
      const auto iw = hn::Max(hn::Sub(hn::Min(ax1, bx1), hn::Max(ax0, bx0)), zero);
      const auto ih = hn::Max(hn::Sub(hn::Min(ay1, by1), hn::Max(ay0, by0)), zero);
      const auto inter = Product(iw, ih);
      const auto uni = hn::Sub(hn::Add(area_a, area_b), inter);
      auto result = hn::IfThenElseZero(hn::Gt(uni, zero), hn::Div(inter, uni));
      if constexpr (kKind != IouKind::kIou) {
        const auto iou = result;
        const auto cw = hn::Max(hn::Sub(hn::Max(ax1, bx1), hn::Min(ax0, bx0)), zero);
        const auto ch = hn::Max(hn::Sub(hn::Max(ay1, by1), hn::Min(ay0, by0)), zero);
        if constexpr (kKind == IouKind::kGiou) {
          const auto c = Product(cw, ch);
          result = hn::IfThenElse(hn::Gt(c, zero), hn::Sub(iou, hn::Div(hn::Sub(c, uni), c)), iou);
        } else {
          const auto dx = hn::Sub(hn::Add(bx0, bx1), acx);
          const auto dy = hn::Sub(hn::Add(by0, by1), acy);
          const auto d2 = hn::Mul(hn::Add(Product(dx, dx), Product(dy, dy)), quarter);
          const auto c2 = hn::Add(Product(cw, cw), Product(ch, ch));
          result = hn::IfThenElse(hn::Gt(c2, zero), hn::Sub(iou, hn::Div(d2, c2)), iou);
          if constexpr (kCiou) {
            const auto da = hn::Sub(hn::LoadU(d, b.aspect + j), aspect_a);
            const auto v = Product(four_over_pi2, hn::Mul(da, da));
            const auto alpha =
                hn::IfThenElseZero(hn::Gt(v, zero), hn::Div(v, hn::Add(hn::Sub(one, iou), v)));
            result = hn::Sub(result, Product(alpha, v));
          }
        }
      }
      hn::StoreU(result, d, row + j);
    }
  }
}

template <typename T>
void IouDispatchKind(IouKind kind, const BoxView<T>& a, const BoxView<T>& b, T* out) {
  switch (kind) {
    case IouKind::kIou: return IouRows<IouKind::kIou>(a, b, out);
    case IouKind::kGiou: return IouRows<IouKind::kGiou>(a, b, out);
    case IouKind::kDiou: return IouRows<IouKind::kDiou>(a, b, out);
    case IouKind::kCiou: return IouRows<IouKind::kCiou>(a, b, out);
  }
}

void IouF32(IouKind kind, const BoxView<float>& a, const BoxView<float>& b, float* out) {
  IouDispatchKind(kind, a, b, out);
}
void IouF64(IouKind kind, const BoxView<double>& a, const BoxView<double>& b, double* out) {
  IouDispatchKind(kind, a, b, out);
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace imgpipe
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe {
HWY_EXPORT(IouF32);
HWY_EXPORT(IouF64);

const char* IouKindName(IouKind kind) {
  switch (kind) {
    case IouKind::kIou: return "iou";
    case IouKind::kGiou: return "giou";
    case IouKind::kDiou: return "diou";
    case IouKind::kCiou: return "ciou";
  }
  return "iou";
}

bool ParseIouKind(std::string_view name, IouKind* kind) {
  for (IouKind k : {IouKind::kIou, IouKind::kGiou, IouKind::kDiou, IouKind::kCiou}) {
    if (name == IouKindName(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

template <typename T>
void BoxArrays<T>::Reserve(size_t n) {
  x0.reserve(n), y0.reserve(n), x1.reserve(n), y1.reserve(n), aspect.reserve(n);
}

template <typename T>
void BoxArrays<T>::Push(T bx0, T by0, T bx1, T by1) {
  x0.push_back(bx0), y0.push_back(by0), x1.push_back(bx1), y1.push_back(by1);
  const T w = bx1 - bx0 > T(0) ? bx1 - bx0 : T(0);
  const T h = by1 - by0 > T(0) ? by1 - by0 : T(0);
  aspect.push_back(std::atan2(w, h));  // atan(w / h); pi/2 for h == 0, 0 for an empty box
}

template <typename T>
void BoxArrays<T>::Clear() {
  x0.clear(), y0.clear(), x1.clear(), y1.clear(), aspect.clear();
}

template struct BoxArrays<float>;
template struct BoxArrays<double>;

template <typename T>
Status CheckFiniteBoxes(const BoxView<T>& boxes, std::string_view side) {
  const T* coords[4] = {boxes.x0, boxes.y0, boxes.x1, boxes.y1};
  static const char* kNames[4] = {"x0", "y0", "x1", "y1"};
  for (size_t i = 0; i < boxes.n; ++i) {
    for (int k = 0; k < 4; ++k) {
      if (!std::isfinite(coords[k][i])) {
        return MakeError("bad-box", std::string(side) + "[" + std::to_string(i) + "]." +
                                        kNames[k] + " is " +
                                        (std::isnan(coords[k][i]) ? "NaN" : "infinite"));
      }
    }
  }
  return Status::Ok();
}
template Status CheckFiniteBoxes<float>(const BoxView<float>&, std::string_view);
template Status CheckFiniteBoxes<double>(const BoxView<double>&, std::string_view);

void IouMatrixUnchecked(IouKind kind, const BoxView<float>& a, const BoxView<float>& b,
                        float* out) {
  if (a.n == 0 || b.n == 0) return;
  HWY_DYNAMIC_DISPATCH(IouF32)(kind, a, b, out);
}
void IouMatrixUnchecked(IouKind kind, const BoxView<double>& a, const BoxView<double>& b,
                        double* out) {
  if (a.n == 0 || b.n == 0) return;
  HWY_DYNAMIC_DISPATCH(IouF64)(kind, a, b, out);
}

template <typename T>
static Status CheckedIou(IouKind kind, const BoxView<T>& a, const BoxView<T>& b, T* out) {
  if (Status s = CheckFiniteBoxes(a, "a"); !s) return s;
  if (Status s = CheckFiniteBoxes(b, "b"); !s) return s;
  IouMatrixUnchecked(kind, a, b, out);
  return Status::Ok();
}
Status IouMatrix(IouKind kind, const BoxView<float>& a, const BoxView<float>& b, float* out) {
  return CheckedIou(kind, a, b, out);
}
Status IouMatrix(IouKind kind, const BoxView<double>& a, const BoxView<double>& b, double* out) {
  return CheckedIou(kind, a, b, out);
}

}  // namespace imgpipe
#endif  // HWY_ONCE
