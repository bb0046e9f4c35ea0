// Pascal VOC average precision with the rules of the reference voc_eval.py (py-faster-rcnn).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tools/box-eval/eval_data.h"

namespace imgpipe::box_eval {

struct VocParams {
  bool use_07_metric = false;  // true: VOC2007 11-point AP; false: VOC2010+ all-point AP
  double ovthresh = 0.5;       // a TP needs IoU > ovthresh (strictly)
};

struct VocClass {
  double ap = -1;     // -1 when the class has no non-difficult GT
  size_t npos = 0;    // non-difficult GT
  size_t ndet = 0;    // detections
  // The curve, one point per detection in descending score order.
  std::vector<double> recall, precision, score;
};

struct VocEval {
  VocParams params;
  std::vector<VocClass> classes;  // per EvalDataset category
  double map = -1;                // mean AP over the classes with npos > 0 (np.mean order)
};

// The +1-pixel overlap of voc_eval.py on VOC corners (xmin, ymin, xmax, ymax).
double VocIou(const double* bb, const double* gt);

// The 11-point (VOC2007) or all-point (VOC2010+) AP of a recall/precision curve (voc_ap).
double VocAp(const std::vector<double>& rec, const std::vector<double>& prec, bool use_07_metric);

VocEval EvaluateVoc(const EvalDataset& data, const VocParams& params);

}  // namespace imgpipe::box_eval
