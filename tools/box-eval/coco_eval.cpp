// COCOeval, rule for rule: evaluateImg's greedy matching per (image, category, area range),
// accumulate's score-sorted cumulative sums, summarize's means, each in numpy's arithmetic order.
#include "tools/box-eval/coco_eval.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>

namespace imgpipe::box_eval {

namespace {

// maskApi.c bbIou for one pair, in its operation order.
inline double BoxIou(const EvalBox& d, const EvalBox& g, bool crowd) {
  double w = std::fmin(d.w + d.x, g.w + g.x) - std::fmax(d.x, g.x);
  if (w <= 0) return 0;
  double h = std::fmin(d.h + d.y, g.h + g.y) - std::fmax(d.y, g.y);
  if (h <= 0) return 0;
  double i = w * h;
  double da = d.w * d.h;
  double u = crowd ? da : da + g.w * g.h - i;
  return i / u;
}

// Reused buffers of one worker thread: nothing is allocated per detection once they have grown.
struct Scratch {
  std::vector<uint32_t> dts, gts, perm;
  std::vector<double> ious;
  std::vector<uint8_t> gt_ignore, gt_matched;
  // Per category: the kept detections of every image, concatenated in ascending image order.
  std::vector<double> score;
  std::vector<uint32_t> rank;    // position in its image's score order
  std::vector<uint8_t> flags;    // [entry][a][t]: bit 0 matched a GT with id != 0, bit 1 ignored
  std::vector<uint32_t> sorted;  // entries by descending score, stable
  std::vector<uint8_t> sorted_flags;  // flags in `sorted` order
  std::vector<uint32_t> sorted_rank;  // rank in `sorted` order
  // accumulate's true positives for one (area, maxDets), per IoU threshold: the sorted entry
  // and the fp count before it; fp counts; pr (then its suffix maxima) at them.
  std::vector<std::vector<uint32_t>> tp_entry;
  std::vector<std::vector<double>> tp_fp;
  std::vector<double> fp, pr;
};

constexpr uint8_t kMatched = 1, kIgnored = 2;

void EvaluateCategory(const EvalDataset& data, const std::vector<uint32_t>& gt_order,
                      const std::vector<uint32_t>& dt_order, size_t g_begin, size_t g_end,
                      size_t d_begin, size_t d_end, size_t k, CocoEval& ev, Scratch& s) {
  const CocoParams& p = ev.params;
  const size_t T = ev.T, A = ev.A, R = ev.R;
  const size_t max_det = p.max_dets.empty() ? 0 : size_t(std::max(0, p.max_dets.back()));
  std::vector<size_t> npig(A, 0);
  s.score.clear();
  s.rank.clear();
  s.flags.clear();
  bool any_image = false;
  std::vector<double> thr(T);
  for (size_t t = 0; t < T; ++t) thr[t] = std::min(p.iou_thrs[t], 1 - 1e-10);

  size_t gi = g_begin, di = d_begin;
  while (gi < g_end || di < d_end) {
    uint32_t image = UINT32_MAX;
    if (gi < g_end) image = data.gt[gt_order[gi]].image;
    if (di < d_end) image = std::min(image, data.dt[dt_order[di]].image);
    s.gts.clear();
    while (gi < g_end && data.gt[gt_order[gi]].image == image) s.gts.push_back(gt_order[gi++]);
    s.dts.clear();
    while (di < d_end && data.dt[dt_order[di]].image == image) s.dts.push_back(dt_order[di++]);
    any_image = true;  // evaluateImg returns None only when both lists are empty

    // np.argsort(-score, kind='mergesort')[:maxDet]
    std::stable_sort(s.dts.begin(), s.dts.end(),
                     [&](uint32_t a, uint32_t b) { return -data.dt[a].score < -data.dt[b].score; });
    if (s.dts.size() > max_det) s.dts.resize(max_det);
    const size_t D = s.dts.size(), G = s.gts.size();

    s.ious.resize(D * G);
    for (size_t d = 0; d < D; ++d)
      for (size_t g = 0; g < G; ++g) {
        const EvalBox& gb = data.gt[s.gts[g]];
        s.ious[d * G + g] = BoxIou(data.dt[s.dts[d]], gb, gb.crowd);
      }

    size_t base = s.score.size();
    for (size_t d = 0; d < D; ++d) {
      s.score.push_back(data.dt[s.dts[d]].score);
      s.rank.push_back(uint32_t(d));
    }
    s.flags.resize((base + D) * A * T);

    for (size_t a = 0; a < A; ++a) {
      const double lo = p.area_rngs[a].lo, hi = p.area_rngs[a].hi;
      // gt sorted by _ignore (stable): the ones that count first.
      s.perm.clear();
      s.gt_ignore.assign(G, 0);
      for (int pass = 0; pass < 2; ++pass)
        for (size_t g = 0; g < G; ++g) {
          const EvalBox& gb = data.gt[s.gts[g]];
          bool ig = gb.crowd || gb.difficult || gb.area < lo || gb.area > hi;
          if (ig == (pass == 1)) {
            s.gt_ignore[s.perm.size()] = ig;
            s.perm.push_back(uint32_t(g));
            if (!ig) ++npig[a];
          }
        }
      for (size_t t = 0; t < T; ++t) {
        s.gt_matched.assign(G, 0);
        for (size_t d = 0; d < D; ++d) {
          const EvalBox& db = data.dt[s.dts[d]];
          double iou = thr[t];
          long m = -1;
          const double* row = &s.ious[d * G];
          for (size_t q = 0; q < G; ++q) {
            const uint32_t g = s.perm[q];
            if (s.gt_matched[q] && !data.gt[s.gts[g]].crowd) continue;
            if (m > -1 && s.gt_ignore[m] == 0 && s.gt_ignore[q] == 1) break;
            if (row[g] < iou) continue;
            iou = row[g];
            m = long(q);
          }
          uint8_t f = 0;
          if (m != -1) {
            if (s.gt_ignore[m]) f |= kIgnored;
            if (data.gt[s.gts[s.perm[m]]].id != 0) f |= kMatched;
            s.gt_matched[m] = 1;
          }
          // dtm == 0 (unmatched, or matched to a GT whose id is 0) outside the area range.
          if (!(f & kMatched) && (db.area < lo || db.area > hi)) f |= kIgnored;
          s.flags[((base + d) * A + a) * T + t] = f;
        }
      }
    }
  }
  if (!any_image) return;

  // accumulate(): one stable sort of the concatenation per category; the maxDets subsets keep
  // that order, because a stable sort of a subsequence is the subsequence of the stable sort.
  const size_t n = s.score.size();
  s.sorted.resize(n);
  std::iota(s.sorted.begin(), s.sorted.end(), 0u);
  std::stable_sort(s.sorted.begin(), s.sorted.end(),
                   [&](uint32_t a, uint32_t b) { return -s.score[a] < -s.score[b]; });
  // Flags and ranks in score order, so the passes below read memory sequentially.
  const size_t AT = A * T;
  s.sorted_flags.resize(n * AT);
  s.sorted_rank.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const uint32_t e = s.sorted[j];
    std::copy_n(&s.flags[size_t(e) * AT], AT, &s.sorted_flags[j * AT]);
    s.sorted_rank[j] = s.rank[e];
  }
  const double eps = std::nextafter(1.0, 2.0) - 1.0;  // np.spacing(1)
  s.tp_entry.resize(T);
  s.tp_fp.resize(T);
  s.fp.resize(T);
  for (size_t a = 0; a < A; ++a) {
    if (npig[a] == 0) continue;
    for (size_t mi = 0; mi < ev.M; ++mi) {
      const uint32_t md = uint32_t(std::max(0, p.max_dets[mi]));
      // numpy computes rc = tp/npig and pr = tp/(tp+fp+eps) at every kept detection, takes the
      // running max of pr from the right, and reads it at searchsorted(rc, recThrs). rc only
      // rises at a true positive, and between two true positives pr only falls (same tp, growing
      // fp), so every value those reads can see is pr at a true positive, or pr at position 0.
      // One pass collects, per IoU threshold, the true positives (sorted entry, fp before it);
      // pr computed there with numpy's operations gives the same doubles.
      for (size_t t = 0; t < T; ++t) s.tp_entry[t].clear(), s.tp_fp[t].clear(), s.fp[t] = 0;
      uint32_t nd = 0, first_entry = 0;
      for (size_t j = 0; j < n; ++j) {
        if (s.sorted_rank[j] >= md) continue;
        if (nd++ == 0) first_entry = uint32_t(j);
        const uint8_t* f = &s.sorted_flags[j * AT + a * T];
        for (size_t t = 0; t < T; ++t) {
          if (f[t] & kIgnored) continue;
          if (f[t] & kMatched) {
            s.tp_entry[t].push_back(uint32_t(j));
            s.tp_fp[t].push_back(s.fp[t]);
          } else {
            s.fp[t] += 1;
          }
        }
      }
      for (size_t t = 0; t < T; ++t) {
        const std::vector<uint32_t>& entry = s.tp_entry[t];
        const size_t E = entry.size();  // the e-th true positive has tp = e + 1
        ev.Recall(t, k, a, mi) = nd ? double(E) / double(npig[a]) : 0;
        s.pr.resize(E);
        for (size_t e = 0; e < E; ++e) {
          const double tp = double(e + 1);
          s.pr[e] = tp / (s.tp_fp[t][e] + tp + eps);
        }
        for (size_t e = E; e-- > 1;)  // suffix maxima: the precision envelope
          if (s.pr[e] > s.pr[e - 1]) s.pr[e - 1] = s.pr[e];
        // np.searchsorted(rc, recThrs, side='left'); past the end, q and ss stay 0. rc at
        // position 0 is 1/npig when the first kept detection is a true positive, else 0.
        const double rc0 = (E > 0 && entry[0] == first_entry) ? 1 / double(npig[a]) : 0;
        size_t e = 0;
        for (size_t r = 0; r < R; ++r) {
          const double thr = p.rec_thrs[r];
          if (nd > 0 && rc0 >= thr) {  // position 0: pr there is 0 or the first true positive's
            ev.Precision(t, r, k, a, mi) = E > 0 ? s.pr[0] : 0;
            ev.Score(t, r, k, a, mi) = s.score[s.sorted[first_entry]];
            continue;
          }
          while (e < E && double(e + 1) / double(npig[a]) < thr) ++e;
          if (e >= E) {
            for (; r < R; ++r) ev.Precision(t, r, k, a, mi) = 0, ev.Score(t, r, k, a, mi) = 0;
            break;
          }
          ev.Precision(t, r, k, a, mi) = s.pr[e];
          ev.Score(t, r, k, a, mi) = s.score[s.sorted[entry[e]]];
        }
      }
    }
  }
}

}  // namespace

CocoEval EvaluateCoco(const EvalDataset& data, const CocoParams& params) {
  CocoEval ev;
  ev.params = params;
  ev.T = params.iou_thrs.size();
  ev.R = params.rec_thrs.size();
  ev.K = data.categories.size();
  ev.A = params.area_rngs.size();
  ev.M = params.max_dets.size();
  ev.precision.assign(ev.T * ev.R * ev.K * ev.A * ev.M, -1.0);
  ev.scores.assign(ev.precision.size(), -1.0);
  ev.recall.assign(ev.T * ev.K * ev.A * ev.M, -1.0);
  ev.gt_count.assign(ev.K, 0);
  ev.dt_count.assign(ev.K, 0);
  for (const EvalBox& b : data.gt)
    if (!b.crowd && !b.difficult) ++ev.gt_count[b.category];
  for (const EvalBox& b : data.dt) ++ev.dt_count[b.category];

  std::vector<uint32_t> gt_order = GroupByCategoryAndImage(data.gt);
  std::vector<uint32_t> dt_order = GroupByCategoryAndImage(data.dt);
  // [begin, end) of each category in the grouped orders.
  std::vector<size_t> g_begin(ev.K + 1, 0), d_begin(ev.K + 1, 0);
  for (const EvalBox& b : data.gt) ++g_begin[b.category + 1];
  for (const EvalBox& b : data.dt) ++d_begin[b.category + 1];
  for (size_t k = 0; k < ev.K; ++k) g_begin[k + 1] += g_begin[k], d_begin[k + 1] += d_begin[k];

  int threads = params.threads > 0 ? params.threads : int(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, int(ev.K)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    Scratch scratch;
    for (size_t k; (k = next.fetch_add(1)) < ev.K;)
      EvaluateCategory(data, gt_order, dt_order, g_begin[k], g_begin[k + 1], d_begin[k],
                       d_begin[k + 1], k, ev, scratch);
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(work);
    for (auto& th : pool) th.join();
  }

  const int last = params.max_dets.empty() ? 0 : params.max_dets.back();
  const int md0 = params.max_dets.size() > 0 ? params.max_dets[0] : last;
  const int md1 = params.max_dets.size() > 1 ? params.max_dets[1] : last;
  ev.stats = {ev.Summarize(true, -1, "all", last),     ev.Summarize(true, 0.5, "all", last),
              ev.Summarize(true, 0.75, "all", last),   ev.Summarize(true, -1, "small", last),
              ev.Summarize(true, -1, "medium", last),  ev.Summarize(true, -1, "large", last),
              ev.Summarize(false, -1, "all", md0),     ev.Summarize(false, -1, "all", md1),
              ev.Summarize(false, -1, "all", last),    ev.Summarize(false, -1, "small", last),
              ev.Summarize(false, -1, "medium", last), ev.Summarize(false, -1, "large", last)};
  return ev;
}

double CocoEval::Summarize(bool ap, double iou_thr, const std::string& area, int max_dets) const {
  std::vector<size_t> ts, as, ms;
  for (size_t t = 0; t < T; ++t)
    if (iou_thr < 0 || params.iou_thrs[t] == iou_thr) ts.push_back(t);
  for (size_t a = 0; a < A; ++a)
    if (params.area_rngs[a].label == area) as.push_back(a);
  for (size_t m = 0; m < M; ++m)
    if (params.max_dets[m] == max_dets) ms.push_back(m);
  std::vector<double> vals;
  // s[s > -1] in C order: t, (r,) k, then the (area, maxDets) pairs.
  for (size_t t : ts) {
    if (ap) {
      for (size_t r = 0; r < R; ++r)
        for (size_t k = 0; k < K; ++k)
          for (size_t a : as)
            for (size_t m : ms)
              if (double v = Precision(t, r, k, a, m); v > -1) vals.push_back(v);
    } else {
      for (size_t k = 0; k < K; ++k)
        for (size_t a : as)
          for (size_t m : ms)
            if (double v = Recall(t, k, a, m); v > -1) vals.push_back(v);
    }
  }
  return vals.empty() ? -1.0 : NumpyMean(vals);
}

double CocoEval::ClassAp(size_t k, double iou_thr) const {
  if (A == 0 || M == 0) return -1;
  std::vector<double> vals;
  for (size_t t = 0; t < T; ++t) {
    if (iou_thr >= 0 && params.iou_thrs[t] != iou_thr) continue;
    for (size_t r = 0; r < R; ++r)
      if (double v = Precision(t, r, k, 0, M - 1); v > -1) vals.push_back(v);
  }
  return vals.empty() ? -1.0 : NumpyMean(vals);
}

std::array<std::string, 12> StatLabels(const CocoParams& p) {
  const int last = p.max_dets.empty() ? 0 : p.max_dets.back();
  const int md0 = p.max_dets.size() > 0 ? p.max_dets[0] : last;
  const int md1 = p.max_dets.size() > 1 ? p.max_dets[1] : last;
  char range[64] = "";
  if (!p.iou_thrs.empty())
    std::snprintf(range, sizeof range, "%0.2f:%0.2f", p.iou_thrs.front(), p.iou_thrs.back());
  auto line = [&](bool ap, const char* iou, const char* area, int md) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ]",
                  ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iou, area, md);
    return std::string(buf);
  };
  return {line(true, range, "all", last),     line(true, "0.50", "all", last),
          line(true, "0.75", "all", last),    line(true, range, "small", last),
          line(true, range, "medium", last),  line(true, range, "large", last),
          line(false, range, "all", md0),     line(false, range, "all", md1),
          line(false, range, "all", last),    line(false, range, "small", last),
          line(false, range, "medium", last), line(false, range, "large", last)};
}

}  // namespace imgpipe::box_eval
