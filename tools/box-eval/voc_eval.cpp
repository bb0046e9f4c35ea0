// voc_eval.py per class: detections by descending score, each against the GT box of its image it
// overlaps most (difficult and already-matched ones included), then voc_ap on the cumulative sums.
#include "tools/box-eval/voc_eval.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>

#include "tools/box-eval/coco_eval.h"

namespace imgpipe::box_eval {

double VocIou(const double* bb, const double* gt) {
  double ixmin = std::max(gt[0], bb[0]);
  double iymin = std::max(gt[1], bb[1]);
  double ixmax = std::min(gt[2], bb[2]);
  double iymax = std::min(gt[3], bb[3]);
  double iw = std::max(ixmax - ixmin + 1., 0.);
  double ih = std::max(iymax - iymin + 1., 0.);
  double inters = iw * ih;
  double uni = (bb[2] - bb[0] + 1.) * (bb[3] - bb[1] + 1.) +
               (gt[2] - gt[0] + 1.) * (gt[3] - gt[1] + 1.) - inters;
  return inters / uni;
}

double VocAp(const std::vector<double>& rec, const std::vector<double>& prec, bool use_07_metric) {
  const size_t n = rec.size();
  if (use_07_metric) {
    double ap = 0.;
    for (int i = 0; i <= 10; ++i) {
      double t = double(i) * 0.1;  // np.arange(0., 1.1, 0.1): 0.30000000000000004, ...
      double p = 0;
      bool any = false;
      for (size_t j = 0; j < n; ++j)
        if (rec[j] >= t) p = any ? std::max(p, prec[j]) : prec[j], any = true;
      ap = ap + p / 11.;
    }
    return ap;
  }
  std::vector<double> mrec(n + 2), mpre(n + 2);
  mrec[0] = 0., mpre[0] = 0.;
  for (size_t j = 0; j < n; ++j) mrec[j + 1] = rec[j], mpre[j + 1] = prec[j];
  mrec[n + 1] = 1., mpre[n + 1] = 0.;
  for (size_t i = n + 1; i > 0; --i) mpre[i - 1] = std::max(mpre[i - 1], mpre[i]);
  std::vector<double> terms;
  for (size_t i = 0; i + 1 < n + 2; ++i)
    if (mrec[i + 1] != mrec[i]) terms.push_back((mrec[i + 1] - mrec[i]) * mpre[i + 1]);
  return NumpySum(terms.data(), terms.size());
}

VocEval EvaluateVoc(const EvalDataset& data, const VocParams& params) {
  VocEval ev;
  ev.params = params;
  const size_t K = data.categories.size();
  ev.classes.assign(K, VocClass{});

  // GT of each (category, image) in file order; detections of each category in file order.
  const std::vector<uint32_t> gt_order = GroupByCategoryAndImage(data.gt);
  std::vector<std::vector<uint32_t>> dets(K);
  for (uint32_t i = 0; i < data.dt.size(); ++i) dets[data.dt[i].category].push_back(i);

  const size_t I = data.images.size();
  std::vector<size_t> first(I + 1);  // GT of the current category per image: [first[i], first[i+1])
  std::vector<uint8_t> matched;
  size_t pos = 0;
  std::vector<double> terms;
  for (size_t k = 0; k < K; ++k) {
    VocClass& vc = ev.classes[k];
    size_t begin = pos;
    while (pos < gt_order.size() && data.gt[gt_order[pos]].category == k) ++pos;
    std::fill(first.begin(), first.end(), 0);
    for (size_t j = begin; j < pos; ++j) {
      const EvalBox& g = data.gt[gt_order[j]];
      ++first[g.image + 1];
      if (!g.difficult && !g.crowd) ++vc.npos;
    }
    for (size_t i = 0; i < I; ++i) first[i + 1] += first[i];
    matched.assign(pos - begin, 0);

    std::vector<uint32_t>& d = dets[k];
    // Scores are sorted descending; ties keep file order (the reference's quicksort has no
    // defined order for ties).
    std::stable_sort(d.begin(), d.end(),
                     [&](uint32_t a, uint32_t b) { return data.dt[a].score > data.dt[b].score; });
    vc.ndet = d.size();
    double tp = 0, fp = 0;
    for (uint32_t di : d) {
      const EvalBox& db = data.dt[di];
      double ovmax = -INFINITY;
      size_t jmax = 0;
      bool nan = false;
      for (size_t j = first[db.image]; j < first[db.image + 1]; ++j) {
        double ov = VocIou(db.voc, data.gt[gt_order[begin + j]].voc);
        if (std::isnan(ov)) nan = true;
        if (j == first[db.image] || ov > ovmax) ovmax = ov, jmax = j;  // np.argmax: first max
      }
      if (nan) ovmax = NAN;  // np.max propagates NaN, and NaN > ovthresh is false
      if (ovmax > params.ovthresh) {
        const EvalBox& g = data.gt[gt_order[begin + jmax]];
        if (!(g.difficult || g.crowd)) {
          if (!matched[jmax]) tp += 1, matched[jmax] = 1;
          else fp += 1;
        }
      } else {
        fp += 1;
      }
      vc.recall.push_back(tp / double(vc.npos));
      vc.precision.push_back(tp / std::max(tp + fp, DBL_EPSILON));
      vc.score.push_back(db.score);
    }
    if (vc.npos > 0) vc.ap = VocAp(vc.recall, vc.precision, params.use_07_metric);
  }
  terms.clear();
  for (const VocClass& vc : ev.classes)
    if (vc.ap > -1) terms.push_back(vc.ap);
  if (!terms.empty()) ev.map = NumpyMean(terms);
  return ev;
}

}  // namespace imgpipe::box_eval
