// IoU matrices between two box sets (IoU, GIoU, DIoU, CIoU), SIMD via Highway, float or double.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

enum class IouKind { kIou, kGiou, kDiou, kCiou };
const char* IouKindName(IouKind kind);          // "iou", "giou", "diou", "ciou"
bool ParseIouKind(std::string_view name, IouKind* kind);

// A read-only view of n boxes as structure-of-arrays, xyxy (x0,y0 top-left, x1,y1 bottom-right).
// `aspect[i]` = atan2(width, height) of box i, read only for CIoU (computed once per box, so the
// kernel needs no vector arctangent and every target sees the same value).
template <typename T>
struct BoxView {
  const T* x0 = nullptr;
  const T* y0 = nullptr;
  const T* x1 = nullptr;
  const T* y1 = nullptr;
  const T* aspect = nullptr;
  size_t n = 0;
  // The boxes from `first` on.
  BoxView Tail(size_t first) const {
    return {x0 + first, y0 + first, x1 + first, y1 + first, aspect ? aspect + first : nullptr,
            n - first};
  }
};

// Owning structure-of-arrays box set.
template <typename T>
struct BoxArrays {
  std::vector<T> x0, y0, x1, y1, aspect;
  size_t size() const { return x0.size(); }
  void Reserve(size_t n);
  void Push(T bx0, T by0, T bx1, T by1);  // also fills aspect
  void Clear();
  BoxView<T> View() const {
    return {x0.data(), y0.data(), x1.data(), y1.data(), aspect.data(), x0.size()};
  }
};

// Definitions shared by the kernel and the reference (per pair a, b):
//   w = max(x1 - x0, 0), h = max(y1 - y0, 0): an inverted box is empty, not negative.
//   inter = max(min(ax1,bx1) - max(ax0,bx0), 0) * max(min(ay1,by1) - max(ay0,by0), 0)
//   union = (area_a + area_b) - inter;   IoU = inter / union, and 0 when union == 0
//   (two empty boxes: 0, never NaN).
//   GIoU = IoU - (C - union) / C with C the enclosing box's area; = IoU when C == 0.
//   DIoU = IoU - d^2 / c^2, d the distance between centres, c the enclosing box's diagonal;
//   = IoU when c == 0.
//   CIoU = DIoU - alpha * v, v = 4/pi^2 (atan2(wb,hb) - atan2(wa,ha))^2,
//   alpha = v / ((1 - IoU) + v), alpha = 0 when v == 0.
// These follow torchvision.ops.{box_iou, generalized_box_iou, distance_box_iou,
// complete_box_iou} without their eps terms.

// Fails (code "bad-box") when any coordinate is NaN or infinite, naming the side and box index;
// the kernel itself never sees a NaN, so a NaN can never turn into a silent 0.
template <typename T>
Status CheckFiniteBoxes(const BoxView<T>& boxes, std::string_view side);

// out[i * b.n + j] = kind(a_i, b_j), row-major a.n x b.n. Checks both sets first.
Status IouMatrix(IouKind kind, const BoxView<float>& a, const BoxView<float>& b, float* out);
Status IouMatrix(IouKind kind, const BoxView<double>& a, const BoxView<double>& b, double* out);

// The same without the finiteness check, for callers that checked once (NMS rows).
void IouMatrixUnchecked(IouKind kind, const BoxView<float>& a, const BoxView<float>& b,
                        float* out);
void IouMatrixUnchecked(IouKind kind, const BoxView<double>& a, const BoxView<double>& b,
                        double* out);

}  // namespace imgpipe
