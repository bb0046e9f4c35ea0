// cls-eval: records -> ClsData -> metrics computed the way scikit-learn 1.2.1 / numpy 1.24 do.
//
// Exactness notes (each one decides the last bits, or more, of a number):
// - Every mean is numpy's pairwise sum divided by the count (NumpyPairwiseSum), and every row sum
//   (log_loss' renormalisation, softmax's denominator) is numpy's pairwise sum over the row.
// - log_loss clips to [eps, 1 - eps] and then divides each row by its sum (sklearn 1.2).
// - F1 = 2 * P * R / (P + R) from the rounded P and R, with 0/0 -> 0 everywhere ("warn").
// - top-k: a stable ascending argsort reversed, so among equal scores the later class ranks
//   higher; argmax (the predicted label) takes the first.
#include "tools/cls-eval/cls_eval.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "libcommon/diagnostics.h"
#include "libcommon/json.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

const char* ClsKindName(ClsKind kind) {
  switch (kind) {
    case ClsKind::kProbs: return "probs";
    case ClsKind::kLogits: return "logits";
    case ClsKind::kTopLabel: return "pred";
    case ClsKind::kMultiLabel: return "multilabel";
  }
  return "probs";
}

namespace {

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : NumpySum(v.data(), v.size()) / double(v.size());
}

std::string Quote(std::string_view s) { return JsonString(s); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reading records.

ClsDataBuilder::ClsDataBuilder(std::vector<std::string> classes) {
  if (!classes.empty()) {
    data_.classes = std::move(classes);
    classes_given_ = true;
    for (size_t i = 0; i < data_.classes.size(); ++i)
      index_.emplace_back(data_.classes[i], int32_t(i));
    std::sort(index_.begin(), index_.end());
  }
}

Status ClsDataBuilder::SetClasses(const Record& scores, std::string_view where,
                                  std::string_view key) {
  for (const Field& f : scores.fields()) {
    if (std::find(data_.classes.begin(), data_.classes.end(), f.key) != data_.classes.end())
      continue;  // a repeated key: the last value wins, as everywhere in the stream
    data_.classes.push_back(f.key);
  }
  if (data_.classes.empty())
    return MakeError("bad-record", std::string(where) + ": `" + std::string(key) +
                                       "` names no class, so there is no class order");
  for (size_t i = 0; i < data_.classes.size(); ++i) index_.emplace_back(data_.classes[i], int32_t(i));
  std::sort(index_.begin(), index_.end());
  return Status::Ok();
}

Result<int32_t> ClsDataBuilder::ClassIndex(std::string_view raw, std::string_view where,
                                           std::string_view key) {
  std::string name;
  if (auto s = DecodeJsonString(raw)) {
    name = *s;
  } else if (DecodeJsonNumber(raw)) {
    name = std::string(raw);  // a numeric label names the class with that text
  } else {
    return MakeError("bad-record", std::string(where) + ": `" + std::string(key) +
                                       "` is not a class name (string): " +
                                       std::string(raw.substr(0, 80)));
  }
  auto it = std::lower_bound(index_.begin(), index_.end(), std::pair<std::string, int32_t>(name, -1));
  if (it == index_.end() || it->first != name)
    return MakeError("bad-record", std::string(where) + ": `" + std::string(key) + "` " +
                                       Quote(name) + " is not one of the " +
                                       std::to_string(data_.classes.size()) + " classes");
  return it->second;
}

Status ClsDataBuilder::ReadScores(const std::string& raw, std::string_view where,
                                  std::string_view key) {
  auto obj = Record::FromJson(raw);
  if (!obj)
    return MakeError("bad-record", std::string(where) + ": `" + std::string(key) +
                                       "` is not an object {class: number}");
  if (!kind_set_ && !classes_given_) {
    if (Status s = SetClasses(*obj, where, key); !s) return s;
  }
  const size_t C = data_.classes.size();
  row_.assign(C, 0.0);
  seen_.assign(C, 0);
  for (const Field& f : obj->fields()) {
    auto it = std::lower_bound(index_.begin(), index_.end(),
                               std::pair<std::string, int32_t>(f.key, -1));
    if (it == index_.end() || it->first != f.key)
      return MakeError("bad-record", std::string(where) + ": `" + std::string(key) + "." +
                                         f.key + "`: not one of the " + std::to_string(C) +
                                         " classes (the class order comes from " +
                                         (classes_given_ ? "--classes" : "the first record") + ")");
    auto v = DecodeJsonNumber(f.raw);
    if (!v || !std::isfinite(*v))
      return MakeError("bad-record", std::string(where) + ": `" + std::string(key) + "." +
                                         f.key + "` is not a finite number: " +
                                         f.raw.substr(0, 40));
    row_[it->second] = *v;
    seen_[it->second] = 1;
  }
  for (size_t c = 0; c < C; ++c) {
    if (!seen_[c])
      return MakeError("bad-record", std::string(where) + ": `" + std::string(key) +
                                         "` lacks class " + Quote(data_.classes[c]));
  }
  data_.scores.insert(data_.scores.end(), row_.begin(), row_.end());
  return Status::Ok();
}

Status ClsDataBuilder::Add(const Record& record, std::string_view where) {
  ClsKind kind;
  const std::string* scores = nullptr;
  const char* scores_key = "probs";
  if (record.Has("labels")) {
    kind = ClsKind::kMultiLabel;
    scores = record.FindRaw("probs");
    if (!scores)
      return MakeError("bad-record", std::string(where) +
                                         ": multi-label record (`labels`) without `probs`");
  } else if (record.Has("label")) {
    if ((scores = record.FindRaw("probs"))) {
      kind = ClsKind::kProbs;
    } else if ((scores = record.FindRaw("logits"))) {
      kind = ClsKind::kLogits;
      scores_key = "logits";
    } else if (record.Has("pred")) {
      kind = ClsKind::kTopLabel;
    } else {
      return MakeError("bad-record", std::string(where) +
                                         ": record has `label` but none of `probs`, `logits`, `pred`");
    }
  } else {
    return MakeError("bad-record", std::string(where) +
                                       ": record has neither `label` (single-label) nor `labels` "
                                       "(multi-label)");
  }
  if (kind_set_ && kind != data_.kind)
    return MakeError("bad-record", std::string(where) + ": a " + ClsKindName(kind) +
                                       " record, but the first record was " +
                                       ClsKindName(data_.kind) + "; one kind per run");
  if (!kind_set_ && kind == ClsKind::kTopLabel && !classes_given_)
    return MakeError("bad-record", std::string(where) +
                                       ": records with only `pred` carry no class order; give "
                                       "--classes FILE");
  if (scores) {
    if (Status s = ReadScores(*scores, where, scores_key); !s) return s;
  }
  data_.kind = kind;
  kind_set_ = true;
  const size_t C = data_.classes.size();
  if (kind == ClsKind::kMultiLabel) {
    auto items = SplitJsonArray(*record.FindRaw("labels"));
    if (!items) {
      data_.scores.resize(data_.scores.size() - C);
      return MakeError("bad-record", std::string(where) + ": `labels` is not an array");
    }
    std::vector<uint8_t> truth(C, 0);
    for (size_t k = 0; k < items->size(); ++k) {
      auto idx = ClassIndex((*items)[k], where, "labels[" + std::to_string(k) + "]");
      if (!idx) {
        data_.scores.resize(data_.scores.size() - C);
        return idx.error();
      }
      truth[*idx] = 1;
    }
    data_.truth.insert(data_.truth.end(), truth.begin(), truth.end());
  } else {
    auto label = ClassIndex(*record.FindRaw("label"), where, "label");
    Result<int32_t> pred = int32_t(0);
    if (label && kind == ClsKind::kTopLabel) pred = ClassIndex(*record.FindRaw("pred"), where, "pred");
    if (!label || !pred) {
      if (scores) data_.scores.resize(data_.scores.size() - C);
      return !label ? label.error() : pred.error();
    }
    data_.label.push_back(*label);
    if (kind == ClsKind::kTopLabel) data_.pred.push_back(*pred);
  }
  ++data_.n;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Metrics.

namespace {

double Divide(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

double F1(double p, double r) {
  double denom = 1.0 * p + r;
  if (denom == 0.0) denom = 1;
  return 2.0 * p * r / denom;
}

// precision_recall_fscore_support from the per-class counts (average=None, micro, macro,
// weighted), zero_division "warn" -> 0.
void FillPrf(const std::vector<int64_t>& tp, const std::vector<int64_t>& pred_sum,
             const std::vector<int64_t>& true_sum, ClsMetrics* m) {
  const size_t C = tp.size();
  m->per_class.assign(C, Prf{});
  m->support = true_sum;
  std::vector<double> p(C), r(C), f(C), w(C), pw(C), rw(C), fw(C);
  int64_t tp_all = 0, pred_all = 0, true_all = 0;
  for (size_t c = 0; c < C; ++c) {
    p[c] = Divide(double(tp[c]), double(pred_sum[c]));
    r[c] = Divide(double(tp[c]), double(true_sum[c]));
    f[c] = F1(p[c], r[c]);
    m->per_class[c] = {p[c], r[c], f[c]};
    w[c] = double(true_sum[c]);
    pw[c] = p[c] * w[c], rw[c] = r[c] * w[c], fw[c] = f[c] * w[c];
    tp_all += tp[c], pred_all += pred_sum[c], true_all += true_sum[c];
  }
  m->macro = {Mean(p), Mean(r), Mean(f)};
  const double mp = Divide(double(tp_all), double(pred_all));
  const double mr = Divide(double(tp_all), double(true_all));
  m->micro = {mp, mr, F1(mp, mr)};
  if (true_all == 0) {
    m->weighted = {0.0, 0.0, 0.0};  // sklearn's special case; with "warn" every value is 0
  } else {
    const double ws = NumpyPairwiseSum(w.data(), C);
    m->weighted = {NumpyPairwiseSum(pw.data(), C) / ws, NumpyPairwiseSum(rw.data(), C) / ws,
                   NumpyPairwiseSum(fw.data(), C) / ws};
  }
}

// -log of the clipped, renormalised probability of class t in row p[0..C).
double LogLossRow(const double* p, size_t C, size_t t, double eps, std::vector<double>& tmp) {
  const double hi = 1.0 - eps;
  tmp.resize(C);
  for (size_t c = 0; c < C; ++c) tmp[c] = std::min(std::max(p[c], eps), hi);
  const double sum = NumpyPairwiseSum(tmp.data(), C);
  return -std::log(tmp[t] / sum);
}

void Softmax(const double* z, size_t C, double* out, double* max_out, double* sum_out) {
  double mx = z[0];
  for (size_t c = 1; c < C; ++c) mx = std::max(mx, z[c]);
  for (size_t c = 0; c < C; ++c) out[c] = std::exp(z[c] - mx);
  const double sum = NumpyPairwiseSum(out, C);
  *max_out = mx;
  *sum_out = sum;
  for (size_t c = 0; c < C; ++c) out[c] /= sum;
}

size_t ArgmaxFirst(const double* s, size_t C) {
  size_t best = 0;
  for (size_t c = 1; c < C; ++c)
    if (s[c] > s[best]) best = c;
  return best;
}

// sklearn's top_k_accuracy_score tie rule: the true class ranks below every higher score and
// below every equal score of a later class.
bool InTopK(const double* s, size_t C, size_t t, int k) {
  size_t ahead = 0;
  for (size_t c = 0; c < C; ++c) {
    if (s[c] > s[t] || (c > t && s[c] == s[t])) ++ahead;
  }
  return ahead < size_t(k);
}

}  // namespace

Result<ClsMetrics> ComputeClsMetrics(const ClsData& d, const ClsOptions& o) {
  if (d.n == 0) return MakeError("empty", "no records to evaluate");
  if (o.top_k < 1) return MakeError("usage", "--top-k must be >= 1");
  if (o.ece_bins < 1) return MakeError("usage", "--ece-bins must be >= 1");
  if (!(o.eps >= 0 && o.eps < 0.5)) return MakeError("usage", "--eps must be in [0, 0.5)");
  ClsMetrics m;
  m.kind = d.kind;
  m.classes = d.classes;
  m.n = d.n;
  m.eps = o.eps > 0 ? o.eps : std::numeric_limits<double>::epsilon();
  m.top_k = o.top_k;
  m.threshold = o.threshold;
  m.ece_bins = o.ece_bins;
  const size_t n = d.n, C = d.C();
  std::vector<double> tmp;

  if (d.kind == ClsKind::kMultiLabel) {
    m.has_scores = true;
    std::vector<double> loss(n * C);
    std::vector<int64_t> tp(C, 0), pred_sum(C, 0), true_sum(C, 0);
    std::vector<double> sp(n), sr(n), sf(n);
    int64_t exact = 0, differ = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t row_tp = 0, row_pred = 0, row_true = 0;
      bool all_equal = true;
      for (size_t c = 0; c < C; ++c) {
        const double p = d.scores[i * C + c];
        const bool y = d.truth[i * C + c] != 0;
        const bool yhat = p >= o.threshold;
        // log_loss on a 1-D column: [1 - p', p'], renormalised by their sum.
        const double q = std::min(std::max(p, m.eps), 1.0 - m.eps);
        const double q0 = 1.0 - q;
        const double s = q0 + q;
        loss[i * C + c] = -std::log((y ? q : q0) / s);
        tp[c] += y && yhat, pred_sum[c] += yhat, true_sum[c] += y;
        row_tp += y && yhat, row_pred += yhat, row_true += y;
        if (y != yhat) all_equal = false, ++differ;
      }
      exact += all_equal;
      sp[i] = Divide(double(row_tp), double(row_pred));
      sr[i] = Divide(double(row_tp), double(row_true));
      sf[i] = F1(sp[i], sr[i]);
    }
    m.bce_mean = Mean(loss);
    m.bce_per_class.resize(C);
    std::vector<double> col(n);
    for (size_t c = 0; c < C; ++c) {
      for (size_t i = 0; i < n; ++i) col[i] = loss[i * C + c];
      m.bce_per_class[c] = Mean(col);
    }
    m.subset_accuracy = double(exact) / double(n);
    m.hamming_loss = double(differ) / (double(n * C) * 1.0);
    FillPrf(tp, pred_sum, true_sum, &m);
    m.samples = {Mean(sp), Mean(sr), Mean(sf)};
    return m;
  }

  // Single-label.
  std::vector<int32_t> pred(n);
  std::vector<double> probs;  // probabilities for log_loss and ECE (softmax for logits)
  if (d.kind != ClsKind::kTopLabel) {
    m.has_scores = true;
    std::vector<double> loss(n), ce;
    probs.resize(n * C);
    if (d.kind == ClsKind::kLogits) {
      m.has_ce_logits = true;
      ce.resize(n);
      for (size_t i = 0; i < n; ++i) {
        double mx, sum;
        Softmax(&d.scores[i * C], C, &probs[i * C], &mx, &sum);
        // scipy.special.logsumexp: log(sum(exp(z - max))) + max.
        ce[i] = (std::log(sum) + mx) - d.scores[i * C + d.label[i]];
      }
      m.cross_entropy_from_logits = Mean(ce);
    } else {
      probs = d.scores;
    }
    size_t top_hits = 0;
    for (size_t i = 0; i < n; ++i) {
      loss[i] = LogLossRow(&probs[i * C], C, size_t(d.label[i]), m.eps, tmp);
      pred[i] = int32_t(ArgmaxFirst(&d.scores[i * C], C));
      top_hits += InTopK(&d.scores[i * C], C, size_t(d.label[i]), o.top_k);
    }
    m.log_loss = Mean(loss);
    m.top_k_accuracy = double(top_hits) / double(n);
  } else {
    pred = d.pred;
  }

  m.confusion.assign(C, std::vector<int64_t>(C, 0));
  std::vector<int64_t> tp(C, 0), pred_sum(C, 0), true_sum(C, 0);
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t t = d.label[i], p = pred[i];
    ++m.confusion[t][p];
    ++true_sum[t], ++pred_sum[p];
    if (t == p) ++tp[t], ++correct;
  }
  m.accuracy = double(correct) / double(n);
  FillPrf(tp, pred_sum, true_sum, &m);

  if (m.has_scores) {
    // ECE (Guo et al. 2017): B equal-width bins (b/B, (b+1)/B] on the top probability;
    // sum over bins of |mean confidence - accuracy| * (bin count / n).
    const int B = o.ece_bins;
    std::vector<double> conf_sum(B, 0), acc_sum(B, 0);
    std::vector<int64_t> count(B, 0);
    for (size_t i = 0; i < n; ++i) {
      const double conf = probs[i * C + ArgmaxFirst(&probs[i * C], C)];
      for (int b = 0; b < B; ++b) {
        if (conf > double(b) / B && conf <= double(b + 1) / B) {
          conf_sum[b] += conf;
          acc_sum[b] += pred[i] == d.label[i];
          ++count[b];
          break;
        }
      }
    }
    double ece = 0;
    for (int b = 0; b < B; ++b) {
      if (count[b] == 0) continue;
      ece += std::fabs(conf_sum[b] / count[b] - acc_sum[b] / count[b]) * (double(count[b]) / n);
    }
    m.ece = ece;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Output.

namespace {

void AppendPrf(std::string* out, const Prf& p) {
  *out += "{\"precision\":" + JsonNumber(p.precision) + ",\"recall\":" + JsonNumber(p.recall) +
          ",\"f1\":" + JsonNumber(p.f1) + "}";
}

}  // namespace

std::string ClsMetricsJson(const ClsMetrics& m) {
  std::string o = "{\"kind\":" + Quote(ClsKindName(m.kind)) + ",\"classes\":[";
  for (size_t c = 0; c < m.classes.size(); ++c) o += (c ? "," : "") + Quote(m.classes[c]);
  o += "],\"n_records\":" + std::to_string(m.n);
  if (m.kind == ClsKind::kMultiLabel) {
    o += ",\"bce_mean\":" + JsonNumber(m.bce_mean) + ",\"bce_eps\":" + JsonNumber(m.eps);
    o += ",\"bce_per_class\":{";
    for (size_t c = 0; c < m.classes.size(); ++c)
      o += (c ? "," : "") + Quote(m.classes[c]) + ":" + JsonNumber(m.bce_per_class[c]);
    o += "},\"threshold\":" + JsonNumber(m.threshold);
    o += ",\"subset_accuracy\":" + JsonNumber(m.subset_accuracy);
    o += ",\"hamming_loss\":" + JsonNumber(m.hamming_loss);
  } else {
    if (m.has_scores)
      o += ",\"log_loss\":" + JsonNumber(m.log_loss) + ",\"log_loss_eps\":" + JsonNumber(m.eps);
    if (m.has_ce_logits)
      o += ",\"cross_entropy_from_logits\":" + JsonNumber(m.cross_entropy_from_logits);
    o += ",\"accuracy\":" + JsonNumber(m.accuracy);
    if (m.has_scores) {
      o += ",\"top" + std::to_string(m.top_k) + "_accuracy\":" + JsonNumber(m.top_k_accuracy);
      o += ",\"ece\":" + JsonNumber(m.ece) + ",\"ece_bins\":" + std::to_string(m.ece_bins);
    }
  }
  o += ",\"per_class\":{";
  for (size_t c = 0; c < m.classes.size(); ++c) {
    const Prf& p = m.per_class[c];
    o += (c ? "," : "") + Quote(m.classes[c]) + ":{\"precision\":" + JsonNumber(p.precision) +
         ",\"recall\":" + JsonNumber(p.recall) + ",\"f1\":" + JsonNumber(p.f1) +
         ",\"support\":" + std::to_string(m.support[c]) + "}";
  }
  o += "},\"macro\":";
  AppendPrf(&o, m.macro);
  o += ",\"micro\":";
  AppendPrf(&o, m.micro);
  o += ",\"weighted\":";
  AppendPrf(&o, m.weighted);
  if (m.kind == ClsKind::kMultiLabel) {
    o += ",\"samples\":";
    AppendPrf(&o, m.samples);
  } else {
    o += ",\"confusion_matrix\":[";
    for (size_t t = 0; t < m.confusion.size(); ++t) {
      o += t ? ",[" : "[";
      for (size_t p = 0; p < m.confusion[t].size(); ++p)
        o += (p ? "," : "") + std::to_string(m.confusion[t][p]);
      o += "]";
    }
    o += "]";
  }
  o += "}";
  return o;
}

std::string ClsMetricsTable(const ClsMetrics& m) {
  std::ostringstream o;
  char buf[256];
  o << m.n << " records, " << m.classes.size() << " classes (" << ClsKindName(m.kind) << ")\n\n";
  auto line = [&](const std::string& name, double v, const std::string& note = "") {
    std::snprintf(buf, sizeof buf, "  %-26s %.6f", name.c_str(), v);
    o << buf << (note.empty() ? "" : "   " + note) << "\n";
  };
  std::snprintf(buf, sizeof buf, "%.3g", m.eps);
  if (m.kind == ClsKind::kMultiLabel) {
    line("binary cross-entropy", m.bce_mean, std::string("mean over records x classes, eps ") + buf);
    line("subset accuracy", m.subset_accuracy);
    line("hamming loss", m.hamming_loss);
    std::snprintf(buf, sizeof buf, "%g", m.threshold);
    o << "  (a class is predicted when p >= " << buf << ")\n";
  } else {
    if (m.has_scores) line("log loss", m.log_loss, std::string("clipped to [eps, 1-eps], eps ") + buf);
    if (m.has_ce_logits) line("cross-entropy (log-softmax)", m.cross_entropy_from_logits, "exact, no clipping");
    line("accuracy", m.accuracy);
    if (m.has_scores) {
      line("top-" + std::to_string(m.top_k) + " accuracy", m.top_k_accuracy);
      line("ECE", m.ece, std::to_string(m.ece_bins) + " equal-width bins on the top probability");
    }
  }
  size_t w = 12;
  for (const auto& c : m.classes) w = std::max(w, c.size());
  o << "\n";
  std::snprintf(buf, sizeof buf, "  %-*s %9s %9s %9s %9s\n", int(w), "class", "precision", "recall", "f1", "support");
  o << buf;
  for (size_t c = 0; c < m.classes.size(); ++c) {
    const Prf& p = m.per_class[c];
    std::snprintf(buf, sizeof buf, "  %-*s %9.4f %9.4f %9.4f %9lld\n", int(w), m.classes[c].c_str(),
                  p.precision, p.recall, p.f1, static_cast<long long>(m.support[c]));
    o << buf;
  }
  long long total = 0;
  for (int64_t s : m.support) total += s;
  auto avg = [&](const char* name, const Prf& p) {
    std::snprintf(buf, sizeof buf, "  %-*s %9.4f %9.4f %9.4f %9lld\n", int(w), name, p.precision,
                  p.recall, p.f1, total);
    o << buf;
  };
  o << "\n";
  avg("macro avg", m.macro);
  avg("micro avg", m.micro);
  avg("weighted avg", m.weighted);
  if (m.kind == ClsKind::kMultiLabel) avg("samples avg", m.samples);
  if (!m.confusion.empty() && m.classes.size() <= 40) {
    o << "\nconfusion matrix (rows: true class, columns: predicted, in class order)\n";
    size_t cw = 5;
    for (const auto& row : m.confusion)
      for (int64_t v : row) cw = std::max(cw, std::to_string(v).size() + 1);
    for (size_t t = 0; t < m.confusion.size(); ++t) {
      std::snprintf(buf, sizeof buf, "  %-*s", int(w), m.classes[t].c_str());
      o << buf;
      for (int64_t v : m.confusion[t]) {
        std::snprintf(buf, sizeof buf, "%*lld", int(cw), static_cast<long long>(v));
        o << buf;
      }
      o << "\n";
    }
  }
  return o.str();
}

// ---------------------------------------------------------------------------------------------
// The program.

Result<std::vector<std::string>> ReadClassesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError("io", path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<std::string> classes;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    if (Status s = ValidateJson(text); !s) return MakeError("usage", path + ": " + s.error().message);
    auto items = SplitJsonArray(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
    if (!items) return MakeError("usage", path + ": not a JSON array");
    for (auto item : *items) {
      auto s = DecodeJsonString(item);
      if (!s) return MakeError("usage", path + ": class names must be strings");
      classes.push_back(*s);
    }
  } else {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
      if (!line.empty()) classes.push_back(line);
    }
  }
  if (classes.empty()) return MakeError("usage", path + ": no class names");
  std::vector<std::string> sorted = classes;
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) return MakeError("usage", path + ": class " + Quote(*dup) + " is listed twice");
  return classes;
}

namespace {

Result<std::string> ReadAll(const std::string& path) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("io", path + ": cannot open: " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      std::string msg = path + ": read error: " + std::strerror(errno);
      if (fd != STDIN_FILENO) ::close(fd);
      return MakeError("io", msg);
    }
    if (r == 0) break;
    data.append(buf, size_t(r));
  }
  if (fd != STDIN_FILENO) ::close(fd);
  return data;
}

struct Counts {
  uint64_t records = 0, skipped_bad = 0, skipped_upstream = 0;
};

// One record: upstream errors and (with --skip-bad) bad records are counted and skipped.
Status Feed(ClsDataBuilder& builder, const Record& record, const std::string& where,
            const ClsEvalConfig& config, Counts& counts) {
  ++counts.records;
  if (record.Has("error")) {
    ++counts.skipped_upstream;
    return Status::Ok();
  }
  Status s = builder.Add(record, where);
  if (!s && config.skip_bad) {
    if (!config.quiet && counts.skipped_bad < 5) ReportWarning("cls-eval", s.error().message + " (skipped)");
    ++counts.skipped_bad;
    return Status::Ok();
  }
  return s;
}

Status ReadInput(const std::string& path, ClsDataBuilder& builder, const ClsEvalConfig& config,
                 Counts& counts) {
  auto data = ReadAll(path);
  if (!data) return data.error();
  const std::string name = path == "-" ? "stdin" : path;
  if (!data->empty() && uint8_t((*data)[0]) == 0x89) {
    // Binary frames: hand the bytes to the stream reader through an in-memory file.
    int fd = memfd_create("cls-eval", MFD_CLOEXEC);
    if (fd < 0) return MakeError("io", std::string("memfd_create: ") + std::strerror(errno));
    size_t off = 0;
    while (off < data->size()) {
      ssize_t w = ::write(fd, data->data() + off, data->size() - off);
      if (w <= 0) {
        ::close(fd);
        return MakeError("io", "memfd write failed");
      }
      off += size_t(w);
    }
    ::lseek(fd, 0, SEEK_SET);
    ReaderOptions options;
    options.tool = "cls-eval";
    RecordReader reader(fd, name, options);
    Record record;
    for (uint64_t k = 1;; ++k) {
      auto more = reader.Next(&record);
      if (!more) {
        ::close(fd);
        return more.error();
      }
      if (!*more) break;
      if (Status s = Feed(builder, record, name + ": record " + std::to_string(k), config, counts); !s) {
        ::close(fd);
        return s;
      }
    }
    ::close(fd);
    return Status::Ok();
  }
  std::string_view text = *data;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string where = name + ":" + std::to_string(line_no);
    auto record = Record::FromJson(line);
    if (!record) {
      Status bad = MakeError("bad-json", where + ": not a JSON object: " + record.error().message);
      if (config.skip_bad) {
        ++counts.records;
        ++counts.skipped_bad;
        if (!config.quiet && counts.skipped_bad <= 5) ReportWarning("cls-eval", bad.error().message + " (skipped)");
        continue;
      }
      return bad;
    }
    if (Status s = Feed(builder, *record, where, config, counts); !s) return s;
  }
  return Status::Ok();
}

}  // namespace

int RunClsEval(const ClsEvalConfig& config) {
  std::vector<std::string> classes;
  if (!config.classes_file.empty()) {
    auto c = ReadClassesFile(config.classes_file);
    if (!c) {
      ReportError("cls-eval", c.error().message);
      return kExitUsage;
    }
    classes = std::move(c.value());
  }
  ClsDataBuilder builder(std::move(classes));
  Counts counts;
  std::vector<std::string> inputs = config.inputs;
  if (inputs.empty()) inputs.push_back("-");
  for (const std::string& path : inputs) {
    if (Status s = ReadInput(path, builder, config, counts); !s) {
      ReportError("cls-eval", s.error().message);
      return kExitUsage;
    }
  }
  ClsData data = std::move(builder).Finish();
  auto metrics = ComputeClsMetrics(data, config.options);
  if (!metrics) {
    ReportError("cls-eval", metrics.error().message +
                                (counts.records ? " (" + std::to_string(counts.records) +
                                                      " records read, none usable)"
                                                : ""));
    return kExitUsage;
  }
  std::string out = config.json ? ClsMetricsJson(*metrics) + "\n" : ClsMetricsTable(*metrics);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  const uint64_t skipped = counts.skipped_bad + counts.skipped_upstream;
  if (!config.quiet) {
    std::string summary = std::to_string(counts.records) + " records, " +
                          std::to_string(data.n) + " evaluated";
    if (counts.skipped_upstream)
      summary += ", " + std::to_string(counts.skipped_upstream) + " skipped (carried `error`)";
    if (counts.skipped_bad) summary += ", " + std::to_string(counts.skipped_bad) + " skipped (bad)";
    Report("cls-eval", skipped ? Severity::kWarning : Severity::kNote, summary);
  }
  return skipped ? kExitSomeFailed : kExitOk;
}

}  // namespace imgpipe
