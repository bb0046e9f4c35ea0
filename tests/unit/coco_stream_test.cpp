// The streaming COCO reader: the boundary scanner, batches, member order, spans into a memory map,
// errors with JSON paths from any batch, and memory that follows the index, not the file.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "formats/coco/coco_json.h"
#include "formats/coco/coco_mapped.h"
#include "formats/coco/json_split.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "libcommon/boxes.h"

namespace imgpipe {
namespace {
namespace fs = std::filesystem;

std::string TempFile(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("coco_stream_test." + std::to_string(::getpid()) + "." + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// --- the boundary scanner

TEST(CocoSplit, SkipsStringsWithBracketsAndEscapedQuotes) {
  std::string text = R"({"a":"x]}\"{[\\","b":[1,{"c":"}"}],"d":2} ,rest)";
  const char* end = text.data() + text.size();
  const char* after = coco::SkipJsonValue(text.data(), end);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(std::string_view(after), " ,rest");
  // A number stops at its delimiter; a truncated object is not a value.
  std::string num = "-12.5e3,";
  EXPECT_EQ(coco::SkipJsonValue(num.data(), num.data() + num.size()), num.data() + 7);
  std::string cut = R"({"a":[1,2)";
  EXPECT_EQ(coco::SkipJsonValue(cut.data(), cut.data() + cut.size()), nullptr);
  std::string open_string = R"({"a":"xx\")";
  EXPECT_EQ(coco::SkipJsonValue(open_string.data(), open_string.data() + open_string.size()), nullptr);
}

TEST(CocoSplit, FindsTheFirstMemberAtTheObjectsOwnLevel) {
  // "segmentation" inside a nested object and inside a string value are not the member.
  std::string text = R"({"x":{"segmentation":1},"y":"segmentation","segmentation" : [ [1, 2] ] ,)"
                     R"("segmentation":{"late":1}})";
  coco::MemberSpan span;
  const char* after = coco::SkipJsonValue(text.data(), text.data() + text.size(), "segmentation", &span);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after, text.data() + text.size());
  ASSERT_NE(span.begin, nullptr);
  EXPECT_EQ(std::string_view(span.begin, size_t(span.end - span.begin)), "[ [1, 2] ]");
  coco::MemberSpan last;
  std::string tail = R"({"a":1,"segmentation":null})";
  coco::SkipJsonValue(tail.data(), tail.data() + tail.size(), "segmentation", &last);
  EXPECT_EQ(std::string_view(last.begin, size_t(last.end - last.begin)), "null");
}

TEST(CocoSplit, MinifiesOutsideStringsOnly) {
  std::string out;
  coco::AppendMinifiedJson("{ \"counts\" : \"a b\\\" c\",\n \"size\": [ 2 ,3 ] }", &out);
  EXPECT_EQ(out, R"({"counts":"a b\" c","size":[2,3]})");
}

// --- the reader

const char* kImages = R"("images":[{"id":7,"file_name":"a.jpg","width":10,"height":8},{"id":9,"file_name":"b.jpg"}])";
const char* kCategories = R"("categories":[{"id":3,"name":"cat"}])";
const char* kAnnotations =
    R"("annotations":[{"id":1,"image_id":9,"category_id":3,"bbox":[1,2,3,4],"segmentation":[[1.50,2,3,4]]},)"
    R"({"id":2,"image_id":7,"category_id":3,"bbox":[0,0,1,1],"iscrowd":1}])";

std::string Doc(const std::string& a, const std::string& b, const std::string& c) {
  return "{" + a + "," + b + "," + c + "}";
}

TEST(CocoStream, MembersInAnyOrderGiveTheSameInstances) {
  auto a = coco::ParseInstances(Doc(kImages, kCategories, kAnnotations), "a.json");
  auto b = coco::ParseInstances(Doc(kAnnotations, kCategories, kImages), "b.json");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(a->annotations.size(), 2u);
  ASSERT_EQ(b->annotations.size(), 2u);
  EXPECT_EQ(b->images.size(), 2u);
  EXPECT_TRUE(b->has_annotations);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a->annotations[i].image_id, b->annotations[i].image_id);
    EXPECT_EQ(a->annotations[i].segmentation, b->annotations[i].segmentation);
    EXPECT_EQ(a->annotations[i].iscrowd, b->annotations[i].iscrowd);
  }
  EXPECT_EQ(b->annotations[0].segmentation, "[[1.5,2,3,4]]");  // the DOM's spelling (box-eval's)
}

TEST(CocoStream, EveryBatchSizeGivesTheSameResultAndGlobalPaths) {
  std::string anns = R"("annotations":[)";
  for (int i = 0; i < 40; ++i)
    anns += (i ? "," : "") + std::string(R"({"id":)") + std::to_string(i + 1) +
            R"(,"image_id":7,"category_id":3,"bbox":[)" + std::to_string(i) + ",0,1,1]}";
  std::string good = Doc(kImages, kCategories, anns + "]");
  for (size_t batch : {size_t(1), size_t(100), size_t(1) << 20}) {
    coco::ParseOptions o;
    o.batch_bytes = batch;
    auto r = coco::ParseInstances(good, "g.json", o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->annotations.size(), 40u);
    EXPECT_EQ(r->annotations[39].bbox[0], 39.0);
    EXPECT_EQ(r->annotations[39].id, 40);
  }
  // An error in element 33 names element 33, whatever batch it fell in.
  std::string bad = good;
  bad.replace(bad.find(R"("bbox":[33,0,1,1])"), 17, R"("bbox":[33,0,1])");
  for (size_t batch : {size_t(1), size_t(100), size_t(1) << 20}) {
    coco::ParseOptions o;
    o.batch_bytes = batch;
    auto r = coco::ParseInstances(bad, "g.json", o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("g.json: annotations[33].bbox: expected 4 numbers"), std::string::npos)
        << r.error().message;
  }
}

TEST(CocoStream, MalformedTextInALaterBatchSaysWhere) {
  std::string text = "{" + std::string(kImages) + ",\n" + kCategories + ",\n\"annotations\":[" +
                     R"({"id":1,"image_id":7,"category_id":3,"bbox":[0,0,1,1]},)" + "\n" +
                     R"({"id":2,"image_id":7,"category_id":3,"bbox":[0,0,1,NaN]}]})";
  coco::ParseOptions o;
  o.batch_bytes = 1;
  auto r = coco::ParseInstances(text, "m.json", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad-json");
  EXPECT_NE(r.error().message.find("m.json: malformed JSON at line 4, column 52"), std::string::npos)
      << r.error().message;
  // A bad number inside a segmentation the reader only keeps a span of is still refused.
  std::string seg = Doc(kImages, kCategories,
                        R"("annotations":[{"id":1,"image_id":7,"category_id":3,"bbox":[0,0,1,1],"segmentation":[[1,2,Infinity]]}])");
  std::string path = TempFile("seg.json", seg);
  auto m = coco::MappedInstances::Open(path, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "bad-json");
  fs::remove(path);
  auto trailing = coco::ParseInstances(Doc(kImages, kCategories, kAnnotations) + " x", "t.json");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code, "bad-json");
}

TEST(CocoStream, SpansPointAtTheRawTextInTheMap) {
  std::string text = Doc(kImages, kCategories, kAnnotations);
  std::string path = TempFile("spans.json", text);
  auto m = coco::MappedInstances::Open(path, {});
  ASSERT_TRUE(m.ok()) << m.error().message;
  coco::Instances& in = (*m)->instances;
  ASSERT_EQ(in.annotations.size(), 2u);
  EXPECT_EQ((*m)->Read(in.annotations[0].segmentation_at), "[[1.50,2,3,4]]");  // as written
  EXPECT_EQ(in.annotations[0].segmentation, "");  // no copy
  EXPECT_EQ(in.annotations[1].segmentation_at.size, 0u);
  (*m)->Release();
  EXPECT_EQ((*m)->Read(in.annotations[0].segmentation_at), "[[1.50,2,3,4]]");  // pages come back
  fs::remove(path);
}

TEST(CocoStream, EscapedSegmentationKeyFallsBackToACopy) {
  std::string text = Doc(kImages, kCategories,
                         R"("annotations":[{"id":1,"image_id":7,"category_id":3,"bbox":[0,0,1,1],"segm\u0065ntation":[[1,2]]}])");
  std::string path = TempFile("escaped.json", text);
  auto m = coco::MappedInstances::Open(path, {});
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ((*m)->instances.annotations[0].segmentation_at.size, 0u);
  EXPECT_EQ((*m)->instances.annotations[0].segmentation, "[[1,2]]");
  fs::remove(path);
}

// --- label-conv's reader on top of it

const labels::Format& Coco() { return *labels::FindFormat("coco"); }

TEST(CocoStream, LabelConvReadsAnnotationsBeforeImages) {
  std::string path = TempFile("order.json", Doc(kAnnotations, kCategories, kImages));
  auto ds = Coco().read(path, {});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  ASSERT_EQ(ds->images.size(), 2u);
  auto boxes = ReadBoxes(ds->images[1]);  // image 9, listed second, owns annotation 1
  ASSERT_TRUE(boxes.ok());
  ASSERT_EQ(boxes->size(), 1u);
  EXPECT_EQ(*(*boxes)[0].fields.FindRaw("segmentation"), "[[1.50,2,3,4]]");  // raw, exact spelling
  EXPECT_EQ((*boxes)[0].box.x1, 4.0);
  fs::remove(path);
}

TEST(CocoStream, PrettyPrintedSegmentationIsCompactedInTheRecord) {
  std::string path = TempFile("pretty.json", Doc(kImages, kCategories,
                                                  "\"annotations\":[{\"id\":1,\"image_id\":7,\"category_id\":3,"
                                                  "\"bbox\":[0,0,1,1],\"segmentation\":{\n \"counts\": \"a b\",\n"
                                                  " \"size\": [8, 10]\n}}]"));
  auto ds = Coco().read(path, {});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  auto boxes = ReadBoxes(ds->images[0]);
  ASSERT_TRUE(boxes.ok());
  EXPECT_EQ(*(*boxes)[0].fields.FindRaw("segmentation"), R"({"counts":"a b","size":[8,10]})");
  EXPECT_EQ(ds->images[0].ToJson().find('\n'), std::string::npos);
  fs::remove(path);
}

TEST(CocoStream, UnknownImageIdIsAnErrorWithItsJsonPath) {
  std::string anns =
      R"("annotations":[{"id":1,"image_id":7,"category_id":3,"bbox":[0,0,1,1]},{"id":2,"image_id":404,"category_id":3,"bbox":[0,0,1,1]}])";
  std::string path = TempFile("unknown.json", Doc(anns, kImages, kCategories));
  auto ds = Coco().read(path, {});
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find(path + ": annotations[1].image_id: image id 404 is not in `images`"),
            std::string::npos)
      << ds.error().message;
  std::vector<labels::Issue> issues;
  labels::ReadOptions ro;
  ro.issues = &issues;
  auto checked = Coco().read(path, ro);
  ASSERT_TRUE(checked.ok());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "unknown-image-id");
  EXPECT_EQ(issues[0].where, path + ": annotations[1].image_id");
  fs::remove(path);
}

TEST(CocoWriter, CountsPolylinesAndVerbatimShapesAsLost) {
  labels::Dataset ds;
  Record r;
  r.SetString("id", "1");
  r.SetInt("width", 10);
  r.SetInt("height", 10);
  r.SetRaw("boxes", R"([{"label":"a","x0":1,"y0":1,"x1":2,"y1":2}])");
  r.SetRaw("polylines", R"([{"label":"a","points":[[0,0],[1,1]]},{"label":"a","points":[[2,2],[3,3]]}])");
  r.SetRaw("cvat", R"({"xml":["<ellipse label=\"a\" cx=\"1\" cy=\"1\" rx=\"1\" ry=\"1\"/>"]})");
  r.SetRaw("labelme", R"({"shapes":[{"label":"a","shape_type":"circle","points":[[1,1],[2,2]]},)"
                      R"({"label":"a","shape_type":"mask","points":[]}]})");
  ds.images.push_back(r);
  ds.classes = {"a"};
  fs::path out = fs::temp_directory_path() / ("coco_stream_test." + std::to_string(::getpid()) + ".out.json");
  labels::LossReport losses;
  Status refused = Coco().write(ds, out.string(), {}, losses);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "lossy");
  EXPECT_NE(refused.error().message.find("2 x polyline"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(fs::exists(out));
  labels::WriteOptions wo;
  wo.allow_lossy = true;
  ASSERT_TRUE(Coco().write(ds, out.string(), wo, losses).ok());
  auto counts = losses.counts();
  EXPECT_EQ(counts["polyline"], 2u);
  EXPECT_EQ(counts["other shape"], 3u);  // one CVAT ellipse, a LabelMe circle and mask
  EXPECT_TRUE(fs::exists(out));
  fs::remove(out);
}

// A train2017-like file of 50,000 images with polygons (~40 MB), read by label-conv's COCO reader
// in a child process, whose peak memory growth is measured against its own peak at the start (the
// test process's memory does not count). What the reader holds is the records (~1x the file: they
// carry the polygons as text), the index and per-record objects, plus fixed costs that weigh more
// at this size (the batch parser, the windows of mapped pages): ~3x here, 1.9x for the whole
// program at train2017 size (bench/README.md). The DOM reader it replaced grew ~5x here (the
// parsed document, a copy of the file and the records): the bound, 4x, tells the two apart.
TEST(CocoStream, BigFileReadsWithoutHoldingTheDocument) {
  std::string path;
  size_t file_bytes = 0;
  {
    std::string text = R"({"info":{"year":2017},"images":[)";
    const int kImagesN = 50000;
    for (int i = 1; i <= kImagesN; ++i)
      text += (i > 1 ? "," : "") + std::string(R"({"id":)") + std::to_string(i) +
              R"(,"file_name":"x.jpg","width":640,"height":480})";
    text += R"(],"categories":[{"id":1,"name":"a"}],"annotations":[)";
    std::string poly = "[[";
    for (int k = 0; k < 40; ++k) poly += (k ? "," : "") + std::to_string(100 + k) + ".25";
    poly += "]]";
    for (int i = 0; i < 2 * kImagesN; ++i)
      text += (i ? "," : "") + std::string(R"({"segmentation":)") + poly + R"(,"area":12.5,"iscrowd":0,"image_id":)" +
              std::to_string(kImagesN - i / 2) + R"(,"bbox":[10.5,20.25,30,40],"category_id":1,"id":)" +
              std::to_string(i + 1) + "}";
    text += "]}";
    file_bytes = text.size();
    path = TempFile("big.json", text);
  }
  ASSERT_GT(file_bytes, size_t(40) << 20);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    auto ds = Coco().read(path, {});
    getrusage(RUSAGE_SELF, &after);
    if (!ds.ok() || ds->images.size() != 50000) _exit(3);
    size_t grown = size_t(after.ru_maxrss - before.ru_maxrss) * 1024;
    fprintf(stderr, "coco read: file %zu MB, peak grew %zu MB\n", file_bytes >> 20, grown >> 20);
    _exit(grown < 4 * file_bytes ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  fs::remove(path);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 3) << "the child could not read the file";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "reading grew the peak memory by 4x the file's size or more";
}

}  // namespace
}  // namespace imgpipe
