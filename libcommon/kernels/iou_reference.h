// Scalar reference for the IoU kernels: one pair at a time, the definitions in iou.h.
#pragma once

#include "libcommon/kernels/iou.h"

namespace imgpipe {

// One pair; `aspect_*` as in BoxView (read only for CIoU). The SIMD kernel uses this for the
// columns that do not fill a vector, so the two agree bit for bit.
template <typename T>
T IouPairReference(IouKind kind, T ax0, T ay0, T ax1, T ay1, T aspect_a, T bx0, T by0, T bx1,
                   T by1, T aspect_b);

// The whole matrix, pair by pair (no finiteness check).
template <typename T>
void IouMatrixReference(IouKind kind, const BoxView<T>& a, const BoxView<T>& b, T* out);

}  // namespace imgpipe
