// One-to-one box matching on an IoU matrix: greedy in score order, or optimal (Kuhn-Munkres).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace imgpipe {

struct MatchPair {
  int a = 0, b = 0;
  double iou = 0;
};

struct MatchResult {
  std::vector<MatchPair> pairs;  // sorted by a
  std::vector<int> unmatched_a, unmatched_b;  // ascending
};

// A pair (i, j) may match when iou[i * m + j] >= thr, iou > 0, and allowed(i, j) (when given;
// e.g. same label).
using MatchAllowed = std::function<bool(int, int)>;

// Greedy: a-boxes in descending `score` (stable: equal scores, and no scores at all, keep input
// order); each takes the free b-box of highest IoU (ties: the lowest index). `score` may be
// empty (input order).
MatchResult GreedyMatch(const double* iou, int n, int m, const std::vector<double>& score,
                        double thr, const MatchAllowed& allowed = nullptr);

// Hungarian: the one-to-one matching of maximum total IoU over the pairs that may match, by
// Kuhn-Munkres with potentials, O(min(n,m)^2 * max(n,m)).
MatchResult HungarianMatch(const double* iou, int n, int m, double thr,
                           const MatchAllowed& allowed = nullptr);

}  // namespace imgpipe
