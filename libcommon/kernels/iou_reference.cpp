// Scalar IoU / GIoU / DIoU / CIoU, written in exactly the operation order of the SIMD kernel.
#include "libcommon/kernels/iou_reference.h"

#include <algorithm>

namespace imgpipe {

template <typename T>
T IouPairReference(IouKind kind, T ax0, T ay0, T ax1, T ay1, T aspect_a, T bx0, T by0, T bx1,
                   T by1, T aspect_b) {
  const T zero = T(0);
  const T area_a = std::max(ax1 - ax0, zero) * std::max(ay1 - ay0, zero);
  const T area_b = std::max(bx1 - bx0, zero) * std::max(by1 - by0, zero);
  const T iw = std::max(std::min(ax1, bx1) - std::max(ax0, bx0), zero);
  const T ih = std::max(std::min(ay1, by1) - std::max(ay0, by0), zero);
  const T inter = iw * ih;
  const T uni = (area_a + area_b) - inter;
  const T iou = uni > zero ? inter / uni : zero;
  if (kind == IouKind::kIou) return iou;
  const T cw = std::max(std::max(ax1, bx1) - std::min(ax0, bx0), zero);
  const T ch = std::max(std::max(ay1, by1) - std::min(ay0, by0), zero);
  if (kind == IouKind::kGiou) {
    const T c = cw * ch;
    return c > zero ? iou - (c - uni) / c : iou;
  }
  const T dx = (bx0 + bx1) - (ax0 + ax1);
  const T dy = (by0 + by1) - (ay0 + ay1);
  const T d2 = (dx * dx + dy * dy) * T(0.25);
  const T c2 = cw * cw + ch * ch;
  const T diou = c2 > zero ? iou - d2 / c2 : iou;
  if (kind == IouKind::kDiou) return diou;
  const T da = aspect_b - aspect_a;
  const T v = T(0.40528473456935108578) * (da * da);  // 4 / pi^2
  const T alpha = v > zero ? v / ((T(1) - iou) + v) : zero;
  return diou - alpha * v;
}

template <typename T>
void IouMatrixReference(IouKind kind, const BoxView<T>& a, const BoxView<T>& b, T* out) {
  const bool ciou = kind == IouKind::kCiou;
  for (size_t i = 0; i < a.n; ++i) {
    for (size_t j = 0; j < b.n; ++j) {
      out[i * b.n + j] = IouPairReference<T>(kind, a.x0[i], a.y0[i], a.x1[i], a.y1[i],
                                             ciou ? a.aspect[i] : T(0), b.x0[j], b.y0[j],
                                             b.x1[j], b.y1[j], ciou ? b.aspect[j] : T(0));
    }
  }
}

template float IouPairReference<float>(IouKind, float, float, float, float, float, float, float,
                                       float, float, float);
template double IouPairReference<double>(IouKind, double, double, double, double, double, double,
                                         double, double, double, double);
template void IouMatrixReference<float>(IouKind, const BoxView<float>&, const BoxView<float>&,
                                        float*);
template void IouMatrixReference<double>(IouKind, const BoxView<double>&, const BoxView<double>&,
                                         double*);

}  // namespace imgpipe
