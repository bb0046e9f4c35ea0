// Grouping boxes for the metrics.
#include "tools/box-eval/eval_data.h"

#include <algorithm>
#include <numeric>

namespace imgpipe::box_eval {

// A stable counting sort by image, then one by category (LSD radix: the second pass keeps the
// first's order among equal categories). Both keys are dense indices, so this is linear.
std::vector<uint32_t> GroupByCategoryAndImage(const std::vector<EvalBox>& boxes) {
  auto counting_pass = [&](const std::vector<uint32_t>& in, auto key) {
    size_t buckets = 0;
    for (const EvalBox& b : boxes) buckets = std::max<size_t>(buckets, size_t(key(b)) + 1);
    std::vector<uint32_t> start(buckets + 1, 0);
    for (uint32_t i : in) ++start[key(boxes[i]) + 1];
    for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
    std::vector<uint32_t> out(in.size());
    for (uint32_t i : in) out[start[key(boxes[i])]++] = i;
    return out;
  };
  std::vector<uint32_t> order(boxes.size());
  std::iota(order.begin(), order.end(), 0u);
  order = counting_pass(order, [](const EvalBox& b) { return b.image; });
  return counting_pass(order, [](const EvalBox& b) { return b.category; });
}

}  // namespace imgpipe::box_eval
