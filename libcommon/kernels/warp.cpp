// Projective warp, SIMD via Highway: per output row, N pixels at a time, inverse-mapped.
// This is the float definition (nearest, bicubic, perspective); bilinear affine maps go to the
// fixed-point kernels in warp_bilinear.cpp (see WarpUsesFixedPoint).
//
// The source region the output reads (plus a 4-pixel border made by the border mode) is first
// copied into a padded buffer; every tap then lies inside it after one clamp, so the inner loop
// has no border branches. A gather fetches a whole pixel (4 bytes at a byte offset; the buffer
// has slack for the 3-channel case) and channels are unpacked in registers. Coordinates use
// separate Mul and Add (no FMA) so every target and the scalar reference compute the same floats.

// GCC contracts a * b + c into an FMA where the target has one (its default is
// -ffp-contract=fast even in ISO C++ mode); that would make AVX2 round differently from SSE4
// and from the scalar reference, so the result would depend on the machine. Keep them apart.
#pragma GCC optimize("fp-contract=off")

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/warp.cpp"
#include "libcommon/kernels/warp.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "libcommon/kernels/warp_bilinear.h"

#ifndef IMGPIPE_KERNELS_WARP_SHARED_
#define IMGPIPE_KERNELS_WARP_SHARED_
namespace imgpipe::warp_internal {

constexpr int kPad = 4;  // bicubic at px in (W, W+1) still reads pixel W-1

struct Ctx {
  const uint8_t* buf = nullptr;  // padded source region, rows of stride bytes
  int stride = 0, channels = 0;
  int bx0 = 0, by0 = 0;  // source pixel of the buffer's (0, 0)
  float lo_x = 0, hi_x = 0, lo_y = 0, hi_y = 0;  // clamp range of sample positions (source px)
  float m[9];
  bool persp = false, reflect = false;
  float src_w = 0, src_h = 0;
  Interp interp = Interp::kBilinear;
  int out_w = 0;
};

}  // namespace imgpipe::warp_internal
#endif

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using warp_internal::Ctx;

template <class DF>
HWY_INLINE hn::Vec<DF> ReflectV(DF df, hn::Vec<DF> u, float n) {
  const auto period = hn::Set(df, 2.0f * n);
  auto t = hn::Sub(u, hn::Mul(period, hn::Floor(hn::Div(u, period))));
  return hn::IfThenElse(hn::Gt(t, hn::Set(df, n)), hn::Sub(period, t), t);
}

template <class DF>
HWY_INLINE void CubicWeightsV(DF df, hn::Vec<DF> t, hn::Vec<DF> w[4]) {
  const auto a = hn::Set(df, -0.5f);
  const auto one = hn::Set(df, 1.0f);
  const auto t1 = hn::Add(t, one), s = hn::Sub(one, t);
  const auto a5 = hn::Set(df, 5.0f * -0.5f), a8 = hn::Set(df, 8.0f * -0.5f),
             a4 = hn::Set(df, 4.0f * -0.5f);
  const auto a2 = hn::Set(df, -0.5f + 2.0f), a3 = hn::Set(df, -0.5f + 3.0f);
  w[0] = hn::Sub(hn::Mul(hn::Add(hn::Mul(hn::Sub(hn::Mul(a, t1), a5), t1), a8), t1), a4);
  w[1] = hn::Add(hn::Mul(hn::Mul(hn::Sub(hn::Mul(a2, t), a3), t), t), one);
  w[2] = hn::Add(hn::Mul(hn::Mul(hn::Sub(hn::Mul(a2, s), a3), s), s), one);
  w[3] = hn::Sub(hn::Sub(hn::Sub(one, w[0]), w[1]), w[2]);
}

// One 4-byte pixel per lane from base + offsets (bytes). AVX2's vpgatherdd is microcoded and slow
// on AMD Zen 2 (about 20 cycles for 8 lanes); 8 scalar loads through a small buffer measured up to
// 20% faster there (bicubic; bilinear ~5%). Not measured on Intel. AVX-512 keeps its gather.
template <class DI>
HWY_INLINE hn::Vec<DI> Fetch(DI di, const int32_t* HWY_RESTRICT base, hn::Vec<DI> offsets) {
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
  HWY_ALIGN int32_t off[hn::MaxLanes(di)];
  HWY_ALIGN int32_t val[hn::MaxLanes(di)];
  hn::Store(offsets, di, off);
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(base);
  for (size_t i = 0; i < hn::Lanes(di); ++i) std::memcpy(&val[i], bytes + off[i], 4);
  return hn::Load(di, val);
#else
  return hn::GatherOffset(di, base, offsets);
#endif
}

template <class DI>
HWY_INLINE hn::Vec<DI> Channel(DI di, hn::Vec<DI> g, int c) {
  return hn::And(hn::ShiftRightSame(g, 8 * c), hn::Set(di, 0xFF));
}

void WarpRow(const Ctx& k, int y, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const size_t N = hn::Lanes(df);
  const int C = k.channels;
  const int32_t* base = reinterpret_cast<const int32_t*>(k.buf);
  const float fy = float(y) + 0.5f;
  const auto cu = hn::Set(df, k.m[1] * fy + k.m[2]);
  const auto cv = hn::Set(df, k.m[4] * fy + k.m[5]);
  const auto cw = hn::Set(df, k.m[7] * fy + k.m[8]);
  const auto m0 = hn::Set(df, k.m[0]), m3 = hn::Set(df, k.m[3]), m6 = hn::Set(df, k.m[6]);
  const auto half = hn::Set(df, 0.5f);
  const auto lo_x = hn::Set(df, k.lo_x), hi_x = hn::Set(df, k.hi_x);
  const auto lo_y = hn::Set(df, k.lo_y), hi_y = hn::Set(df, k.hi_y);
  const auto vbx0 = hn::Set(di, k.bx0), vby0 = hn::Set(di, k.by0);
  const auto vC = hn::Set(di, C), vstride = hn::Set(di, k.stride);
  HWY_ALIGN int32_t tmp[hn::MaxLanes(di)];
  for (int x = 0; x < k.out_w; x += int(N)) {
    const auto fx = hn::Add(hn::ConvertTo(df, hn::Iota(di, x)), half);
    auto u = hn::Add(hn::Mul(m0, fx), cu);
    auto v = hn::Add(hn::Mul(m3, fx), cv);
    if (k.persp) {
      const auto w = hn::Add(hn::Mul(m6, fx), cw);
      u = hn::Div(u, w);
      v = hn::Div(v, w);
      const auto behind = hn::Not(hn::Gt(w, hn::Zero(df)));
      u = hn::IfThenElse(behind, hn::Set(df, -1e9f), u);
      v = hn::IfThenElse(behind, hn::Set(df, -1e9f), v);
    }
    if (k.reflect) {
      u = ReflectV(df, u, k.src_w);
      v = ReflectV(df, v, k.src_h);
    }
    auto px = hn::Min(hn::Max(hn::Sub(u, half), lo_x), hi_x);
    auto py = hn::Min(hn::Max(hn::Sub(v, half), lo_y), hi_y);
    hn::Vec<decltype(di)> packed;
    if (k.interp == Interp::kNearest) {
      const auto ix = hn::Sub(hn::ConvertTo(di, hn::Floor(hn::Add(px, half))), vbx0);
      const auto iy = hn::Sub(hn::ConvertTo(di, hn::Floor(hn::Add(py, half))), vby0);
      packed = Fetch(di, base, hn::Add(hn::Mul(iy, vstride), hn::Mul(ix, vC)));
    } else {
      const auto flx = hn::Floor(px), fly = hn::Floor(py);
      const auto tx = hn::Sub(px, flx), ty = hn::Sub(py, fly);
      const auto ix = hn::Sub(hn::ConvertTo(di, flx), vbx0);
      const auto iy = hn::Sub(hn::ConvertTo(di, fly), vby0);
      const auto off = hn::Add(hn::Mul(iy, vstride), hn::Mul(ix, vC));
      hn::Vec<decltype(df)> value[4];
      if (k.interp == Interp::kBilinear) {
        const auto g00 = Fetch(di, base, off);
        const auto g01 = Fetch(di, base, hn::Add(off, vC));
        const auto off1 = hn::Add(off, vstride);
        const auto g10 = Fetch(di, base, off1);
        const auto g11 = Fetch(di, base, hn::Add(off1, vC));
        for (int c = 0; c < C; ++c) {
          const auto p00 = hn::ConvertTo(df, Channel(di, g00, c));
          const auto p01 = hn::ConvertTo(df, Channel(di, g01, c));
          const auto p10 = hn::ConvertTo(df, Channel(di, g10, c));
          const auto p11 = hn::ConvertTo(df, Channel(di, g11, c));
          const auto top = hn::Add(p00, hn::Mul(tx, hn::Sub(p01, p00)));
          const auto bot = hn::Add(p10, hn::Mul(tx, hn::Sub(p11, p10)));
          value[c] = hn::Add(top, hn::Mul(ty, hn::Sub(bot, top)));
        }
      } else {
        hn::Vec<decltype(df)> wx[4], wy[4];
        CubicWeightsV(df, tx, wx);
        CubicWeightsV(df, ty, wy);
        for (int c = 0; c < C; ++c) value[c] = hn::Zero(df);
        auto row_off = hn::Sub(off, hn::Add(vstride, vC));
        for (int dy = 0; dy < 4; ++dy, row_off = hn::Add(row_off, vstride)) {
          hn::Vec<decltype(df)> row[4];
          for (int c = 0; c < C; ++c) row[c] = hn::Zero(df);
          auto tap = row_off;
          for (int dx = 0; dx < 4; ++dx, tap = hn::Add(tap, vC)) {
            const auto g = Fetch(di, base, tap);
            for (int c = 0; c < C; ++c)
              row[c] = hn::Add(row[c], hn::Mul(wx[dx], hn::ConvertTo(df, Channel(di, g, c))));
          }
          for (int c = 0; c < C; ++c) value[c] = hn::Add(value[c], hn::Mul(wy[dy], row[c]));
        }
        for (int c = 0; c < C; ++c)
          value[c] = hn::Min(hn::Max(value[c], hn::Zero(df)), hn::Set(df, 255.0f));
      }
      packed = hn::ConvertTo(di, hn::Add(value[0], half));
      for (int c = 1; c < C; ++c)
        packed = hn::Or(packed, hn::ShiftLeftSame(hn::ConvertTo(di, hn::Add(value[c], half)), 8 * c));
    }
    uint8_t* o = out + size_t(x) * C;
    const bool full = x + int(N) <= k.out_w;
    if (full && C == 4) {
      hn::StoreU(packed, di, reinterpret_cast<int32_t*>(o));
    } else if (full && C == 1) {
      const hn::Rebind<uint8_t, decltype(di)> d8;
      hn::StoreU(hn::DemoteTo(d8, hn::And(packed, hn::Set(di, 0xFF))), d8, o);
    } else {
      hn::Store(packed, di, tmp);
      const int n = std::min(int(N), k.out_w - x);
      for (int i = 0; i < n; ++i) std::memcpy(o + size_t(i) * C, &tmp[i], C);
    }
  }
}

void WarpRows(const Ctx& k, int out_h, uint8_t* out) {
  for (int y = 0; y < out_h; ++y) WarpRow(k, y, out + size_t(y) * k.out_w * k.channels);
}

}  // namespace HWY_NAMESPACE
}  // namespace imgpipe
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe {
HWY_EXPORT(WarpRows);

int BorderIndex(int i, int n, BorderMode border) {
  if (i >= 0 && i < n) return i;
  if (border == BorderMode::kConstant) return -1;
  if (border == BorderMode::kReplicate) return std::clamp(i, 0, n - 1);
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

bool WarpUsesFixedPoint(const Image& src, const WarpSpec& spec, int out_w, int out_h) {
  using warp_fixed::kTermLimit;
  const double* m = spec.inv;
  if (spec.interp != Interp::kBilinear || src.type != SampleType::kU8 || src.channels < 1 ||
      src.channels > 4 || m[6] != 0 || m[7] != 0 || m[8] != 1)
    return false;
  if (src.width <= 0 || src.height <= 0 || src.width >= (1 << 14) || src.height >= (1 << 14) ||
      size_t(src.width) * src.height * src.channels >= (size_t(1) << 31))
    return false;
  for (int i = 0; i < 6; ++i)
    if (!std::isfinite(m[i])) return false;
  // Each term is linear in x (or y): its extremes are at the ends. Checked in double first, so
  // llround never sees a value out of its range.
  const double lim = double(kTermLimit) / 65536.0 - 1;
  const int xe = std::max(out_w - 1, 0), ye = std::max(out_h - 1, 0);
  for (double ma : {m[0], m[3]})
    if (std::abs(ma) * (xe + 0.5) > lim) return false;
  for (int k : {1, 4})
    for (int y : {0, ye})
      if (std::abs(m[k] * (y + 0.5) + m[k + 1] - 0.5) > lim) return false;
  return true;
}

void Warp(const Image& src, const WarpSpec& spec, int out_w, int out_h, Image* dst) {
  using warp_internal::kPad;
  Image out;
  out.Allocate(std::max(out_w, 0), std::max(out_h, 0), src.channels);
  if (out.width == 0 || out.height == 0 || src.width <= 0 || src.height <= 0 ||
      src.type != SampleType::kU8 || src.channels < 1 || src.channels > 4) {
    *dst = std::move(out);
    return;
  }
  if (WarpUsesFixedPoint(src, spec, out_w, out_h)) {
    warp_fixed::WarpBilinearFixed(src, spec, &out);
    *dst = std::move(out);
    return;
  }
  const int W = src.width, H = src.height, C = src.channels;
  warp_internal::Ctx k;
  for (int i = 0; i < 9; ++i) k.m[i] = float(spec.inv[i]);
  k.persp = k.m[6] != 0.0f || k.m[7] != 0.0f || k.m[8] != 1.0f;
  k.reflect = spec.border == BorderMode::kReflect;
  k.src_w = float(W);
  k.src_h = float(H);
  k.interp = spec.interp;
  k.channels = C;
  k.out_w = out.width;

  // The source region the output reads: the hull of the mapped output corners (exact for affine
  // maps and for perspectives that keep the whole output in front), widened for float error and
  // the taps. Anything else (reflect, a corner behind the horizon) reads the whole image. Sample positions
  // are clamped to [x0 + 1, x1 - 2]: beyond that every tap is border, so the value cannot change.
  long x0 = -kPad, x1 = W - 1 + kPad, y0 = -kPad, y1 = H - 1 + kPad;
  if (!k.reflect) {
    double minx = 1e300, maxx = -1e300, miny = 1e300, maxy = -1e300;
    bool ok = true;
    const double* m = spec.inv;
    for (double cx : {0.0, double(out.width)}) {
      for (double cy : {0.0, double(out.height)}) {
        double w = m[6] * cx + m[7] * cy + m[8];
        if (!(w > 1e-9)) ok = false;
        const double u = (m[0] * cx + m[1] * cy + m[2]) / w - 0.5;
        const double v = (m[3] * cx + m[4] * cy + m[5]) / w - 0.5;
        minx = std::min(minx, u), maxx = std::max(maxx, u);
        miny = std::min(miny, v), maxy = std::max(maxy, v);
      }
    }
    if (ok && std::isfinite(minx + maxx + miny + maxy)) {
      auto lo = [](double v, long bound) { return long(std::max(std::floor(v) - 3.0, double(bound))); };
      auto hi = [](double v, long bound) { return long(std::min(std::floor(v) + 4.0, double(bound))); };
      x0 = lo(minx, -kPad), x1 = hi(maxx, W - 1 + kPad);
      y0 = lo(miny, -kPad), y1 = hi(maxy, H - 1 + kPad);
      // A region wholly outside: keep a minimal valid buffer at the nearest edge.
      if (x0 > x1 - 3) x0 = std::min(x0, long(W - 1 + kPad) - 3), x1 = x0 + 3;
      if (y0 > y1 - 3) y0 = std::min(y0, long(H - 1 + kPad) - 3), y1 = y0 + 3;
      if (x1 < x0 + 3) x1 = x0 + 3;
      if (y1 < y0 + 3) y1 = y0 + 3;
    }
  }
  const int bw = int(x1 - x0 + 1), bh = int(y1 - y0 + 1);
  k.bx0 = int(x0);
  k.by0 = int(y0);
  k.stride = bw * C;
  k.lo_x = float(x0 + 1);
  k.hi_x = float(x1 - 2);
  k.lo_y = float(y0 + 1);
  k.hi_y = float(y1 - 2);

  hwy::AlignedFreeUniquePtr<uint8_t[]> buf = hwy::AllocateAligned<uint8_t>(size_t(bw) * bh * C + 8);
  std::memset(buf.get() + size_t(bw) * bh * C, 0, 8);
  std::vector<int> col(bw);
  for (int i = 0; i < bw; ++i) col[i] = BorderIndex(int(x0) + i, W, spec.border);
  // The interior columns [ix_lo, ix_hi) are contiguous in the source: one memcpy per row.
  int ix_lo = bw, ix_hi = 0;
  for (int i = 0; i < bw; ++i)
    if (int(x0) + i >= 0 && int(x0) + i < W) ix_lo = std::min(ix_lo, i), ix_hi = i + 1;
  for (int j = 0; j < bh; ++j) {
    uint8_t* row = buf.get() + size_t(j) * bw * C;
    const int sy = BorderIndex(int(y0) + j, H, spec.border);
    if (sy < 0) {
      for (int i = 0; i < bw; ++i) std::memcpy(row + size_t(i) * C, spec.fill, C);
      continue;
    }
    const uint8_t* srow = src.data.data() + size_t(sy) * W * C;
    for (int i = 0; i < bw; ++i) {
      if (i == ix_lo && ix_hi > ix_lo) {
        std::memcpy(row + size_t(i) * C, srow + size_t(col[i]) * C, size_t(ix_hi - ix_lo) * C);
        i = ix_hi - 1;
        continue;
      }
      if (col[i] < 0) std::memcpy(row + size_t(i) * C, spec.fill, C);
      else std::memcpy(row + size_t(i) * C, srow + size_t(col[i]) * C, C);
    }
  }
  k.buf = buf.get();
  HWY_DYNAMIC_DISPATCH(WarpRows)(k, out.height, out.data.data());
  *dst = std::move(out);
}

}  // namespace imgpipe
#endif  // HWY_ONCE
