// The COCO JSON reader (formats/coco) and box-eval's stream input: values, defaults, and errors
// that name the file and the JSON path.
#include <gtest/gtest.h>

#include <string>

#include "formats/coco/coco_json.h"
#include "tests/support/stream_helpers.h"
#include "tools/box-eval/coco_eval.h"
#include "tools/box-eval/eval_input.h"

namespace imgpipe {
namespace {

const char* kGt = R"({"images":[{"id":7,"file_name":"a.jpg","width":640,"height":480},{"id":3}],
 "categories":[{"id":2,"name":"dog"},{"id":1,"name":"cat","supercategory":"animal"}],
 "annotations":[
  {"id":1,"image_id":7,"category_id":1,"bbox":[1,2,3,4],"area":10.5,"iscrowd":0,
   "segmentation":[[1, 2, 3, 4.50]]},
  {"id":2,"image_id":3,"category_id":2,"bbox":[0.5,0,10,10],"iscrowd":true,
   "segmentation":{"size":[4,4],"counts":[0,16]}},
  {"id":3,"image_id":3,"category_id":2,"bbox":[0,0,1,1],"difficult":1}]})";

TEST(CocoJsonTest, ReadsInstances) {
  auto r = coco::ParseInstances(kGt, "gt.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 2u);
  EXPECT_EQ(r->images[0].id, 7);
  EXPECT_EQ(r->images[0].file_name, "a.jpg");
  EXPECT_EQ(r->images[0].width, 640);
  EXPECT_EQ(r->images[1].width, 0);
  ASSERT_EQ(r->categories.size(), 2u);
  EXPECT_EQ(r->categories[1].name, "cat");
  EXPECT_EQ(r->categories[1].supercategory, "animal");
  ASSERT_EQ(r->annotations.size(), 3u);
  const coco::Annotation& a = r->annotations[0];
  EXPECT_EQ(a.bbox[3], 4.0);
  EXPECT_TRUE(a.has_area);
  EXPECT_EQ(a.area, 10.5);
  EXPECT_FALSE(a.iscrowd);
  EXPECT_EQ(a.segmentation, "[[1,2,3,4.5]]");
  EXPECT_TRUE(r->annotations[1].iscrowd);
  EXPECT_FALSE(r->annotations[1].has_area);
  EXPECT_EQ(r->annotations[1].area, 100.0);  // w*h when absent
  EXPECT_TRUE(r->annotations[2].difficult);
  auto no_seg = coco::ParseInstances(kGt, "gt.json", {.keep_segmentation = false});
  ASSERT_TRUE(no_seg.ok());
  EXPECT_EQ(no_seg->annotations[0].segmentation, "");
}

TEST(CocoJsonTest, ReadsResults) {
  auto r = coco::ParseResults(
      R"([{"image_id":1,"category_id":2,"bbox":[1,2,3,4],"score":0.25,"id":9},
          {"image_id":1,"category_id":1,"bbox":[0,0,1e2,1],"score":1}])",
      "dt.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].score, 0.25);
  EXPECT_EQ((*r)[1].bbox[2], 100.0);
}

void ExpectError(const Result<coco::Instances>& r, const std::string& part) {
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
}

TEST(CocoJsonTest, ErrorsNameTheJsonPath) {
  const std::string head = R"({"images":[{"id":1}],"categories":[{"id":1}],"annotations":[)";
  const std::string ok = R"({"id":1,"image_id":1,"category_id":1,"bbox":[0,0,1,1]})";
  ExpectError(coco::ParseInstances(head + ok + R"(,{"id":2,"image_id":1,"category_id":1,"bbox":[0,0,1]}]})",
                                   "gt.json"),
              "gt.json: annotations[1].bbox: expected 4 numbers");
  ExpectError(coco::ParseInstances(head + R"({"id":2,"image_id":1,"category_id":1}]})", "gt.json"),
              "annotations[0].bbox: missing");
  ExpectError(coco::ParseInstances(head + R"({"id":2,"category_id":1,"bbox":[0,0,1,1]}]})", "gt.json"),
              "annotations[0].image_id: missing");
  ExpectError(coco::ParseInstances(head + R"({"id":"x","image_id":1,"category_id":1,"bbox":[0,0,1,1]}]})",
                                   "gt.json"),
              "annotations[0].id: expected an integer id");
  ExpectError(coco::ParseInstances(head + R"({"id":2,"image_id":1,"category_id":1,"bbox":[0,0,1,"a"]}]})",
                                   "gt.json"),
              "annotations[0].bbox");
  ExpectError(coco::ParseInstances(R"({"images":[{"id":1}],"annotations":[]})", "gt.json"),
              "gt.json: categories: missing");
  ExpectError(coco::ParseInstances(R"([])", "gt.json"), "a results file?");
  ExpectError(coco::ParseInstances(R"({"images":{},"categories":[]})", "gt.json"),
              "images: expected an array");
  auto dt = coco::ParseResults(R"([{"image_id":1,"category_id":1,"bbox":[0,0,1,1]}])", "dt.json");
  ASSERT_FALSE(dt.ok());
  EXPECT_NE(dt.error().message.find("dt.json: [0].score: missing"), std::string::npos)
      << dt.error().message;
}

TEST(CocoJsonTest, MalformedJsonSaysWhere) {
  auto r = coco::ParseResults("[{\"image_id\":1,\"category_id\":1,\n\"bbox\":[0,0,1,1],\"score\":NaN}]",
                              "dt.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad-json");
  EXPECT_NE(r.error().message.find("dt.json: malformed JSON at line 2, column 26"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("NaN"), std::string::npos) << r.error().message;
  auto trunc = coco::ParseInstances("{\"images\":[", "gt.json");
  ASSERT_FALSE(trunc.ok());
  EXPECT_NE(trunc.error().message.find("gt.json: malformed JSON"), std::string::npos);
  auto big = coco::ParseResults("[{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,1,1e999],\"score\":1}]",
                                "dt.json");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("dt.json"), std::string::npos);
  auto missing = coco::ReadInstancesFile("/nonexistent/gt.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "io");
}

TEST(BoxEvalInputTest, CocoDatasetFollowsPycocotools) {
  auto gt = coco::ParseInstances(kGt, "gt.json");
  ASSERT_TRUE(gt.ok());
  auto dt = coco::ParseResults(R"([{"image_id":7,"category_id":1,"bbox":[1,2,3,4],"score":0.5},
      {"image_id":3,"category_id":99,"bbox":[1,2,3,4],"score":0.5}])", "dt.json");
  ASSERT_TRUE(dt.ok());
  auto d = box_eval::DatasetFromCoco(*gt, *dt, "dt.json");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->images, (std::vector<std::string>{"3", "7"}));  // ascending id
  ASSERT_EQ(d->categories.size(), 2u);
  EXPECT_EQ(d->categories[0].name, "cat");
  ASSERT_EQ(d->dt.size(), 1u);        // the unknown category is left out...
  EXPECT_EQ(d->warnings.size(), 1u);  // ...with a warning
  EXPECT_EQ(d->dt[0].area, 12.0);
  EXPECT_EQ(d->dt[0].image, 1u);
  auto bad = coco::ParseResults(R"([{"image_id":8,"category_id":1,"bbox":[1,2,3,4],"score":0.5}])", "dt.json");
  auto e = box_eval::DatasetFromCoco(*gt, *bad, "dt.json");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("dt.json: [0].image_id: image 8 is not in the GT"), std::string::npos);
}

Result<box_eval::EvalDataset> FromStreams(const std::string& gt, const std::string& pred) {
  testing::MemFile g(gt), p(pred);
  return box_eval::DatasetFromStreamFds(g.fd(), "gt.ndjson", p.fd(), "pred.ndjson", {});
}

TEST(BoxEvalInputTest, StreamsJoinById) {
  auto d = FromStreams(
      R"({"id":"10","boxes":[{"label":"dog","x0":0,"y0":0,"x1":10,"y1":10,"difficult":true}]}
{"id":"9","boxes":[{"label":"cat","x0":0,"y0":0,"x1":10,"y1":20,"area":150,"iscrowd":1}]}
{"id":"11"}
)",
      R"({"id":"9","boxes":[{"label":"cat","x0":0,"y0":0,"x1":10,"y1":10,"score":0.5}]}
{"id":"10","boxes":[{"label":"bird","x0":1,"y0":1,"x1":5,"y1":5,"score":0.1}]}
{"id":"10","error":{"tool":"x","code":"y","message":"z"}}
)");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->images, (std::vector<std::string>{"9", "10", "11"}));  // numeric order
  ASSERT_EQ(d->categories.size(), 3u);
  EXPECT_EQ(d->categories[0].key, "bird");
  ASSERT_EQ(d->gt.size(), 2u);
  EXPECT_EQ(d->gt[0].image, 0u);
  EXPECT_TRUE(d->gt[0].crowd);
  EXPECT_EQ(d->gt[0].area, 150.0);
  EXPECT_EQ(d->gt[0].h, 20.0);
  EXPECT_TRUE(d->gt[1].difficult);
  EXPECT_EQ(d->gt[1].area, 100.0);
  EXPECT_EQ(d->gt[1].voc[2], 9.0);  // x1 - 1
  EXPECT_EQ(d->failed_records, 1u);
  ASSERT_EQ(d->dt.size(), 2u);
  EXPECT_EQ(d->dt[0].score, 0.5);
}

TEST(BoxEvalInputTest, StreamErrorsNameRecordAndBox) {
  auto no_score = FromStreams(R"({"id":"a","boxes":[]})" "\n",
                              R"({"id":"a","boxes":[{"label":"x","x0":0,"y0":0,"x1":1,"y1":1}]})" "\n");
  ASSERT_FALSE(no_score.ok());
  EXPECT_NE(no_score.error().message.find("pred.ndjson: record 1 (id \"a\"): boxes[0].score"),
            std::string::npos)
      << no_score.error().message;
  auto unknown = FromStreams(R"({"id":"a"})" "\n", R"({"id":"b","boxes":[]})" "\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no GT record has this id"), std::string::npos);
  auto nan = FromStreams(R"({"id":"a","boxes":[{"label":"x","x0":0,"y0":0,"x1":null,"y1":1}]})" "\n", "");
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("gt.ndjson: record 1 (id \"a\"): boxes[0].x1"), std::string::npos)
      << nan.error().message;
  auto dup = FromStreams("{\"id\":\"a\"}\n{\"id\":\"a\"}\n", "");
  ASSERT_FALSE(dup.ok());
  auto no_label = FromStreams(R"({"id":"a","boxes":[{"x0":0,"y0":0,"x1":1,"y1":1}]})" "\n", "");
  ASSERT_FALSE(no_label.ok());
  EXPECT_NE(no_label.error().message.find("boxes[0].label"), std::string::npos);
}

TEST(BoxEvalInputTest, StreamAndCocoAgreeOnTheMetric) {
  // The same boxes through both doors give the same numbers (integer boxes: exact).
  auto gt = coco::ParseInstances(
      R"({"images":[{"id":1},{"id":2}],"categories":[{"id":1,"name":"a"}],"annotations":[
      {"id":1,"image_id":1,"category_id":1,"bbox":[0,0,10,10]},
      {"id":2,"image_id":2,"category_id":1,"bbox":[5,5,20,20]}]})", "gt.json");
  auto dt = coco::ParseResults(R"([{"image_id":1,"category_id":1,"bbox":[1,0,10,10],"score":0.9},
      {"image_id":2,"category_id":1,"bbox":[5,5,20,18],"score":0.8},
      {"image_id":2,"category_id":1,"bbox":[50,5,20,18],"score":0.85}])", "dt.json");
  ASSERT_TRUE(gt.ok() && dt.ok());
  auto a = box_eval::DatasetFromCoco(*gt, *dt, "dt.json");
  auto b = FromStreams(
      R"({"id":"1","boxes":[{"label":"a","x0":0,"y0":0,"x1":10,"y1":10}]}
{"id":"2","boxes":[{"label":"a","x0":5,"y0":5,"x1":25,"y1":25}]}
)",
      R"({"id":"1","boxes":[{"label":"a","x0":1,"y0":0,"x1":11,"y1":10,"score":0.9}]}
{"id":"2","boxes":[{"label":"a","x0":5,"y0":5,"x1":25,"y1":23,"score":0.8},{"label":"a","x0":50,"y0":5,"x1":70,"y1":23,"score":0.85}]}
)");
  ASSERT_TRUE(a.ok() && b.ok());
  box_eval::CocoParams p;
  p.threads = 1;
  auto ea = box_eval::EvaluateCoco(*a, p), eb = box_eval::EvaluateCoco(*b, p);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(ea.stats[i], eb.stats[i]) << i;
}

}  // namespace
}  // namespace imgpipe
