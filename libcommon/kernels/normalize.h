// Fused resize + crop/letterbox + per-channel normalise + channel order + layout + dtype: pixels
// to a model-ready tensor in one pass over the source (Highway, dynamically dispatched).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/geometry.h"
#include "libcommon/image.h"
#include "libcommon/result.h"

namespace imgpipe {

enum class NormResize {
  kNone,       // keep the source size
  kStretch,    // to exactly width x height, aspect not kept
  kShortSide,  // short side to the target's, aspect kept, then a centre crop to width x height
  kLetterbox,  // long side fits, aspect kept, centred on a pad-filled width x height canvas
};
enum class NormFilter { kAuto, kArea, kBilinear };  // auto: area on an axis that shrinks
enum class NormDtype { kF32, kF16, kBF16, kU8 };

const char* NormDtypeName(NormDtype d);
size_t NormDtypeSize(NormDtype d);

struct NormSpec {
  NormResize resize = NormResize::kNone;
  int width = 0, height = 0;  // target (ignored for kNone)
  NormFilter filter = NormFilter::kAuto;
  bool bgr = false;  // output channel order B,G,R instead of R,G,B
  bool chw = true;   // planar; false: interleaved HWC
  NormDtype dtype = NormDtype::kF32;
  // Per output channel in R,G,B order (they follow their channel under --bgr), in units of the
  // full scale: out = (sample / max_sample - mean) / std. Ignored for u8 output, which stores
  // the resized samples scaled to 0..255 and rounded.
  std::array<double, 3> mean{0, 0, 0};
  std::array<double, 3> std{1, 1, 1};
  double pad = 0;  // letterbox pad, in 0..255 sample units (scaled for u16 sources)
};

// Where the source lands in the output: output pixel (x, y) inside the inner rectangle shows
// resized pixel (x - inner_x + crop_x, y - inner_y + crop_y) of the source resized to
// resized_w x resized_h.
struct NormGeometry {
  int src_w = 0, src_h = 0;
  int out_w = 0, out_h = 0;
  int resized_w = 0, resized_h = 0;
  int crop_x = 0, crop_y = 0;
  int inner_x = 0, inner_y = 0, inner_w = 0, inner_h = 0;
  // A source box maps to x * scale_x + offset_x (likewise y), outer-edge convention.
  double scale_x = 1, scale_y = 1, offset_x = 0, offset_y = 0;
  BoxXYXY MapBox(BoxXYXY b) const {
    return {b.x0 * scale_x + offset_x, b.y0 * scale_y + offset_y, b.x1 * scale_x + offset_x,
            b.y1 * scale_y + offset_y};
  }
};

// Sizes and offsets for a src_w x src_h source; errors ("usage") on non-positive sizes.
Result<NormGeometry> PlanNormGeometry(int src_w, int src_h, const NormSpec& spec);

// Output channels: 3 (gray sources are replicated, alpha is dropped).
inline constexpr int kNormChannels = 3;

// Bytes of the tensor NormalizeImage writes: 3 * out_w * out_h * NormDtypeSize.
size_t NormOutputBytes(const NormGeometry& g, const NormSpec& spec);

// Writes the tensor ([3, H, W] for chw, [H, W, 3] for hwc; f16/bf16 as IEEE binary16 /
// bfloat16 bits, round to nearest even; little-endian) to `out`. `src` is u8 or u16 with 1..4
// channels and the size the geometry was planned for.
void NormalizeImage(const Image& src, const NormSpec& spec, const NormGeometry& g, uint8_t* out);

// Round-to-nearest-even conversions used by the kernel's scalar tails and by tests.
uint16_t FloatToF16Bits(float v);
uint16_t FloatToBF16Bits(float v);
double F16BitsToDouble(uint16_t h);
double BF16BitsToDouble(uint16_t h);

}  // namespace imgpipe
