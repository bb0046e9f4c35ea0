// cls-eval: classification metrics from prediction records, with scikit-learn's exact semantics.
#pragma once

#include "libcommon/numpy_math.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

enum class ClsKind {
  kProbs,       // single-label, "probs": {class: p}
  kLogits,      // single-label, "logits": {class: z}
  kTopLabel,    // single-label, only the predicted class "pred"
  kMultiLabel,  // "labels": [...], "probs": independent sigmoid outputs
};
const char* ClsKindName(ClsKind kind);  // "probs", "logits", "pred", "multilabel"

// Every record's truth and scores, in class order.
struct ClsData {
  ClsKind kind = ClsKind::kProbs;
  std::vector<std::string> classes;
  size_t n = 0;
  std::vector<double> scores;  // n x C, row-major (probs or logits); empty for kTopLabel
  std::vector<int32_t> label;  // single-label: true class index per record
  std::vector<int32_t> pred;   // kTopLabel: predicted class index per record
  std::vector<uint8_t> truth;  // multi-label: n x C 0/1 indicator
  size_t C() const { return classes.size(); }
};

// Collects records one at a time. The class order is `classes` when given (--classes FILE),
// else the key order of the first record's probs/logits. Every record must be of the first
// record's kind and name every class exactly once (in any order).
class ClsDataBuilder {
 public:
  explicit ClsDataBuilder(std::vector<std::string> classes = {});
  // `where` names the record in errors ("preds.ndjson:17"). Errors: code "bad-record".
  Status Add(const Record& record, std::string_view where);
  ClsData Finish() && { return std::move(data_); }
  size_t size() const { return data_.n; }

 private:
  Status SetClasses(const Record& scores, std::string_view where, std::string_view key);
  Result<int32_t> ClassIndex(std::string_view raw, std::string_view where, std::string_view key);
  Status ReadScores(const std::string& raw, std::string_view where, std::string_view key);

  ClsData data_;
  bool kind_set_ = false;
  bool classes_given_ = false;
  std::vector<std::pair<std::string, int32_t>> index_;  // sorted by name, for lookup
  std::vector<double> row_;
  std::vector<uint8_t> seen_;
};

struct ClsOptions {
  double eps = 0;        // log_loss clipping; 0: "auto" = machine epsilon of double (sklearn 1.2)
  int top_k = 5;         // top-k accuracy
  double threshold = 0.5;  // multi-label: positive when p >= threshold
  int ece_bins = 15;
};

struct Prf {
  double precision = 0, recall = 0, f1 = 0;
};

struct ClsMetrics {
  ClsKind kind = ClsKind::kProbs;
  std::vector<std::string> classes;
  size_t n = 0;
  double eps = 0;
  bool has_scores = false;
  // Single-label.
  double log_loss = 0;                   // sklearn.metrics.log_loss (clip, renormalise rows)
  bool has_ce_logits = false;
  double cross_entropy_from_logits = 0;  // exact mean of logsumexp(z) - z[true], no clipping
  double accuracy = 0;
  int top_k = 5;
  double top_k_accuracy = 0;
  double ece = 0;
  int ece_bins = 15;
  std::vector<std::vector<int64_t>> confusion;  // [true][pred]
  // Multi-label.
  double bce_mean = 0;
  std::vector<double> bce_per_class;
  double threshold = 0.5;
  double subset_accuracy = 0, hamming_loss = 0;
  // Both.
  std::vector<Prf> per_class;
  std::vector<int64_t> support;
  Prf macro, micro, weighted, samples;
};

// Errors when there is nothing to evaluate (no records) or an option is out of range.
Result<ClsMetrics> ComputeClsMetrics(const ClsData& data, const ClsOptions& options);

// JSON with the field names of the conformance corpus' expected.json (one object, no newline).
std::string ClsMetricsJson(const ClsMetrics& m);
// A readable report: the summary numbers, the per-class table, the confusion matrix.
std::string ClsMetricsTable(const ClsMetrics& m);


struct ClsEvalConfig {
  std::vector<std::string> inputs;  // files; "-" or none: stdin
  std::string classes_file;
  ClsOptions options;
  bool json = false;
  bool skip_bad = false;  // skip bad records (exit 1) instead of stopping (exit 2)
  bool quiet = false;
};

// Reads a --classes file: one class name per line (blank lines ignored), or a JSON array.
Result<std::vector<std::string>> ReadClassesFile(const std::string& path);

// The whole program; returns the exit code.
int RunClsEval(const ClsEvalConfig& config);

}  // namespace imgpipe
