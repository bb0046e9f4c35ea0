// Fixed-point bilinear warp (warp_bilinear.h), Highway.
//
// Both paths compute, per output pixel and channel, exactly (warp.h has the rule):
//   top = p00 * 128 + (p01 - p00) * fx,  bot = p10 * 128 + (p11 - p10) * fx
//   out = (top * 128 + (bot - top) * fy + 8192) >> 14
// so they agree byte for byte with each other and with WarpReference.
//
// Separable path (m1 == m3 == 0): per column the two taps and fx are fixed, per row the two rows
// and fy; a source row is filtered horizontally once into int16 `top` values (<= 255 * 128) and
// kept in a two-row cache, then each output row is one vertical blend of two cached rows.
//
// General affine path: per row, the x-range whose 2x2 neighbourhood lies inside the image (found
// by binary search: each coordinate is monotonic along a row) runs a SIMD loop with no border
// tests, reading both horizontal taps with one 8-byte load; outside it, with a constant border,
// the x-range whose taps are all outside is filled, and only the thin ring between runs the
// per-tap border code.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/warp_bilinear.cpp"
#include "libcommon/kernels/warp_bilinear.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstring>
#include <vector>

#ifndef IMGPIPE_KERNELS_WARP_BILINEAR_SHARED_
#define IMGPIPE_KERNELS_WARP_BILINEAR_SHARED_
namespace imgpipe::warp_fixed::internal {

// The source index a tap at integer position i reads, or -1 for the constant colour.
inline int MapTap(int64_t i, int n, BorderMode border) {
  if (i >= 0 && i < n) return int(i);
  if (border == BorderMode::kConstant) return -1;
  if (border == BorderMode::kReplicate) return i < 0 ? 0 : n - 1;
  if (n == 1) return 0;
  const int64_t period = 2 * int64_t(n);
  int64_t t = i % period;
  if (t < 0) t += period;
  return int(t < n ? t : period - 1 - t);
}

// One output pixel from its fixed-point sample position, every tap through the border policy.
inline void BorderPixel(const Image& src, const WarpSpec& spec, int64_t U, int64_t V, uint8_t* o) {
  const int C = src.channels;
  const int64_t qu = (U + 256) >> 9, qv = (V + 256) >> 9;
  const int fx = int(qu & 127), fy = int(qv & 127);
  const int x0 = MapTap(qu >> 7, src.width, spec.border), x1 = MapTap((qu >> 7) + 1, src.width, spec.border);
  const int y0 = MapTap(qv >> 7, src.height, spec.border), y1 = MapTap((qv >> 7) + 1, src.height, spec.border);
  const size_t row = size_t(src.width) * C;
  auto at = [&](int x, int y, int c) -> int {
    return x < 0 || y < 0 ? spec.fill[c] : src.data[size_t(y) * row + size_t(x) * C + c];
  };
  for (int c = 0; c < C; ++c) {
    const int p00 = at(x0, y0, c), p01 = at(x1, y0, c), p10 = at(x0, y1, c), p11 = at(x1, y1, c);
    const int top = p00 * 128 + (p01 - p00) * fx, bot = p10 * 128 + (p11 - p10) * fx;
    o[c] = uint8_t((top * 128 + (bot - top) * fy + 8192) >> 14);
  }
}

// [a, b): the x in [0, n) where lo <= ((T[x] + add + 256) >> 16) <= hi, T monotonic.
inline void Range(const int32_t* T, int n, int32_t add, int64_t lo, int64_t hi, int* a, int* b) {
  auto f = [&](int x) { return (int64_t(T[x]) + add + 256) >> 16; };
  auto first = [&](auto pred) {  // first x with pred(x), pred monotonic false..true
    int l = 0, r = n;
    while (l < r) {
      const int m = (l + r) / 2;
      if (pred(m)) r = m;
      else l = m + 1;
    }
    return l;
  };
  if (n == 0 || f(0) <= f(n - 1)) {
    *a = first([&](int x) { return f(x) >= lo; });
    *b = first([&](int x) { return f(x) > hi; });
  } else {
    *a = first([&](int x) { return f(x) <= hi; });
    *b = first([&](int x) { return f(x) < lo; });
  }
  if (*b < *a) *b = *a;
}

}  // namespace imgpipe::warp_fixed::internal
#endif

HWY_BEFORE_NAMESPACE();
namespace imgpipe::warp_fixed {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace internal;

// out[i] = (h0[i] * 128 + (h1[i] - h0[i]) * fy + 8192) >> 14 for n samples.
void VerticalBlend(const int16_t* HWY_RESTRICT h0, const int16_t* HWY_RESTRICT h1, int fy, size_t n,
                   uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<int32_t> d32;
  const hn::Rebind<int16_t, decltype(d32)> d16;
  const hn::Rebind<uint8_t, decltype(d32)> d8;
  const size_t N = hn::Lanes(d32);
  const auto vfy = hn::Set(d32, fy), round = hn::Set(d32, 8192);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto a = hn::PromoteTo(d32, hn::LoadU(d16, h0 + i));
    const auto b = hn::PromoteTo(d32, hn::LoadU(d16, h1 + i));
    const auto r = hn::ShiftRight<14>(hn::Add(hn::Add(hn::ShiftLeft<7>(a), hn::Mul(hn::Sub(b, a), vfy)), round));
    hn::StoreU(hn::DemoteTo(d8, r), d8, out + i);
  }
  for (; i < n; ++i) out[i] = uint8_t((h0[i] * 128 + (h1[i] - h0[i]) * fy + 8192) >> 14);
}

// Byte k (0..7) of each lane's 8 loaded bytes, held as (lo, hi) int32 halves. k is a constant
// once the channel loop over a template C is unrolled.
template <class V>
HWY_INLINE V ByteOf(V lo, V hi, V mask, int k) {
  return k < 4 ? hn::And(hn::ShiftRightSame(lo, 8 * k), mask) : hn::And(hn::ShiftRightSame(hi, 8 * (k - 4)), mask);
}

// Per int32 lane holding two int16 values (lo, hi) and weights (wlo, whi): lo*wlo + hi*whi.
// x86: one pmaddwd (ReorderWidenMulAccumulate is exactly that there); elsewhere spelled out.
template <class DI>
HWY_INLINE hn::Vec<DI> PairDot(DI di, hn::Vec<DI> pairs, hn::Vec<DI> weights) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
  const hn::Repartition<int16_t, DI> d16;
  auto unused = hn::Zero(di);
  return hn::ReorderWidenMulAccumulate(di, hn::BitCast(d16, pairs), hn::BitCast(d16, weights), hn::Zero(di),
                                       unused);
#else
  const auto m = hn::Set(di, 0xFFFF);
  return hn::Add(hn::Mul(hn::And(pairs, m), hn::And(weights, m)),
                 hn::Mul(hn::ShiftRight<16>(pairs), hn::ShiftRight<16>(weights)));
#endif
}

// Interior pixels [xa, xb) of one output row: every tap inside the image, no border tests.
template <int C>
void InteriorRow(const uint8_t* HWY_RESTRICT src, int stride, const int32_t* HWY_RESTRICT Ux,
                 const int32_t* HWY_RESTRICT Vx, int32_t Uy, int32_t Vy, int xa, int xb,
                 uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<int32_t> di;
  const size_t N = hn::Lanes(di);
  HWY_ALIGN int32_t offs[hn::MaxLanes(di)];
  HWY_ALIGN int32_t top[2 * hn::MaxLanes(di)], bot[2 * hn::MaxLanes(di)];
  HWY_ALIGN int32_t tmp[hn::MaxLanes(di)];
  const auto vUy = hn::Set(di, Uy), vVy = hn::Set(di, Vy), r256 = hn::Set(di, 256);
  const auto m127 = hn::Set(di, 127), m255 = hn::Set(di, 255), round = hn::Set(di, 8192);
  const auto vstride = hn::Set(di, stride), vC = hn::Set(di, C);
  int x = xa;
  for (; x + int(N) <= xb; x += int(N)) {
    const auto qu = hn::ShiftRight<9>(hn::Add(hn::Add(hn::LoadU(di, Ux + x), vUy), r256));
    const auto qv = hn::ShiftRight<9>(hn::Add(hn::Add(hn::LoadU(di, Vx + x), vVy), r256));
    const auto fx = hn::And(qu, m127), fy = hn::And(qv, m127);
    // Weight pairs (128 - f, f) for the int16 pair products.
    const auto wx = hn::Or(hn::Sub(hn::Set(di, 128), fx), hn::ShiftLeft<16>(fx));
    const auto wy = hn::Or(hn::Sub(hn::Set(di, 128), fy), hn::ShiftLeft<16>(fy));
    const auto off = hn::Add(hn::Mul(hn::ShiftRight<7>(qv), vstride), hn::Mul(hn::ShiftRight<7>(qu), vC));
    hn::Store(off, di, offs);
    // Both horizontal taps (2C <= 8 bytes) with one load per source row. Lanes' loads go through
    // memory: AVX2's gather is slower than scalar loads on the CPUs measured (see warp.cpp).
    for (size_t i = 0; i < N; ++i) {
      std::memcpy(&top[2 * i], src + offs[i], 8);
      std::memcpy(&bot[2 * i], src + offs[i] + stride, 8);
    }
    hn::Vec<decltype(di)> tlo, thi, blo, bhi;
    hn::LoadInterleaved2(di, top, tlo, thi);
    hn::LoadInterleaved2(di, bot, blo, bhi);
    hn::Vec<decltype(di)> packed = hn::Zero(di);
    for (int c = 0; c < C; ++c) {  // pixel 0 at bytes 0..C-1, pixel 1 at C..2C-1
      const auto p00 = ByteOf(tlo, thi, m255, c), p01 = ByteOf(tlo, thi, m255, C + c);
      const auto p10 = ByteOf(blo, bhi, m255, c), p11 = ByteOf(blo, bhi, m255, C + c);
      // p00 (128 - fx) + p01 fx = p00 128 + (p01 - p00) fx, and likewise vertically (top and
      // bot <= 255 * 128 fit int16): the same integers as the rule.
      const auto t = PairDot(di, hn::Or(p00, hn::ShiftLeft<16>(p01)), wx);
      const auto b = PairDot(di, hn::Or(p10, hn::ShiftLeft<16>(p11)), wx);
      const auto r = hn::ShiftRight<14>(hn::Add(PairDot(di, hn::Or(t, hn::ShiftLeft<16>(b)), wy), round));
      packed = hn::Or(packed, hn::ShiftLeftSame(r, 8 * c));
    }
    uint8_t* o = out + size_t(x) * C;
    if constexpr (C == 4) {
      hn::StoreU(packed, di, reinterpret_cast<int32_t*>(o));
    } else if constexpr (C == 1) {
      const hn::Rebind<uint8_t, decltype(di)> d8;
      hn::StoreU(hn::DemoteTo(d8, packed), d8, o);
    } else {
      hn::Store(packed, di, tmp);
      // 4-byte stores overlap the next pixel, which is written afterwards; the last lane stores
      // only its own C bytes (the row may end the image).
      for (size_t i = 0; i + 1 < N; ++i) std::memcpy(o + i * C, &tmp[i], 4);
      std::memcpy(o + (N - 1) * C, &tmp[N - 1], C);
    }
  }
  for (; x < xb; ++x) {  // the remainder, scalar, same arithmetic
    const int64_t qu = (int64_t(Ux[x]) + Uy + 256) >> 9, qv = (int64_t(Vx[x]) + Vy + 256) >> 9;
    const int fx = int(qu & 127), fy = int(qv & 127);
    const uint8_t* p = src + (qv >> 7) * stride + (qu >> 7) * C;
    for (int c = 0; c < C; ++c) {
      const int top = p[c] * 128 + (p[C + c] - p[c]) * fx;
      const int bot = p[stride + c] * 128 + (p[stride + C + c] - p[stride + c]) * fx;
      out[size_t(x) * C + c] = uint8_t((top * 128 + (bot - top) * fy + 8192) >> 14);
    }
  }
}

// One source row (extended by a border pixel each side, 8 bytes of slack) filtered horizontally:
// h[x C + c] = a[c] 128 + (b[c] - a[c]) fx[x], a and b the two taps. Columns [ca, cb) have
// adjacent taps (b = a + C), read with one 8-byte load; the rest (borders) go scalar.
template <int C>
void HorizontalRow(const uint8_t* HWY_RESTRICT e, const int32_t* HWY_RESTRICT off0,
                   const int32_t* HWY_RESTRICT off1, const int32_t* HWY_RESTRICT fxs, int ow, int ca,
                   int cb, int16_t* HWY_RESTRICT h) {
  auto scalar = [&](int x) {
    const uint8_t *a = e + off0[x], *b = e + off1[x];
    for (int c = 0; c < C; ++c) h[size_t(x) * C + c] = int16_t(a[c] * 128 + (b[c] - a[c]) * fxs[x]);
  };
  for (int x = 0; x < ca; ++x) scalar(x);
  const hn::ScalableTag<int32_t> di;
  const hn::Rebind<int16_t, decltype(di)> d16;
  const size_t N = hn::Lanes(di);
  HWY_ALIGN int32_t pairs[2 * hn::MaxLanes(di)];
  const auto m255 = hn::Set(di, 255);
  int x = ca;
  for (; x + int(N) <= cb; x += int(N)) {
    for (size_t i = 0; i < N; ++i) std::memcpy(&pairs[2 * i], e + off0[x + i], 8);
    hn::Vec<decltype(di)> lo, hi;
    hn::LoadInterleaved2(di, pairs, lo, hi);
    const auto fx = hn::LoadU(di, fxs + x);
    hn::Vec<decltype(d16)> v[4];
    for (int c = 0; c < C; ++c) {
      const auto a = ByteOf(lo, hi, m255, c), b = ByteOf(lo, hi, m255, C + c);
      v[c] = hn::DemoteTo(d16, hn::Add(hn::ShiftLeft<7>(a), hn::Mul(hn::Sub(b, a), fx)));
    }
    int16_t* o = h + size_t(x) * C;
    if constexpr (C == 1) hn::StoreU(v[0], d16, o);
    else if constexpr (C == 2) hn::StoreInterleaved2(v[0], v[1], d16, o);
    else if constexpr (C == 3) hn::StoreInterleaved3(v[0], v[1], v[2], d16, o);
    else hn::StoreInterleaved4(v[0], v[1], v[2], v[3], d16, o);
  }
  for (; x < ow; ++x) scalar(x);
}

// out pixel x = pixel (first - x) of the source row s (a mirrored copy: hflip, crop + hflip).
template <int C>
void ReversedRow(const uint8_t* HWY_RESTRICT s, int first, int ow, uint8_t* HWY_RESTRICT out) {
  int x = 0;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (C == 4) {
    using T = uint32_t;
    const hn::ScalableTag<T> d;
    const int N = int(hn::Lanes(d));
    for (; x + N <= ow; x += N) {  // source pixels first-x-N+1 .. first-x, reversed
      T* dst = reinterpret_cast<T*>(out + size_t(x) * C);
      const T* from = reinterpret_cast<const T*>(s + size_t(first - x - N + 1) * C);
      hn::StoreU(hn::Reverse(d, hn::LoadU(d, from)), d, dst);
    }
  } else if constexpr (C == 3) {
    // 5 pixels per 16-byte shuffle. The load starts one byte before the 5 source pixels (so it
    // never reads past pixel first - x), the store writes one byte past the 5 output pixels (the
    // next chunk or the tail overwrites it).
    const hn::Full128<uint8_t> d;
    HWY_ALIGN static constexpr uint8_t kIdx[16] = {13, 14, 15, 10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3, 0};
    const auto idx = hn::Load(d, kIdx);
    for (; x + 6 <= ow && first - x - 4 >= 1; x += 5) {
      const auto v = hn::LoadU(d, s + size_t(first - x - 4) * 3 - 1);
      hn::StoreU(hn::TableLookupBytes(v, idx), d, out + size_t(x) * 3);
    }
  }
#endif
  for (; x < ow; ++x) std::memcpy(out + size_t(x) * C, s + size_t(first - x) * C, C);
}

void FillPixels(const uint8_t* fill, int C, int n, uint8_t* out) {
  for (int i = 0; i < n; ++i) std::memcpy(out + size_t(i) * C, fill, C);
}

void WarpAffine(const Image& src, const WarpSpec& spec, Image* dst) {
  const int W = src.width, H = src.height, C = src.channels, ow = dst->width, oh = dst->height;
  const double* m = spec.inv;
  std::vector<int32_t> Ux(ow), Vx(ow);
  for (int x = 0; x < ow; ++x) Ux[x] = int32_t(XTerm(m[0], x)), Vx[x] = int32_t(XTerm(m[3], x));
  const bool constant = spec.border == BorderMode::kConstant;
  // The SIMD loop reads 8 bytes from the top-left tap of each row pair: keep the bottom tap row
  // above the last source row (unless C == 4, where 8 bytes are exactly the two pixels).
  const int iy_max = C == 4 ? H - 2 : H - 3;
  const bool simd_ok = size_t(W) * C >= 8;
  const int stride = W * C;
  for (int y = 0; y < oh; ++y) {
    const int32_t Uy = int32_t(YTerm(m[1], m[2], y)), Vy = int32_t(YTerm(m[4], m[5], y));
    uint8_t* row = dst->data.data() + size_t(y) * ow * C;
    auto border = [&](int a, int b) {
      for (int x = a; x < b; ++x) BorderPixel(src, spec, int64_t(Ux[x]) + Uy, int64_t(Vx[x]) + Vy, row + size_t(x) * C);
    };
    // Pixels whose taps touch the image at all, then those whose taps are all inside.
    int ta = 0, tb = ow;
    if (constant) {
      int a1, b1, a2, b2;
      Range(Ux.data(), ow, Uy, -1, W - 1, &a1, &b1);
      Range(Vx.data(), ow, Vy, -1, H - 1, &a2, &b2);
      ta = std::max(a1, a2), tb = std::max(ta, std::min(b1, b2));
    }
    int ia = ta, ib = ta;
    if (simd_ok && iy_max >= 0 && W >= 2) {
      int a1, b1, a2, b2;
      Range(Ux.data(), ow, Uy, 0, W - 2, &a1, &b1);
      Range(Vx.data(), ow, Vy, 0, iy_max, &a2, &b2);
      ia = std::clamp(std::max(a1, a2), ta, tb);
      ib = std::clamp(std::min(b1, b2), ia, tb);
    }
    FillPixels(spec.fill, C, ta, row);
    border(ta, ia);
    switch (C) {
      case 1: InteriorRow<1>(src.data.data(), stride, Ux.data(), Vx.data(), Uy, Vy, ia, ib, row); break;
      case 2: InteriorRow<2>(src.data.data(), stride, Ux.data(), Vx.data(), Uy, Vy, ia, ib, row); break;
      case 3: InteriorRow<3>(src.data.data(), stride, Ux.data(), Vx.data(), Uy, Vy, ia, ib, row); break;
      default: InteriorRow<4>(src.data.data(), stride, Ux.data(), Vx.data(), Uy, Vy, ia, ib, row); break;
    }
    border(ib, tb);
    FillPixels(spec.fill, C, ow - tb, row + size_t(tb) * C);
  }
}

// Axis-aligned maps: m1 == m3 == 0.
void WarpSeparable(const Image& src, const WarpSpec& spec, Image* dst) {
  const int W = src.width, H = src.height, C = src.channels, ow = dst->width, oh = dst->height;
  const double* m = spec.inv;
  const size_t n = size_t(ow) * C;
  // Columns: the two taps (as byte offsets into a row extended by one border pixel each side)
  // and the weight of the right one.
  std::vector<int32_t> o0(ow), o1(ow), fxs(ow);
  const int64_t uy = YTerm(m[1], m[2], 0);  // m1 == 0: the same for every row
  bool straight = true, reversed = true;  // every fx == 0 and the left taps run +1 / -1 inside
  int first = 0;
  auto ext = [&](int64_t i) {  // index into the extended row: -1 and W are border pixels
    const int t = MapTap(i, W, spec.border);
    if (t >= 0) return t + 1;
    return i < 0 ? 0 : W + 1;
  };
  int ca = -1, cb = -1;  // the first run of columns with adjacent taps
  for (int x = 0; x < ow; ++x) {
    const int64_t q = (XTerm(m[0], x) + uy + 256) >> 9;
    const int fx = int(q & 127);
    const int64_t ix = q >> 7;
    const int e0 = ext(ix), e1 = ext(ix + 1);
    o0[x] = e0 * C, o1[x] = e1 * C, fxs[x] = fx;
    if (e1 == e0 + 1) {
      if (ca < 0) ca = x;
      if (cb < 0 || cb == x) cb = x + 1;
    }
    const bool inside = ix >= 0 && ix < W;
    if (x == 0) first = int(ix);
    straight = straight && fx == 0 && inside && ix == first + x;
    reversed = reversed && fx == 0 && inside && ix == first - x;
  }
  if (ca < 0) ca = cb = 0;
  std::vector<uint8_t> extrow(size_t(W + 2) * C + 8);
  std::vector<int16_t> cache[2] = {std::vector<int16_t>(n), std::vector<int16_t>(n)};
  int64_t tag[2] = {INT64_MIN, INT64_MIN};
  constexpr int64_t kFillRow = -1;
  // The horizontally filtered row for source row r (or kFillRow), kept in the slot not `keep`.
  auto hrow = [&](int64_t r, int keep) -> const int16_t* {
    for (int s = 0; s < 2; ++s)
      if (tag[s] == r) return cache[s].data();
    const int s = keep == 0 ? 1 : 0;  // keep == -1: either slot
    int16_t* h = cache[s].data();
    tag[s] = r;
    if (r == kFillRow) {
      for (size_t i = 0; i < n; ++i) h[i] = int16_t(spec.fill[i % C] * 128);
      return h;
    }
    uint8_t* e = extrow.data();
    const uint8_t* srow = src.data.data() + size_t(r) * W * C;
    std::memcpy(e + C, srow, size_t(W) * C);
    if (spec.border == BorderMode::kConstant) {
      std::memcpy(e, spec.fill, C);
      std::memcpy(e + size_t(W + 1) * C, spec.fill, C);
    } else {  // replicate, and reflect ("fedcba|abcdef") agree on the first pixel outside
      std::memcpy(e, srow, C);
      std::memcpy(e + size_t(W + 1) * C, srow + size_t(W - 1) * C, C);
    }
    switch (C) {
      case 1: HorizontalRow<1>(e, o0.data(), o1.data(), fxs.data(), ow, ca, cb, h); break;
      case 2: HorizontalRow<2>(e, o0.data(), o1.data(), fxs.data(), ow, ca, cb, h); break;
      case 3: HorizontalRow<3>(e, o0.data(), o1.data(), fxs.data(), ow, ca, cb, h); break;
      default: HorizontalRow<4>(e, o0.data(), o1.data(), fxs.data(), ow, ca, cb, h); break;
    }
    return h;
  };
  const int64_t vx = XTerm(m[3], 0);  // m3 == 0: the same for every column
  for (int y = 0; y < oh; ++y) {
    const int64_t q = (vx + YTerm(m[4], m[5], y) + 256) >> 9;
    const int fy = int(q & 127);
    const int64_t iy = q >> 7;
    uint8_t* out = dst->data.data() + size_t(y) * n;
    const int r0 = MapTap(iy, H, spec.border);
    if (fy == 0 && r0 >= 0 && iy == r0 && (straight || reversed)) {  // a copy of source pixels
      const uint8_t* s = src.data.data() + size_t(r0) * W * C + size_t(first) * C;
      if (straight) std::memcpy(out, s, n);
      else {
        const uint8_t* srow = src.data.data() + size_t(r0) * W * C;
        switch (C) {
          case 1: ReversedRow<1>(srow, first, ow, out); break;
          case 2: ReversedRow<2>(srow, first, ow, out); break;
          case 3: ReversedRow<3>(srow, first, ow, out); break;
          default: ReversedRow<4>(srow, first, ow, out); break;
        }
      }
      continue;
    }
    const int64_t t0 = r0 < 0 ? kFillRow : r0;
    if (fy == 0) {
      const int16_t* h0 = hrow(t0, -1);
      VerticalBlend(h0, h0, 0, n, out);
      continue;
    }
    const int r1 = MapTap(iy + 1, H, spec.border);
    const int64_t t1 = r1 < 0 ? kFillRow : r1;
    const int16_t* h0 = hrow(t0, tag[0] == t1 ? 0 : tag[1] == t1 ? 1 : -1);
    const int16_t* h1 = hrow(t1, tag[0] == t0 ? 0 : 1);
    VerticalBlend(h0, h1, fy, n, out);
  }
}

void WarpFixed(const Image& src, const WarpSpec& spec, Image* dst) {
  if (spec.inv[1] == 0 && spec.inv[3] == 0) WarpSeparable(src, spec, dst);
  else WarpAffine(src, spec, dst);
}

}  // namespace HWY_NAMESPACE
}  // namespace imgpipe::warp_fixed
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe::warp_fixed {
HWY_EXPORT(WarpFixed);

void WarpBilinearFixed(const Image& src, const WarpSpec& spec, Image* dst) {
  HWY_DYNAMIC_DISPATCH(WarpFixed)(src, spec, dst);
}

}  // namespace imgpipe::warp_fixed
#endif  // HWY_ONCE
