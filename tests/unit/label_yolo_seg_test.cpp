// label-conv's YOLO segment lines (Ultralytics "class x1 y1 ... xn yn"), the lossy accounting of
// shapes a writer cannot hold (polylines, CVAT/LabelMe verbatim shapes) for voc/yolo/createml,
// and the yolo --layout words.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "formats/labels/dataset.h"
#include "formats/labels/shapes.h"
#include "libcommon/boxes.h"
#include "libcommon/json.h"
#include "tests/support/image_fixtures.h"
#include "tests/support/temp_folder.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

class LabelYoloSeg : public testing::TempFolderTest {
 protected:
  const char* Prefix() const override { return "yoloseg"; }
};

const Format& Get(const char* name) {
  const Format* f = FindFormat(name);
  EXPECT_NE(f, nullptr) << name;
  return *f;
}

Dataset MustRead(const char* format, const std::string& path, ReadOptions options = {}) {
  auto ds = Get(format).read(path, options);
  EXPECT_TRUE(ds.ok()) << format << " " << path << ": " << (ds.ok() ? "" : ds.error().message);
  return ds.ok() ? std::move(ds.value()) : Dataset{};
}

void MustWrite(const char* format, const Dataset& ds, const std::string& out, WriteOptions options = {}) {
  LossReport losses;
  Status s = Get(format).write(ds, out, options, losses);
  ASSERT_TRUE(s.ok()) << format << " -> " << out << ": " << s.error().message;
}

std::vector<BoxRecord> Boxes(const Record& r) {
  auto b = ReadBoxes(r);
  EXPECT_TRUE(b.ok());
  return b.ok() ? b.value() : std::vector<BoxRecord>{};
}

// A YOLO label file's lines as numbers.
std::vector<std::vector<double>> Lines(const std::string& text) {
  std::vector<std::vector<double>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<double> v;
    for (double x; words >> x;) v.push_back(x);
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

void ExpectSameLines(const std::string& a, const std::string& b) {
  auto la = Lines(a), lb = Lines(b);
  ASSERT_EQ(la.size(), lb.size()) << a << "\nvs\n" << b;
  for (size_t i = 0; i < la.size(); ++i) {
    ASSERT_EQ(la[i].size(), lb[i].size()) << "line " << i + 1;
    EXPECT_EQ(la[i][0], lb[i][0]) << "class of line " << i + 1;
    for (size_t k = 1; k < la[i].size(); ++k) EXPECT_NEAR(la[i][k], lb[i][k], 1e-6) << "line " << i + 1 << " value " << k;
  }
}

// Flat numbers of every polygon of a COCO segmentation ([[...], ...]).
std::vector<double> SegNumbers(const std::string& raw) {
  std::vector<double> out;
  auto parts = SplitJsonArray(raw);
  EXPECT_TRUE(parts.has_value()) << raw;
  if (!parts) return out;
  for (std::string_view p : *parts)
    if (auto nums = SplitJsonArray(p))
      for (std::string_view n : *nums) out.push_back(DecodeJsonNumber(n).value_or(NAN));
  return out;
}

// A 100x50 image with one segment line, one detection line and one 6-number (scored) line.
void MakeSegDataset(const LabelYoloSeg& t) {
  t.Write("seg/classes.txt", "road\ncar\n");
  t.Png("seg/a.png", 100, 50);
  t.Write("seg/a.txt", "0 0.1 0.2 0.5 0.2 0.3 0.8\n1 0.5 0.5 0.2 0.4\r\n1 0.25 0.5 0.1 0.2 0.9\n");
  t.Png("seg/b.png", 64, 48);
  t.Write("seg/b.txt", "1 0.125 0.25 0.75 0.25 0.75 0.75 0.125 0.75 0.4 0.5\n");
}

TEST_F(LabelYoloSeg, SegmentLinesReadAsPolygonAndItsExtent) {
  MakeSegDataset(*this);
  ASSERT_TRUE(Get("yolo").detect(P("seg")));
  Dataset ds = MustRead("yolo", P("seg"));
  ASSERT_EQ(ds.images.size(), 2u);
  auto a = Boxes(ds.images[0]);
  ASSERT_EQ(a.size(), 3u);
  // 0.1*100=10, 0.2*50=10; 0.5*100=50; 0.3*100=30, 0.8*50=40: extent 10,10 - 50,40.
  EXPECT_EQ(a[0].Label(), "road");
  EXPECT_DOUBLE_EQ(a[0].box.x0, 10);
  EXPECT_DOUBLE_EQ(a[0].box.y0, 10);
  EXPECT_DOUBLE_EQ(a[0].box.x1, 50);
  EXPECT_DOUBLE_EQ(a[0].box.y1, 40);
  EXPECT_EQ(a[0].fields.GetInt("category_id"), 0);
  std::vector<double> seg = SegNumbers(*a[0].fields.FindRaw("segmentation"));
  std::vector<double> want = {10, 10, 50, 10, 30, 40};
  ASSERT_EQ(seg.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(seg[k], want[k], 1e-9);
  // The detection line beside it: a box without segmentation.
  EXPECT_EQ(a[1].Label(), "car");
  EXPECT_EQ(a[1].fields.FindRaw("segmentation"), nullptr);
  EXPECT_DOUBLE_EQ(a[1].box.x0, 40);
  EXPECT_DOUBLE_EQ(a[1].box.y1, 35);
  EXPECT_EQ(a[2].Score(), 0.9);
  auto b = Boxes(ds.images[1]);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(SegNumbers(*b[0].fields.FindRaw("segmentation")).size(), 10u);  // 5 points
  EXPECT_DOUBLE_EQ(b[0].box.x0, 8);
  EXPECT_DOUBLE_EQ(b[0].box.x1, 48);
}

TEST_F(LabelYoloSeg, WrongNumberCountsAreErrorsWithFileAndLine) {
  Write("bad/classes.txt", "a\n");
  Png("bad/p.png", 10, 10);
  // 4 numbers, 8 (even: neither), 7 with text after, then a good segment.
  Write("bad/p.txt", "0 0.5 0.5 0.1\n0 0.1 0.1 0.2 0.1 0.2 0.2 0.1\n0 0.1 0.1 0.2 0.1 0.2 0.2 x\n0 0.1 0.1 0.2 0.1 0.2 0.2\n");
  auto plain = Get("yolo").read(P("bad"), ReadOptions{});
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find(P("bad/p.txt") + ":1:"), std::string::npos) << plain.error().message;
  std::vector<Issue> issues;
  ReadOptions check;
  check.issues = &issues;
  Dataset ds = MustRead("yolo", P("bad"), check);
  ASSERT_EQ(issues.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(issues[i].where, P("bad/p.txt") + ":" + std::to_string(i + 1));
    EXPECT_EQ(issues[i].code, "bad-line");
  }
  ASSERT_EQ(ds.images.size(), 1u);
  EXPECT_EQ(Boxes(ds.images[0]).size(), 1u);  // the good segment is read
  // NaN inside a polygon.
  Write("bad/p.txt", "0 0.1 nan 0.2 0.1 0.2 0.2\n");
  issues.clear();
  MustRead("yolo", P("bad"), check);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "not-finite");
}

TEST_F(LabelYoloSeg, SegmentsThroughNdjsonComeBackWithin1e6) {
  MakeSegDataset(*this);
  Dataset a = MustRead("yolo", P("seg"));
  MustWrite("ndjson", a, P("a.ndjson"));
  Dataset nd = MustRead("ndjson", P("a.ndjson"));
  fs::create_directories(P("out"));
  fs::copy_file(P("seg/a.png"), P("out/a.png"));
  fs::copy_file(P("seg/b.png"), P("out/b.png"));
  WriteOptions wo;
  wo.layout = "segment";
  MustWrite("yolo", nd, P("out"), wo);
  ExpectSameLines(Read("seg/a.txt"), Read("out/a.txt"));
  ExpectSameLines(Read("seg/b.txt"), Read("out/b.txt"));
  EXPECT_EQ(Read("out/classes.txt"), "road\ncar\n");
  // Into detection lines the polygon is a loss: refused, then counted.
  LossReport losses;
  Status s = Get("yolo").write(nd, P("det"), WriteOptions{}, losses);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "lossy");
  WriteOptions lossy;
  lossy.allow_lossy = true;
  ASSERT_TRUE(Get("yolo").write(nd, P("det"), lossy, losses).ok());
  EXPECT_EQ(losses.counts()["segmentation (polygon/RLE)"], 2u);
  auto det = Lines(Read("det/a.txt"));
  ASSERT_EQ(det.size(), 3u);
  EXPECT_EQ(det[0].size(), 5u);  // the polygon's extent as a box
  EXPECT_NEAR(det[0][1], 0.3, 1e-9);
  EXPECT_NEAR(det[0][4], 0.6, 1e-9);
}

TEST_F(LabelYoloSeg, CocoPolygonsThroughYoloSegmentsBackToCoco) {
  // Boxes are their polygons' extents (a segment line holds only the polygon).
  Write("coco.json", R"({"images": [{"id": 7, "file_name": "images/a.png", "width": 100, "height": 50},
  {"id": 9, "file_name": "images/b.png", "width": 64, "height": 48}],
 "annotations": [
  {"id": 1, "image_id": 7, "category_id": 3, "bbox": [10, 10, 40, 30], "area": 600, "iscrowd": 0,
   "segmentation": [[10, 10, 50, 10, 30, 40]]},
  {"id": 2, "image_id": 7, "category_id": 5, "bbox": [40, 15, 20, 20], "area": 400, "iscrowd": 0},
  {"id": 3, "image_id": 9, "category_id": 5, "bbox": [8.5, 12.25, 39.5, 23.75], "area": 500, "iscrowd": 0,
   "segmentation": [[8.5, 12.25, 48, 12.25, 48, 36, 8.5, 36, 25.6, 24]]}],
 "categories": [{"id": 3, "name": "road"}, {"id": 5, "name": "car"}]})");
  Dataset coco = MustRead("coco", P("coco.json"));
  Png("yolo/images/a.png", 100, 50);
  Png("yolo/images/b.png", 64, 48);
  WriteOptions wo;
  wo.layout = "segment";
  MustWrite("yolo", coco, P("yolo"), wo);
  auto lines = Lines(Read("yolo/labels/a.txt"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), 7u);  // segment
  EXPECT_EQ(lines[1].size(), 5u);  // no segmentation: a detection line
  Dataset yolo = MustRead("yolo", P("yolo"));
  MustWrite("coco", yolo, P("back.json"));
  Dataset back = MustRead("coco", P("back.json"));
  ASSERT_EQ(back.images.size(), coco.images.size());
  for (size_t i = 0; i < coco.images.size(); ++i) {
    EXPECT_EQ(back.images[i].GetString("path"), coco.images[i].GetString("path"));
    auto x = Boxes(coco.images[i]), y = Boxes(back.images[i]);
    ASSERT_EQ(x.size(), y.size());
    for (size_t j = 0; j < x.size(); ++j) {
      SCOPED_TRACE("image " + std::to_string(i) + " box " + std::to_string(j));
      EXPECT_EQ(x[j].Label(), y[j].Label());
      EXPECT_NEAR(x[j].box.x0, y[j].box.x0, 1e-6);
      EXPECT_NEAR(x[j].box.y0, y[j].box.y0, 1e-6);
      EXPECT_NEAR(x[j].box.x1, y[j].box.x1, 1e-6);
      EXPECT_NEAR(x[j].box.y1, y[j].box.y1, 1e-6);
      const std::string* sx = x[j].fields.FindRaw("segmentation");
      const std::string* sy = y[j].fields.FindRaw("segmentation");
      ASSERT_EQ(sx == nullptr, sy == nullptr);
      if (!sx) continue;
      auto nx = SegNumbers(*sx), ny = SegNumbers(*sy);
      ASSERT_EQ(nx.size(), ny.size());
      for (size_t k = 0; k < nx.size(); ++k) EXPECT_NEAR(nx[k], ny[k], 1e-6);
    }
  }
}

TEST_F(LabelYoloSeg, SegmentWritesCountWhatASegmentLineCannotHold) {
  Dataset ds;
  ds.classes = {"x", "y"};
  Record r;
  r.SetString("id", "a");
  r.SetInt("width", 100);
  r.SetInt("height", 100);
  r.SetRaw("boxes", R"([{"label":"x","x0":0,"y0":0,"x1":10,"y1":10,"segmentation":{"counts":"abc","size":[100,100]}},)"
                    R"({"label":"x","x0":0,"y0":0,"x1":30,"y1":30,"segmentation":[[0,0,10,0,10,10],[20,20,30,20,30,30]]},)"
                    R"({"label":"y","x0":0,"y0":0,"x1":50,"y1":50,"segmentation":[[0,0,10,0,10,10]]},)"
                    R"({"label":"y","x0":0,"y0":0,"x1":5,"y1":5,"segmentation":[[0,0,5,5]]}])");
  r.SetRaw("polygons", R"([{"label":"y","points":[[1,1],[9,1],[5,9]],"occluded":true},{"label":"x","points":[[1,1],[2,2]]}])");
  ds.images.push_back(r);
  WriteOptions wo;
  wo.layout = "segment";
  LossReport refused;
  Status s = Get("yolo").write(ds, P("out"), wo, refused);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "lossy");
  EXPECT_FALSE(fs::exists(P("out")));
  wo.allow_lossy = true;
  LossReport losses;
  ASSERT_TRUE(Get("yolo").write(ds, P("out"), wo, losses).ok());
  auto c = losses.counts();
  EXPECT_EQ(c["segmentation (RLE: written as the box)"], 1u);
  EXPECT_EQ(c["multi-part polygon (each part its own line)"], 1u);
  EXPECT_EQ(c["box (not its polygon's extent: a segment line keeps the polygon)"], 1u);
  EXPECT_EQ(c["polygon with fewer than 3 points"], 2u);  // the 2-point box segmentation and shape
  EXPECT_EQ(c["polygon key \"occluded\""], 1u);
  auto lines = Lines(Read("out/a.txt"));
  // RLE box -> detection; two parts -> two segments; extent-mismatch -> segment; 2-point
  // segmentation -> detection; the record-level triangle -> segment (the 2-point one skipped).
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].size(), 5u);
  EXPECT_EQ(lines[1].size(), 7u);
  EXPECT_EQ(lines[2].size(), 7u);
  EXPECT_EQ(lines[3].size(), 7u);
  EXPECT_EQ(lines[4].size(), 5u);
  ASSERT_EQ(lines[5].size(), 7u);
  EXPECT_EQ(lines[5][0], 1);  // "y"
  EXPECT_NEAR(lines[5][5], 0.05, 1e-12);
}

TEST_F(LabelYoloSeg, LayoutWords) {
  Dataset ds;
  ds.classes = {"x"};
  Record r;
  r.SetString("id", "a");
  r.SetString("path", "images/a.png");
  r.SetString("split", "val");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", R"([{"label":"x","x0":1,"y0":1,"x1":3,"y1":3,"segmentation":[[1,1,3,1,3,3,1,3]]}])");
  ds.images.push_back(r);
  WriteOptions wo;
  wo.layout = "ultralytics,segment";
  MustWrite("yolo", ds, P("u"), wo);
  EXPECT_EQ(Lines(Read("u/labels/val/a.txt"))[0].size(), 9u);
  EXPECT_TRUE(fs::exists(P("u/data.yaml")));
  wo.layout = "segment";
  MustWrite("yolo", ds, P("f"), wo);
  EXPECT_EQ(Lines(Read("f/labels/a.txt"))[0].size(), 9u);
  EXPECT_TRUE(fs::exists(P("f/classes.txt")));
  for (const char* bad : {"segments", "flat,ultralytics", "segment,detect", "flat,", "ultralytics,segment,x"}) {
    wo.layout = bad;
    LossReport l;
    Status s = Get("yolo").write(ds, P("bad"), wo, l);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "usage") << bad;
  }
}

TEST_F(LabelYoloSeg, EmptyRecordWritesAnEmptyLabelFile) {
  Dataset ds;
  ds.classes = {"x"};
  Record r;
  r.SetString("id", "a");
  r.SetString("path", "a.png");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", "[]");
  ds.images.push_back(r);
  MustWrite("yolo", ds, P("out"));
  ASSERT_TRUE(fs::exists(P("out/a.txt")));
  EXPECT_EQ(Read("out/a.txt"), "");
  Png("out/a.png", 10, 10);
  Dataset back = MustRead("yolo", P("out"));
  ASSERT_EQ(back.images.size(), 1u);
  EXPECT_TRUE(Boxes(back.images[0]).empty());
}

// ---------------------------------------------------------------- lossy accounting

// One image with a box, a polyline, a CVAT ellipse kept verbatim and a LabelMe circle.
Dataset ShapesDataset() {
  Dataset ds;
  ds.classes = {"x"};
  Record r;
  r.SetString("id", "a");
  r.SetString("path", "a.png");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", R"([{"label":"x","x0":1,"y0":1,"x1":3,"y1":3}])");
  r.SetRaw("polylines", R"([{"label":"x","points":[[0,0],[5,5]]},{"label":"x","points":[[1,0],[5,5]]}])");
  r.SetRaw("cvat", R"({"xml":["<ellipse label=\"x\" cx=\"5\" cy=\"5\" rx=\"1\" ry=\"2\"/>"]})");
  r.SetRaw("labelme", R"({"shapes":[{"label":"x","points":[[5,5],[6,6]],"shape_type":"circle"}]})");
  ds.images.push_back(r);
  return ds;
}

TEST_F(LabelYoloSeg, PolylinesAndVerbatimShapesAreLossesForVocYoloCreateMl) {
  Dataset ds = ShapesDataset();
  for (const char* format : {"voc", "yolo", "createml"}) {
    SCOPED_TRACE(format);
    std::string out = P(std::string("out_") + format);
    LossReport refused;
    Status s = Get(format).write(ds, out, WriteOptions{}, refused);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "lossy");
    EXPECT_NE(s.error().message.find("2 x polyline"), std::string::npos) << s.error().message;
    EXPECT_FALSE(fs::exists(out));
    WriteOptions wo;
    wo.allow_lossy = true;
    LossReport losses;
    ASSERT_TRUE(Get(format).write(ds, out, wo, losses).ok());
    auto c = losses.counts();
    EXPECT_EQ(c["polyline"], 2u);
    EXPECT_EQ(c["other shape"], 2u);  // the ellipse and the circle
    EXPECT_EQ(c.size(), 2u);
  }
  // The formats that hold them do not count them.
  LossReport cvat;
  WriteOptions wo;
  wo.allow_lossy = true;
  ASSERT_TRUE(Get("cvat").write(ds, P("cvat"), wo, cvat).ok());
  EXPECT_EQ(cvat.counts().count("polyline"), 0u);
  EXPECT_EQ(cvat.counts()["other shape"], 1u);  // LabelMe's circle
  LossReport labelme;
  ASSERT_TRUE(Get("labelme").write(ds, P("labelme"), wo, labelme).ok());
  EXPECT_EQ(labelme.counts().count("polyline"), 0u);
  EXPECT_EQ(labelme.counts()["other shape"], 1u);  // CVAT's ellipse
}

}  // namespace
}  // namespace imgpipe::labels
