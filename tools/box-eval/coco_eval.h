// COCO detection metrics with pycocotools' COCOeval rules (evaluate + accumulate + summarize).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "libcommon/numpy_math.h"
#include "tools/box-eval/eval_data.h"

namespace imgpipe::box_eval {

struct AreaRange {
  std::string label;
  double lo, hi;
};

struct CocoParams {
  std::vector<double> iou_thrs = NumpyLinspace(0.5, 0.95, 10);
  std::vector<double> rec_thrs = NumpyLinspace(0.0, 1.0, 101);
  std::vector<int> max_dets = {1, 10, 100};  // the last one limits detections per image
  std::vector<AreaRange> area_rngs = {{"all", 0, 1e10},
                                      {"small", 0, 1024},
                                      {"medium", 1024, 9216},
                                      {"large", 9216, 1e10}};
  int threads = 0;  // categories are evaluated in parallel; 0: one thread per core
};

struct CocoEval {
  CocoParams params;
  size_t T = 0, R = 0, K = 0, A = 0, M = 0;
  // pycocotools' eval["precision"] [T][R][K][A][M], eval["recall"] [T][K][A][M] and
  // eval["scores"] [T][R][K][A][M]; -1 where there was nothing to measure. Stored category-major
  // ([K][A][M][T][R]) so each category's worker writes one contiguous block; the accessors take
  // numpy's index order.
  std::vector<double> precision, recall, scores;
  std::vector<size_t> gt_count, dt_count;  // per category: GT (not crowd/difficult), detections
  std::array<double, 12> stats{};          // summarize()

  double& Precision(size_t t, size_t r, size_t k, size_t a, size_t m) {
    return precision[(((k * A + a) * M + m) * T + t) * R + r];
  }
  double Precision(size_t t, size_t r, size_t k, size_t a, size_t m) const {
    return precision[(((k * A + a) * M + m) * T + t) * R + r];
  }
  double& Recall(size_t t, size_t k, size_t a, size_t m) { return recall[((k * A + a) * M + m) * T + t]; }
  double Recall(size_t t, size_t k, size_t a, size_t m) const {
    return recall[((k * A + a) * M + m) * T + t];
  }
  double& Score(size_t t, size_t r, size_t k, size_t a, size_t m) {
    return scores[(((k * A + a) * M + m) * T + t) * R + r];
  }
  double Score(size_t t, size_t r, size_t k, size_t a, size_t m) const {
    return scores[(((k * A + a) * M + m) * T + t) * R + r];
  }

  // summarize()'s _summarize: mean of the entries > -1 (in numpy's C order and summation), or -1.
  // iou_thr < 0: every threshold; a threshold not in params.iou_thrs gives -1.
  double Summarize(bool ap, double iou_thr, const std::string& area, int max_dets) const;
  // A category's AP over the IoU thresholds (area "all" = index 0, the last maxDets), or -1 when
  // it has no GT. iou_thr >= 0 restricts it to that threshold.
  double ClassAp(size_t k, double iou_thr = -1) const;
};

// The summary's 12 lines in pycocotools' words, e.g.
// " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]".
std::array<std::string, 12> StatLabels(const CocoParams& params);

CocoEval EvaluateCoco(const EvalDataset& data, const CocoParams& params);

}  // namespace imgpipe::box_eval
