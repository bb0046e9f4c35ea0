// cls-eval: hand-computed metrics, scikit-learn's edge-case rules, bad-input errors, and the
// conformance corpus (every number of ../shared/corpus/cls-eval/*/expected.json).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cls-eval/cls_eval.h"

namespace imgpipe {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

Result<ClsData> Build(const std::vector<std::string>& lines, std::vector<std::string> classes = {}) {
  ClsDataBuilder builder(std::move(classes));
  for (size_t i = 0; i < lines.size(); ++i) {
    auto record = Record::FromJson(lines[i]);
    if (!record) return record.error();
    if (Status s = builder.Add(*record, "t.ndjson:" + std::to_string(i + 1)); !s) return s.error();
  }
  return std::move(builder).Finish();
}

ClsMetrics Metrics(const std::vector<std::string>& lines, ClsOptions options = {}) {
  auto data = Build(lines);
  EXPECT_TRUE(data.ok()) << (data.ok() ? "" : data.error().message);
  auto m = ComputeClsMetrics(*data, options);
  EXPECT_TRUE(m.ok());
  return *m;
}

TEST(ClsEvalTest, ZeroProbabilityUnnormalisedRowsAndANeverPredictedClass) {
  ClsMetrics m = Metrics({
      R"({"label":"a","probs":{"a":0.0,"b":0.5,"c":0.5}})",   // 0 on the true class
      R"({"label":"b","probs":{"a":0.2,"b":0.6,"c":0.2}})",
      R"({"label":"c","probs":{"a":1,"b":1,"c":2}})",           // sums to 4
  });
  // Clip to [eps, 1-eps], divide by the clipped row's sum, -ln of the true class.
  const double l1 = -std::log(kEps / ((kEps + 0.5) + 0.5));
  const double l2 = -std::log(0.6 / ((0.2 + 0.6) + 0.2));
  const double l3 = -std::log((1 - kEps) / (((1 - kEps) + (1 - kEps)) + (1 - kEps)));
  EXPECT_DOUBLE_EQ(m.log_loss, ((l1 + l2) + l3) / 3);
  EXPECT_EQ(m.eps, kEps);
  // Predictions: b (first of the tied b, c), b, c.
  EXPECT_DOUBLE_EQ(m.accuracy, 2.0 / 3);
  // `a` is never predicted: precision 0/0 -> 0, and F1 0.
  EXPECT_EQ(m.per_class[0].precision, 0.0);
  EXPECT_EQ(m.per_class[0].recall, 0.0);
  EXPECT_EQ(m.per_class[0].f1, 0.0);
  EXPECT_EQ(m.per_class[1].precision, 0.5);
  EXPECT_EQ(m.per_class[1].recall, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 2.0 / 3);
  EXPECT_EQ(m.per_class[2].f1, 1.0);
  EXPECT_DOUBLE_EQ(m.macro.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.macro.f1, (0 + 2.0 / 3 + 1) / 3);
  EXPECT_DOUBLE_EQ(m.micro.f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.weighted.recall, 2.0 / 3);
  const std::vector<std::vector<int64_t>> cm = {{0, 1, 0}, {0, 1, 0}, {0, 0, 1}};
  EXPECT_EQ(m.confusion, cm);
  EXPECT_EQ(m.support, (std::vector<int64_t>{1, 1, 1}));
}

TEST(ClsEvalTest, TopKAndArgmaxBreakTiesOppositeWays) {
  ClsOptions o;
  o.top_k = 1;
  ClsMetrics m = Metrics({R"({"label":"b","probs":{"a":0.5,"b":0.5,"c":0.0}})"}, o);
  EXPECT_EQ(m.accuracy, 0.0);        // np.argmax: the first of a tie (a)
  EXPECT_EQ(m.top_k_accuracy, 1.0);  // sklearn top_k: the later class of a tie ranks higher
  ClsMetrics m2 = Metrics({R"({"label":"a","probs":{"a":0.5,"b":0.5,"c":0.0}})"}, o);
  EXPECT_EQ(m2.accuracy, 1.0);
  EXPECT_EQ(m2.top_k_accuracy, 0.0);
}

TEST(ClsEvalTest, LogitsGiveSoftmaxLogLossAndExactCrossEntropy) {
  ClsMetrics m = Metrics({R"({"label":"y","logits":{"x":1000,"y":0}})",
                          R"({"label":"x","logits":{"x":2,"y":1}})"});
  // Record 1: softmax underflows to 0 on the true class; log_loss clips it, log-softmax does not.
  const double ce1 = 1000.0, ce2 = std::log(1 + std::exp(-1.0));
  EXPECT_NEAR(m.cross_entropy_from_logits, (ce1 + ce2) / 2, 1e-12);
  const double l1 = -std::log(kEps / (kEps + (1 - kEps)));
  EXPECT_NEAR(m.log_loss, (l1 + ce2) / 2, 1e-12);
  EXPECT_LT(m.log_loss, m.cross_entropy_from_logits);
}

TEST(ClsEvalTest, TopLabelRecordsNeedAClassList) {
  auto none = Build({R"({"label":"a","pred":"b"})"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("--classes"), std::string::npos);
  auto data = Build({R"({"label":"a","pred":"b"})", R"({"label":"b","pred":"b"})"}, {"a", "b", "c"});
  ASSERT_TRUE(data.ok());
  auto m = ComputeClsMetrics(*data, {});
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_scores);
  EXPECT_EQ(m->accuracy, 0.5);
  EXPECT_EQ(m->support, (std::vector<int64_t>{1, 1, 0}));
  EXPECT_NE(ClsMetricsJson(*m).find("\"accuracy\":0.5"), std::string::npos);
  EXPECT_EQ(ClsMetricsJson(*m).find("log_loss"), std::string::npos);
}

TEST(ClsEvalTest, MultiLabel) {
  ClsMetrics m = Metrics({
      R"({"labels":["a"],"probs":{"a":0.9,"b":0.5}})",   // predicts a, b (0.5 is positive)
      R"({"labels":[],"probs":{"a":0.1,"b":0.2}})",      // nothing, nothing: samples score 0
      R"({"labels":["a","b"],"probs":{"a":1.0,"b":0.0}})",
  });
  EXPECT_DOUBLE_EQ(m.subset_accuracy, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.hamming_loss, 2.0 / 6);
  // a: tp 2, pred 2, true 2. b: tp 0, pred 1, true 1.
  EXPECT_EQ(m.per_class[0].f1, 1.0);
  EXPECT_EQ(m.per_class[1].precision, 0.0);
  EXPECT_DOUBLE_EQ(m.micro.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.micro.recall, 2.0 / 3);
  // samples: (P,R,F) = (1/2, 1, 2/3), (0,0,0), (1, 1/2, 2/3).
  EXPECT_DOUBLE_EQ(m.samples.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.samples.f1, (2.0 / 3 + 2.0 / 3) / 3);
  // BCE with clipping: 1.0 and 0.0 on the wrong side cost -ln(eps) (renormalised).
  auto bce = [](double p, bool y) {
    double q = std::min(std::max(p, kEps), 1 - kEps);
    return -std::log((y ? q : 1 - q) / ((1 - q) + q));
  };
  const double want = (bce(0.9, 1) + bce(0.5, 0) + bce(0.1, 0) + bce(0.2, 0) + bce(1.0, 1) +
                       bce(0.0, 1)) / 6;
  EXPECT_NEAR(m.bce_mean, want, 1e-15);
}

TEST(ClsEvalTest, BadInputNamesFileLineAndKey) {
  auto a = Build({R"({"label":"a","probs":{"a":0.5,"b":0.5}})", R"({"label":"z","probs":{"a":0.5,"b":0.5}})"});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("t.ndjson:2: `label` \"z\" is not one of the 2 classes"),
            std::string::npos) << a.error().message;
  auto b = Build({R"({"label":"a","probs":{"a":0.5,"b":0.5}})", R"({"label":"a","probs":{"a":0.5}})"});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("t.ndjson:2: `probs` lacks class \"b\""), std::string::npos);
  auto c = Build({R"({"label":"a","probs":{"a":"x","b":0.5}})"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("t.ndjson:1: `probs.a` is not a finite number"), std::string::npos);
  auto d = Build({R"({"label":"a","probs":{"a":0.5,"b":0.5}})", R"({"labels":["a"],"probs":{"a":0.5,"b":0.5}})"});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("t.ndjson:2: a multilabel record"), std::string::npos);
  auto e = Build({R"({"id":"x"})"});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("neither `label`"), std::string::npos);
  auto f = Build({R"({"label":"a","probs":{"a":0.5,"b":0.5,"q":1}})"}, {"a", "b"});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("`probs.q`: not one of the 2 classes"), std::string::npos);
}

TEST(ClsEvalTest, PairwiseSumIsNumpys) {
  // Small n: sequential. 8 <= n <= 128: eight interleaved partial sums. Above: halving.
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / double(i + 1) * (i % 3 ? 1 : -1e-3);
  double seq = 0;
  for (int i = 0; i < 5; ++i) seq += v[i];
  EXPECT_EQ(NumpyPairwiseSum(v.data(), 5), seq);
  double r[8];
  for (int j = 0; j < 8; ++j) r[j] = v[j] + v[8 + j];
  double want = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])) + v[16];
  EXPECT_EQ(NumpyPairwiseSum(v.data(), 17), want);
  EXPECT_EQ(NumpyPairwiseSum(v.data(), 1000),
            NumpyPairwiseSum(v.data(), 496) + NumpyPairwiseSum(v.data() + 496, 504));
}

// ---------------------------------------------------------------------------------------------
// Conformance with scikit-learn 1.2.1 on the shared corpus.

std::filesystem::path CorpusDir() {
  return std::filesystem::path(IMGPIPE_SOURCE_DIR) / ".." / "shared" / "corpus" / "cls-eval";
}

int CompareJson(simdjson::dom::element want, simdjson::dom::element got, const std::string& path,
                int* numbers) {
  using simdjson::dom::element_type;
  int bad = 0;
  switch (want.type()) {
    case element_type::OBJECT: {
      if (got.type() != element_type::OBJECT) {
        ADD_FAILURE() << path << ": not an object";
        return 1;
      }
      for (auto [key, value] : want.get_object()) {
        auto g = got[key];
        if (g.error()) {
          ADD_FAILURE() << path << "." << key << ": missing";
          ++bad;
          continue;
        }
        bad += CompareJson(value, g.value(), path + "." + std::string(key), numbers);
      }
      return bad;
    }
    case element_type::ARRAY: {
      auto wa = want.get_array().value();
      auto ga = got.get_array();
      if (ga.error() || ga.value().size() != wa.size()) {
        ADD_FAILURE() << path << ": array size differs";
        return 1;
      }
      size_t i = 0;
      for (auto w : wa) {
        bad += CompareJson(w, ga.value().at(i), path + "[" + std::to_string(i) + "]", numbers);
        ++i;
      }
      return bad;
    }
    case element_type::INT64:
    case element_type::UINT64:
      ++*numbers;
      if (got.get_int64().error() || got.get_int64().value() != want.get_int64().value()) {
        ADD_FAILURE() << path << ": count differs";
        return 1;
      }
      return 0;
    case element_type::DOUBLE: {
      ++*numbers;
      double w = want.get_double().value();
      auto g = got.get_double();
      if (g.error() || !(std::fabs(g.value() - w) <= 1e-12)) {
        ADD_FAILURE() << path << ": want " << w << " got " << (g.error() ? NAN : g.value());
        return 1;
      }
      return 0;
    }
    case element_type::STRING:
      if (got.get_string().error() || got.get_string().value() != want.get_string().value()) {
        ADD_FAILURE() << path << ": string differs";
        return 1;
      }
      return 0;
    default:
      return 0;
  }
}

TEST(ClsEvalConformanceTest, SharedCorpusMatchesScikitLearn) {
  const auto dir = CorpusDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " absent: conformance test skipped";
  int sets = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!std::filesystem::exists(entry.path() / "expected.json")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++sets;
    std::ifstream in(entry.path() / "preds.ndjson");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    auto data = Build(lines);
    ASSERT_TRUE(data.ok()) << data.error().message;
    simdjson::dom::parser p_want, p_got, p_15;
    simdjson::padded_string want_text =
        simdjson::padded_string::load((entry.path() / "expected.json").string()).value();
    simdjson::dom::element want = p_want.parse(want_text).value();

    auto m = ComputeClsMetrics(*data, {});
    ASSERT_TRUE(m.ok());
    const std::string got_text = ClsMetricsJson(*m);
    simdjson::dom::element got = p_got.parse(got_text).value();
    ClsOptions o15;
    o15.eps = 1e-15;
    auto m15 = ComputeClsMetrics(*data, o15);
    ASSERT_TRUE(m15.ok());
    const std::string got15_text = ClsMetricsJson(*m15);
    simdjson::dom::element got15 = p_15.parse(got15_text).value();

    int numbers = 0, bad = 0;
    for (auto [key, value] : want.get_object()) {
      std::string k(key);
      if (k == "versions" || k == "generator") continue;
      const std::string suffix = "_eps_1e-15";
      if (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0) {
        bad += CompareJson(value, got15[k.substr(0, k.size() - suffix.size())].value(), k, &numbers);
        continue;
      }
      auto g = got[key];
      if (g.error()) {
        ADD_FAILURE() << k << ": missing from cls-eval's output";
        ++bad;
        continue;
      }
      bad += CompareJson(value, g.value(), k, &numbers);
    }
    EXPECT_EQ(bad, 0);
    EXPECT_GT(numbers, 50);
    std::cout << "[ conformance ] " << entry.path().filename().string() << ": " << numbers
              << " numbers compared, " << bad << " differ\n";
  }
  EXPECT_GT(sets, 0);
}

}  // namespace
}  // namespace imgpipe
