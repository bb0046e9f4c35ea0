// Greedy and Hungarian matching; the Hungarian solver is the classic potentials formulation
// (rows <= columns, shortest augmenting path per row), minimising -weight.
#include "tools/box-iou/matching.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace imgpipe {

namespace {

bool May(const double* iou, int m, int i, int j, double thr, const MatchAllowed& allowed) {
  const double v = iou[size_t(i) * m + j];
  return v >= thr && v > 0 && (!allowed || allowed(i, j));
}

MatchResult Finish(std::vector<int> b_of_a, const double* iou, int n, int m) {
  MatchResult r;
  std::vector<char> b_used(size_t(m), 0);
  for (int i = 0; i < n; ++i) {
    if (b_of_a[i] >= 0) {
      r.pairs.push_back({i, b_of_a[i], iou[size_t(i) * m + b_of_a[i]]});
      b_used[b_of_a[i]] = 1;
    } else {
      r.unmatched_a.push_back(i);
    }
  }
  for (int j = 0; j < m; ++j)
    if (!b_used[j]) r.unmatched_b.push_back(j);
  return r;
}

}  // namespace

MatchResult GreedyMatch(const double* iou, int n, int m, const std::vector<double>& score,
                        double thr, const MatchAllowed& allowed) {
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  if (!score.empty())
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return score[x] > score[y]; });
  std::vector<int> b_of_a(size_t(n), -1);
  std::vector<char> taken(size_t(m), 0);
  for (int i : order) {
    int best = -1;
    for (int j = 0; j < m; ++j) {
      if (taken[j] || !May(iou, m, i, j, thr, allowed)) continue;
      if (best < 0 || iou[size_t(i) * m + j] > iou[size_t(i) * m + best]) best = j;
    }
    if (best >= 0) {
      b_of_a[i] = best;
      taken[best] = 1;
    }
  }
  return Finish(std::move(b_of_a), iou, n, m);
}

MatchResult HungarianMatch(const double* iou, int n, int m, double thr,
                           const MatchAllowed& allowed) {
  std::vector<int> b_of_a(size_t(n), -1);
  if (n == 0 || m == 0) return Finish(std::move(b_of_a), iou, n, m);
  // Rows are the smaller side; weight 0 for pairs that may not match (left unmatched later).
  const bool transpose = n > m;
  const int rows = transpose ? m : n, cols = transpose ? n : m;
  auto weight = [&](int r, int c) {
    const int i = transpose ? c : r, j = transpose ? r : c;
    return May(iou, m, i, j, thr, allowed) ? iou[size_t(i) * m + j] : 0.0;
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(size_t(rows) + 1, 0), v(size_t(cols) + 1, 0), minv(size_t(cols) + 1);
  std::vector<int> p(size_t(cols) + 1, 0), way(size_t(cols) + 1, 0);
  std::vector<char> used(size_t(cols) + 1);
  for (int i = 1; i <= rows; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const double cur = -weight(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) minv[j] = cur, way[j] = j0;
        if (minv[j] < delta) delta = minv[j], j1 = j;
      }
      for (int j = 0; j <= cols; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  for (int j = 1; j <= cols; ++j) {
    if (p[j] == 0) continue;
    const int r = p[j] - 1, c = j - 1;
    if (weight(r, c) <= 0) continue;  // assigned only because every row gets a column
    const int i = transpose ? c : r, bj = transpose ? r : c;
    b_of_a[i] = bj;
  }
  return Finish(std::move(b_of_a), iou, n, m);
}

}  // namespace imgpipe
