// label-conv's formats: coordinate conventions, class lists, safety, lossy accounting, round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "formats/labels/check.h"
#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "formats/labels/detect.h"
#include "libcommon/boxes.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

const std::string kData = std::string(IMGPIPE_SOURCE_DIR) + "/tests/golden/data/labels";

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("label_conv_test." + std::to_string(::getpid()) + "." + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

const Format& Get(const char* name) {
  const Format* f = FindFormat(name);
  EXPECT_NE(f, nullptr) << name;
  return *f;
}

TEST(LabelConventions, VocIsOneBasedInclusive) {
  BoxXYXY b = FromVoc(1, 1, 10, 20);  // pixels 0..9 (0-based)
  EXPECT_EQ(b.x0, 0);
  EXPECT_EQ(b.y0, 0);
  EXPECT_EQ(b.x1, 10);
  EXPECT_EQ(b.y1, 20);
  double v[4];
  ToVoc(b, v);
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[2], 10);
}

TEST(LabelConventions, CocoYoloCreateMl) {
  BoxXYXY c = FromCoco(5, 6, 10, 12);
  EXPECT_EQ(c.x1, 15);
  EXPECT_EQ(c.y1, 18);
  double v[4];
  ToCoco(c, v);
  EXPECT_EQ(v[2], 10);
  BoxXYXY y = FromYolo(0.5, 0.5, 0.25, 0.5, 64, 48);
  EXPECT_EQ(y.x0, 24);
  EXPECT_EQ(y.y1, 36);
  ToYolo(y, 64, 48, v);
  EXPECT_DOUBLE_EQ(v[0], 0.5);
  EXPECT_DOUBLE_EQ(v[3], 0.5);
  BoxXYXY m = FromCreateMl(20, 15, 10, 6);
  EXPECT_EQ(m.x0, 15);
  EXPECT_EQ(m.y0, 12);
  ToCreateMl(m, v);
  EXPECT_EQ(v[0], 20);
  EXPECT_EQ(v[3], 6);
}

TEST(LabelClasses, YamlNamesListMapAndFlow) {
  auto a = ParseYamlNames("train: x\nnames:\n  - cat\n  - 'traffic light'\nnc: 2\n", "d.yaml");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (std::vector<std::string>{"cat", "traffic light"}));
  auto b = ParseYamlNames("names:\n  0: person\n  1: \"a, b\"  # c\n", "d.yaml");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<std::string>{"person", "a, b"}));
  auto c = ParseYamlNames("names: ['x', y,\n  z]\n", "d.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_FALSE(ParseYamlNames("names:\n  0: a\n  2: c\n", "d.yaml").ok());  // a gap
  EXPECT_FALSE(ParseYamlNames("nc: 3\n", "d.yaml").ok());
}

TEST(LabelSafety, DtdAndEntitiesRefused) {
  ReadOptions ro;
  for (const char* f : {"laughs.xml", "external.xml"}) {
    auto ds = Get("voc").read(kData + "/hostile/" + f, ro);
    ASSERT_FALSE(ds.ok()) << f;
    EXPECT_EQ(ds.error().code, "unsafe-xml");
  }
}

TEST(LabelSafety, ClimbingOutputNamesRefusedAndNothingWritten) {
  TempDir dir;
  Dataset ds;
  Record r;
  r.SetString("id", "../escape");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", R"([{"label":"x","x0":1,"y0":1,"x1":2,"y1":2}])");
  ds.images.push_back(r);
  ds.classes = {"x"};
  LossReport losses;
  for (const char* fmt : {"voc", "yolo"}) {
    Status s = Get(fmt).write(ds, dir.str() + "/out", WriteOptions{}, losses);
    ASSERT_FALSE(s.ok()) << fmt;
    EXPECT_EQ(s.error().code, "unsafe-path");
  }
  EXPECT_FALSE(fs::exists(dir.str() + "/escape.xml"));
  EXPECT_FALSE(fs::exists(dir.str() + "/escape.txt"));
}

TEST(LabelLossy, RefusedWithoutAllowLossyCountedWithIt) {
  Dataset ds;
  Record r;
  r.SetString("id", "a");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", R"([{"label":"x","x0":1,"y0":1,"x1":2,"y1":2,"segmentation":[[1,1,2,1,2,2]]},)"
                    R"({"label":"x","x0":0,"y0":0,"x1":10,"y1":10,"iscrowd":true},)"
                    R"({"label":"x","x0":1,"y0":1,"x1":3,"y1":3,"attrs":{"color":"red"},"difficult":false}])");
  ds.images.push_back(r);
  ds.classes = {"x"};
  TempDir dir;
  LossReport losses;
  Status s = Get("yolo").write(ds, dir.str(), WriteOptions{}, losses);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "lossy");
  EXPECT_FALSE(fs::exists(dir.str() + "/a.txt"));
  WriteOptions wo;
  wo.allow_lossy = true;
  ASSERT_TRUE(Get("yolo").write(ds, dir.str(), wo, losses).ok());
  auto counts = losses.counts();
  EXPECT_EQ(counts["crowd region"], 1u);
  EXPECT_EQ(counts["segmentation (polygon/RLE)"], 1u);
  EXPECT_EQ(counts["attribute"], 1u);
  EXPECT_EQ(counts.count("difficult flag"), 0u);  // false is not a loss
  std::ifstream in(dir.str() + "/a.txt");
  std::string all((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 2);  // the crowd region is not a box
}

TEST(LabelCoco, NonContiguousIdsAndRawSegmentationSurviveTheStream) {
  ReadOptions ro;
  auto ds = Get("coco").read(kData + "/coco/ann.json", ro);
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  ASSERT_EQ(ds->images.size(), 3u);
  auto boxes = ReadBoxes(ds->images[1]);
  ASSERT_TRUE(boxes.ok());
  EXPECT_EQ((*boxes)[0].fields.GetInt("category_id"), 18);
  EXPECT_EQ(*(*boxes)[0].fields.FindRaw("segmentation"), R"({"counts":[0,10,20,5],"size":[240,320]})");
  TempDir dir;
  LossReport losses;
  ASSERT_TRUE(Get("coco").write(*ds, dir.str() + "/x.json", WriteOptions{}, losses).ok());
  auto again = Get("coco").read(dir.str() + "/x.json", ro);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->images.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(again->images[i].ToJson(), ds->images[i].ToJson());
}

TEST(LabelCheck, FindsEachProblemWithItsLocation) {
  std::vector<Issue> issues;
  ReadOptions ro;
  ro.issues = &issues;
  ro.locate = true;
  auto ds = Get("coco").read(kData + "/check/coco_bad.json", ro);
  ASSERT_TRUE(ds.ok());
  CheckOptions co;
  co.images_dir = kData + "/check/images";
  for (Issue& i : CheckDataset(*ds, co)) issues.push_back(i);
  std::map<std::string, std::string> where;
  for (const Issue& i : issues) where[i.code] = i.where;
  EXPECT_EQ(where["unknown-category"], kData + "/check/coco_bad.json: annotations[0].category_id");
  EXPECT_EQ(where["duplicate-image-id"], kData + "/check/coco_bad.json: images[1].id");
  EXPECT_EQ(where["unknown-image-id"], kData + "/check/coco_bad.json: annotations[1].image_id");
  EXPECT_EQ(where["box-outside-image"], kData + "/check/coco_bad.json: annotations[2]");
  EXPECT_EQ(where["zero-area"], kData + "/check/coco_bad.json: annotations[3]");
  EXPECT_EQ(where["missing-image"], kData + "/check/coco_bad.json: images[2]");
  // Without the issue list the same file is an error.
  EXPECT_FALSE(Get("coco").read(kData + "/check/coco_bad.json", ReadOptions{}).ok());
}

TEST(LabelDetect, EachFixtureIsRecognised) {
  EXPECT_STREQ(DetectInput(kData + "/coco/ann.json")->name, "coco");
  EXPECT_STREQ(DetectInput(kData + "/voc")->name, "voc");
  EXPECT_STREQ(DetectInput(kData + "/yolo")->name, "yolo");
  EXPECT_STREQ(DetectInput(kData + "/yolo_ultralytics")->name, "yolo");
  EXPECT_STREQ(DetectInput(kData + "/createml/annotations.json")->name, "createml");
  EXPECT_STREQ(DetectInput("-")->name, "ndjson");
}

}  // namespace
}  // namespace imgpipe::labels
