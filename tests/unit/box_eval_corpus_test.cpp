// box-eval's library against every set of ../shared/corpus/coco-eval and voc-eval (the numbers
// pycocotools and voc_eval.py gave), to 1e-12. Skipped when the shared corpus is not there.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>

#include "formats/coco/coco_json.h"
#include "tools/box-eval/coco_eval.h"
#include "tools/box-eval/eval_input.h"
#include "tools/box-eval/voc_eval.h"

namespace imgpipe::box_eval {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir(const char* name) {
  return fs::path(IMGPIPE_SOURCE_DIR) / ".." / "shared" / "corpus" / name;
}

Result<EvalDataset> Load(const fs::path& dir) {
  auto gt = coco::ReadInstancesFile((dir / "gt.json").string(), {.keep_segmentation = false});
  if (!gt) return gt.error();
  auto dt = coco::ReadResultsFile((dir / "dt.json").string());
  if (!dt) return dt.error();
  return DatasetFromCoco(*gt, *dt, "dt.json");
}

TEST(BoxEvalCorpusTest, CocoEvalSetsMatchPycocotools) {
  fs::path root = CorpusDir("coco-eval");
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " not found (the shared corpus is optional)";
  int sets = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!fs::exists(entry.path() / "expected.json")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++sets;
    auto data = Load(entry.path());
    ASSERT_TRUE(data.ok()) << data.error().message;
    CocoEval ev = EvaluateCoco(*data, CocoParams{});
    simdjson::dom::parser parser;
    simdjson::dom::element exp = parser.load((entry.path() / "expected.json").string());
    size_t i = 0;
    for (double v : exp["stats"].get_array()) {
      ASSERT_LT(i, 12u);
      EXPECT_NEAR(ev.stats[i], v, 1e-12) << "stats[" << i << "]";
      ++i;
    }
    EXPECT_EQ(i, 12u);
    for (auto [key, value] : exp["per_class_ap"].get_object()) {
      size_t k = 0;
      while (k < data->categories.size() && data->categories[k].key != key) ++k;
      ASSERT_LT(k, data->categories.size()) << "category " << key;
      EXPECT_NEAR(ev.ClassAp(k), double(value), 1e-12) << "per_class_ap[" << key << "]";
    }
  }
  EXPECT_GT(sets, 0);
}

TEST(BoxEvalCorpusTest, VocEvalSetsMatchVocEvalPy) {
  fs::path root = CorpusDir("voc-eval");
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " not found (the shared corpus is optional)";
  int sets = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!fs::exists(entry.path() / "expected.json")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++sets;
    auto data = Load(entry.path());
    ASSERT_TRUE(data.ok()) << data.error().message;
    VocEval v07 = EvaluateVoc(*data, {true, 0.5}), v10 = EvaluateVoc(*data, {false, 0.5});
    simdjson::dom::parser parser;
    simdjson::dom::element exp = parser.load((entry.path() / "expected.json").string());
    for (auto [key, value] : exp["per_class"].get_object()) {
      size_t k = 0;
      while (k < data->categories.size() && data->categories[k].key != key) ++k;
      ASSERT_LT(k, data->categories.size()) << "category " << key;
      EXPECT_NEAR(v07.classes[k].ap, double(value["ap_voc07"]), 1e-12) << "class " << key;
      EXPECT_NEAR(v10.classes[k].ap, double(value["ap_voc10"]), 1e-12) << "class " << key;
      EXPECT_EQ(int64_t(v07.classes[k].npos), int64_t(value["npos"])) << "class " << key;
      EXPECT_EQ(int64_t(v07.classes[k].ndet), int64_t(value["detections"])) << "class " << key;
    }
    EXPECT_NEAR(v07.map, double(exp["map_voc07"]), 1e-12);
    EXPECT_NEAR(v10.map, double(exp["map_voc10"]), 1e-12);
  }
  EXPECT_GT(sets, 0);
}

}  // namespace
}  // namespace imgpipe::box_eval
