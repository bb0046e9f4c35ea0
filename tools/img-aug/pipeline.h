// Drawing an op list's random parameters for one record, and applying drawn steps to pixels and boxes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/boxes.h"
#include "libcommon/image.h"
#include "libcommon/kernels/warp.h"
#include "libcommon/result.h"
#include "tools/img-aug/ops.h"

namespace imgpipe::aug {

// One op as applied, with every random choice made (what `aug.ops` holds, and all --replay needs).
struct Step {
  std::string op;
  std::vector<Value> values;
  double Num(std::string_view key, size_t i = 0, double fallback = 0) const;
  const Value* Find(std::string_view key) const;
};

// Row-major 3x3, forward: source point (continuous, pixel edges at integers) -> output point.
struct Mat3 {
  double m[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
};
Mat3 Mul(const Mat3& a, const Mat3& b);  // a after b
Mat3 Inverse(const Mat3& a);

// A geometric step on a w x h image: its matrix and output size.
struct Geom {
  Mat3 m;
  int out_w = 0, out_h = 0;
};
Result<Geom> GeomOf(const Step& step, int w, int h);

enum class BoxRotate { kCorners, kEllipse };

struct ApplyOptions {
  Interp interp = Interp::kBilinear;
  BorderMode border = BorderMode::kConstant;
  uint8_t fill[4] = {0, 0, 0, 0};
  BoxRotate box_rotate = BoxRotate::kCorners;
  double min_visibility = 0;  // drop boxes with less of their (transformed) area left
  double min_area = 0;        // drop boxes smaller than this many square pixels
  std::vector<std::pair<std::string, std::string>> swap_labels;  // applied when mirrored
};

// Draws the steps of `ops` for an image of w x h, keyed by (seed, key, copy): pure, so the same
// inputs give the same steps on any thread, in any order, on any shard.
std::vector<Step> DrawSteps(const OpList& ops, uint64_t seed, uint64_t key, uint32_t copy, int w, int h);

struct DroppedBox {
  size_t index;
  std::string label_json;  // raw JSON of the label, or empty
  double visibility, area;
};

struct ApplyResult {
  Image image;
  std::vector<BoxRecord> boxes;
  std::vector<DroppedBox> dropped;
  bool mirrored = false;
  int warps = 0;  // resample passes made (fused groups)
};

// Applies `steps` to the image and its boxes. Consecutive geometric steps are fused into one
// matrix and resampled once; consecutive LUT-type photometric steps into one table.
Result<ApplyResult> ApplySteps(const std::vector<Step>& steps, Image image,
                               std::vector<BoxRecord> boxes, const ApplyOptions& options);

// Steps <-> the JSON array in `aug.ops`.
std::string StepsToJson(const std::vector<Step>& steps);
Result<std::vector<Step>> StepsFromJson(std::string_view json_array);

}  // namespace imgpipe::aug
