// label-conv's cvat, openimages, imagenet, labelme and hf formats: reading, round trips, lossy
// refusal, hostile input (DTDs, names climbing out of the output folder), and the real corpus.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "formats/labels/cvat.h"
#include "formats/labels/dataset.h"
#include "formats/labels/hf.h"
#include "formats/labels/imagenet.h"
#include "formats/labels/labelme.h"
#include "formats/labels/open_images.h"
#include "libcommon/boxes.h"
#include "tests/support/image_fixtures.h"
#include "tests/support/temp_folder.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

class LabelFormats2 : public testing::TempFolderTest {
 protected:
  const char* Prefix() const override { return "lab2"; }
};

Dataset MustRead(const Format& f, const std::string& path, ReadOptions options = {}) {
  auto ds = f.read(path, options);
  EXPECT_TRUE(ds.ok()) << f.name << " " << path << ": " << (ds.ok() ? "" : ds.error().message);
  return ds.ok() ? std::move(ds.value()) : Dataset{};
}

void MustWrite(const Format& f, const Dataset& ds, const std::string& out, WriteOptions options = {}) {
  LossReport losses;
  Status s = f.write(ds, out, options, losses);
  ASSERT_TRUE(s.ok()) << f.name << " -> " << out << ": " << s.error().message;
}

std::vector<BoxRecord> Boxes(const Record& r) {
  auto b = ReadBoxes(r);
  EXPECT_TRUE(b.ok());
  return b.ok() ? b.value() : std::vector<BoxRecord>{};
}

std::vector<ShapeRecord> Shapes(const Record& r, const char* key) {
  auto s = ReadShapes(r, key);
  EXPECT_TRUE(s.ok());
  return s.ok() ? s.value() : std::vector<ShapeRecord>{};
}

std::string Raw(const Record& r, const char* key) {
  const std::string* raw = r.FindRaw(key);
  return raw ? *raw : "<absent>";
}

// Every field of a box or shape except its geometry, as text.
std::string Others(const Record& fields) {
  std::string out;
  for (const Field& f : fields.fields())
    if (f.key != "x0" && f.key != "y0" && f.key != "x1" && f.key != "y1" && f.key != "points")
      out += f.key + "=" + f.raw + ";";
  return out;
}

// Same images, labels, boxes (1e-6) with the same flags/attributes, and the same shapes.
void ExpectSameAnnotations(const Dataset& a, const Dataset& b) {
  ASSERT_EQ(a.images.size(), b.images.size());
  for (size_t i = 0; i < a.images.size(); ++i) {
    const Record &ra = a.images[i], &rb = b.images[i];
    SCOPED_TRACE("image " + std::to_string(i) + " " + Raw(ra, "id"));
    EXPECT_EQ(Raw(ra, "id"), Raw(rb, "id"));
    EXPECT_EQ(Raw(ra, "split"), Raw(rb, "split"));
    EXPECT_EQ(Raw(ra, "labels"), Raw(rb, "labels"));
    EXPECT_EQ(ra.GetNumber("width"), rb.GetNumber("width"));
    EXPECT_EQ(ra.GetNumber("height"), rb.GetNumber("height"));
    auto ba = Boxes(ra), bb = Boxes(rb);
    ASSERT_EQ(ba.size(), bb.size());
    for (size_t j = 0; j < ba.size(); ++j) {
      EXPECT_NEAR(ba[j].box.x0, bb[j].box.x0, 1e-6);
      EXPECT_NEAR(ba[j].box.y0, bb[j].box.y0, 1e-6);
      EXPECT_NEAR(ba[j].box.x1, bb[j].box.x1, 1e-6);
      EXPECT_NEAR(ba[j].box.y1, bb[j].box.y1, 1e-6);
      EXPECT_EQ(Others(ba[j].fields), Others(bb[j].fields));
    }
    for (const char* key : {"polygons", "points", "polylines"}) {
      auto sa = Shapes(ra, key), sb = Shapes(rb, key);
      ASSERT_EQ(sa.size(), sb.size()) << key;
      for (size_t j = 0; j < sa.size(); ++j) {
        EXPECT_EQ(sa[j].label, sb[j].label);
        ASSERT_EQ(sa[j].points.size(), sb[j].points.size());
        for (size_t k = 0; k < sa[j].points.size(); ++k) {
          EXPECT_NEAR(sa[j].points[k][0], sb[j].points[k][0], 1e-6);
          EXPECT_NEAR(sa[j].points[k][1], sb[j].points[k][1], 1e-6);
        }
        EXPECT_EQ(Others(sa[j].fields), Others(sb[j].fields));
      }
    }
  }
}

// ---------------------------------------------------------------- CVAT

const char* kCvatXml = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><labels>
    <label><name>car</name><color>#ff0000</color><attributes>
      <attribute><name>color</name><input_type>select</input_type><default_value>red</default_value><values>red
blue</values></attribute>
    </attributes></label>
    <label><name>road</name></label>
    <label><name>sign</name></label>
  </labels></task></meta>
  <image id="0" name="a.jpg" width="640" height="480">
    <box label="car" source="manual" occluded="1" xtl="10" ytl="20.5" xbr="110" ybr="220" z_order="2">
      <attribute name="color">blue</attribute>
    </box>
    <box label="car" source="auto" occluded="0" xtl="0" ytl="0" xbr="1.25" ybr="3" rotation="30"/>
    <polygon label="road" occluded="0" points="1,2;30.5,4;6,50" z_order="1"/>
    <polyline label="road" points="0,0;10,10"/>
    <points label="sign" points="5,6;7,8"/>
    <tag label="sign"/>
    <ellipse label="sign" cx="50" cy="60" rx="5" ry="6"/>
  </image>
  <image id="1" name="b.jpg" width="10" height="10"></image>
</annotations>
)";

TEST_F(LabelFormats2, CvatReads) {
  Write("cvat/annotations.xml", kCvatXml);
  ASSERT_TRUE(kCvatFormat.detect(P("cvat")));
  Dataset ds = MustRead(kCvatFormat, P("cvat"));
  ASSERT_EQ(ds.images.size(), 2u);
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"car", "road", "sign"}));
  ASSERT_EQ(ds.class_info.size(), 3u);
  EXPECT_NE(ds.class_info[0].ToJson().find("\"select\""), std::string::npos);
  const Record& a = ds.images[0];
  EXPECT_EQ(a.GetString("id"), "a");
  EXPECT_EQ(a.GetNumber("width"), 640);
  auto boxes = Boxes(a);
  ASSERT_EQ(boxes.size(), 2u);
  // CVAT's edges are the stream's edges: no conversion.
  EXPECT_EQ(boxes[0].box.x0, 10);
  EXPECT_EQ(boxes[0].box.y0, 20.5);
  EXPECT_EQ(boxes[0].box.x1, 110);
  EXPECT_EQ(boxes[0].box.y1, 220);
  EXPECT_EQ(Raw(boxes[0].fields, "occluded"), "true");
  EXPECT_EQ(boxes[0].fields.GetNumber("z_order"), 2);
  EXPECT_EQ(Raw(boxes[0].fields, "attrs"), R"({"color":"blue"})");
  EXPECT_FALSE(boxes[1].fields.Has("occluded"));
  EXPECT_EQ(Raw(boxes[1].fields, "cvat"), R"({"rotation":30,"source":"auto"})");
  auto polys = Shapes(a, "polygons");
  ASSERT_EQ(polys.size(), 1u);
  EXPECT_EQ(polys[0].label, "road");
  EXPECT_EQ(polys[0].points.size(), 3u);
  EXPECT_EQ(polys[0].points[1][0], 30.5);
  EXPECT_EQ(Shapes(a, "polylines").size(), 1u);
  EXPECT_EQ(Shapes(a, "points")[0].points.size(), 2u);
  EXPECT_EQ(Raw(a, "labels"), R"(["sign"])");
  EXPECT_NE(Raw(a, "cvat").find("ellipse"), std::string::npos);
  EXPECT_EQ(Boxes(ds.images[1]).size(), 0u);
}

TEST_F(LabelFormats2, CvatRoundTripKeepsAttributesOccludedZOrderPolygons) {
  Write("cvat/annotations.xml", kCvatXml);
  Dataset a = MustRead(kCvatFormat, P("cvat"));
  MustWrite(kCvatFormat, a, P("out"));
  Dataset b = MustRead(kCvatFormat, P("out"));
  ExpectSameAnnotations(a, b);
  EXPECT_EQ(Raw(b.images[0], "cvat"), Raw(a.images[0], "cvat"));  // ellipse verbatim
  EXPECT_EQ(b.classes, a.classes);
  EXPECT_EQ(b.class_info[0].ToJson(), a.class_info[0].ToJson());
  // Without class specs (as after ndjson) the attribute names are declared from the data.
  a.class_info.clear();
  MustWrite(kCvatFormat, a, P("out2/annotations.xml"));
  std::ifstream in(P("out2/annotations.xml"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("<name>color</name>"), std::string::npos);
  ExpectSameAnnotations(a, MustRead(kCvatFormat, P("out2/annotations.xml")));
}

TEST_F(LabelFormats2, CvatRefusesDtdAndEntities) {
  Write("evil.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n"
        "<annotations><image id=\"0\" name=\"&lol2;\" width=\"1\" height=\"1\"/></annotations>\n");
  auto ds = kCvatFormat.read(P("evil.xml"), {});
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.error().code, "unsafe-xml");
}

TEST_F(LabelFormats2, CvatRefusesTracksAndBadBoxes) {
  Write("video.xml", "<annotations><track id=\"0\" label=\"car\"/></annotations>");
  EXPECT_EQ(kCvatFormat.read(P("video.xml"), {}).error().code, "unsupported");
  Write("bad.xml", "<annotations><image id=\"0\" name=\"a.jpg\"><box label=\"x\" xtl=\"nan\" ytl=\"0\" xbr=\"1\" ybr=\"1\"/></image></annotations>");
  EXPECT_FALSE(kCvatFormat.read(P("bad.xml"), {}).ok());
  std::vector<Issue> issues;
  ReadOptions check;
  check.issues = &issues;
  auto ds = kCvatFormat.read(P("bad.xml"), check);
  ASSERT_TRUE(ds.ok());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].where, P("bad.xml") + ":1");
}

TEST_F(LabelFormats2, LossyWritesRefusedWithoutAllowLossy) {
  Write("cvat/annotations.xml", kCvatXml);
  Dataset ds = MustRead(kCvatFormat, P("cvat"));
  LossReport losses;
  Status s = kOpenImagesFormat.write(ds, P("oi"), WriteOptions{}, losses);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "lossy");
  EXPECT_NE(s.error().message.find("polygon"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("attribute"), std::string::npos) << s.error().message;
  EXPECT_FALSE(fs::exists(P("oi")));  // nothing half-written
  WriteOptions lossy;
  lossy.allow_lossy = true;
  ASSERT_TRUE(kOpenImagesFormat.write(ds, P("oi"), lossy, losses).ok());
  auto counts = losses.counts();
  EXPECT_EQ(counts["polygon"], 1u);
  EXPECT_EQ(counts["attribute"], 1u);
  EXPECT_EQ(counts["point set"], 1u);
  EXPECT_EQ(counts["polyline"], 1u);

  // Attributes into hf, boxes into imagenet, string attributes into LabelMe flags.
  for (const Format* f : {&kHfFormat, &kImageNetFormat, &kLabelMeFormat}) {
    LossReport l;
    Status st = f->write(ds, P(std::string("x_") + f->name), WriteOptions{}, l);
    ASSERT_FALSE(st.ok()) << f->name;
    EXPECT_EQ(st.error().code, "lossy") << f->name;
  }
}

// ---------------------------------------------------------------- Open Images

void MakeOpenImages(const LabelFormats2& t) {
  t.Write("oi/annotations/oidv6-class-descriptions.csv",
              "LabelName,DisplayName\n/m/011k07,Tortoise\n/m/01g317,Person\n/m/0k4j,\"Car, red\"\n");
  t.Write("oi/annotations/image_ids_and_rotation.csv",
              "ImageID,Subset,OriginalURL,OriginalLandingURL,License,AuthorProfileURL,Author,Title,OriginalSize,"
              "OriginalMD5,Thumbnail300KURL,Rotation\n"
              "img1,train,http://x/1.jpg,,,,,,,,,0\nimg2,validation,,,,,,,,,,\n");
  t.Write("oi/annotations/images.meta", "# id height width\nimg1 200 400\n");
  t.Write("oi/annotations/oidv6-train-annotations-bbox.csv",
              "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"
              "img1,xclick,/m/011k07,1,0.1,0.5,0.25,0.75,1,0,-1,0,0\n"
              "img1,activemil,/m/0k4j,0.5,0,1,0,1,0,1,1,1,1\n");
  t.Write("oi/annotations/validation-annotations-bbox.csv",
              "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"
              "img2,xclick,/m/01g317,1,0.5,1,0,0.5,0,0,0,0,0\n");
  t.Write("oi/annotations/train-annotations-human-imagelabels.csv",
              "ImageID,Source,LabelName,Confidence\nimg1,verification,/m/01g317,1\nimg1,verification,/m/0k4j,0\n");
}

TEST_F(LabelFormats2, OpenImagesReads) {
  MakeOpenImages(*this);
  Png("oi/images/validation/img2.png", 30, 20);  // no images.meta entry: size from the file
  ASSERT_TRUE(kOpenImagesFormat.detect(P("oi")));
  Dataset ds = MustRead(kOpenImagesFormat, P("oi"));
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Tortoise", "Person", "Car, red"}));
  ASSERT_EQ(ds.class_info.size(), 3u);
  EXPECT_EQ(ds.class_info[0].GetString("mid"), "/m/011k07");
  ASSERT_EQ(ds.images.size(), 2u);
  const Record& a = ds.images[0];
  EXPECT_EQ(a.GetString("split"), "train");
  EXPECT_EQ(a.GetNumber("width"), 400);
  EXPECT_EQ(Raw(a, "labels"), R"(["Person"])");
  auto b = Boxes(a);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].Label(), "Tortoise");
  // x-x-y-y normalised order -> absolute edges.
  EXPECT_DOUBLE_EQ(b[0].box.x0, 40);
  EXPECT_DOUBLE_EQ(b[0].box.x1, 200);
  EXPECT_DOUBLE_EQ(b[0].box.y0, 50);
  EXPECT_DOUBLE_EQ(b[0].box.y1, 150);
  EXPECT_EQ(Others(b[0].fields), "label=\"Tortoise\";occluded=true;iscrowd=null;");
  EXPECT_EQ(Others(b[1].fields),
            "label=\"Car, red\";score=0.5;truncated=true;iscrowd=true;depiction=true;inside=true;source=\"activemil\";");
  EXPECT_NE(Raw(a, "openimages").find("\"negative_labels\":[\"Car, red\"]"), std::string::npos);
  EXPECT_NE(Raw(a, "openimages").find("http://x/1.jpg"), std::string::npos);
  const Record& c = ds.images[1];
  EXPECT_EQ(c.GetString("path"), "images/validation/img2.png");
  EXPECT_EQ(c.GetNumber("width"), 30);
  auto cb = Boxes(c);
  ASSERT_EQ(cb.size(), 1u);
  EXPECT_DOUBLE_EQ(cb[0].box.x0, 15);
  EXPECT_DOUBLE_EQ(cb[0].box.y1, 10);
}

TEST_F(LabelFormats2, OpenImagesRoundTrip) {
  MakeOpenImages(*this);
  Png("oi/images/validation/img2.png", 30, 20);
  Dataset a = MustRead(kOpenImagesFormat, P("oi"));
  MustWrite(kOpenImagesFormat, a, P("out"));
  Dataset b = MustRead(kOpenImagesFormat, P("out"));  // sizes now all from images.meta
  ExpectSameAnnotations(a, b);
  EXPECT_EQ(b.classes, a.classes);
  // As after ndjson: no class_info; the MIDs come from the records.
  a.class_info.clear();
  MustWrite(kOpenImagesFormat, a, P("out2"));
  std::ifstream in(P("out2/annotations/train-annotations-bbox.csv"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("img1,xclick,/m/011k07,1,0.1,0.5,0.25,0.75,1,0,-1,0,0"), std::string::npos) << text;
  ExpectSameAnnotations(a, MustRead(kOpenImagesFormat, P("out2")));
}

TEST_F(LabelFormats2, OpenImagesWithoutSizeIsAnError) {
  MakeOpenImages(*this);  // img2 has neither images.meta entry nor file
  auto ds = kOpenImagesFormat.read(P("oi"), {});
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("no size for image \"img2\""), std::string::npos) << ds.error().message;
  std::vector<Issue> issues;
  ReadOptions check;
  check.issues = &issues;
  ASSERT_TRUE(kOpenImagesFormat.read(P("oi"), check).ok());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "no-image-size");
  EXPECT_EQ(issues[0].where, P("oi/annotations/validation-annotations-bbox.csv") + ":2");
}

TEST_F(LabelFormats2, CsvQuoting) {
  std::string text = "a,\"b,\"\"c\"\"\",\"multi\nline\"\r\nx,y\n";
  size_t pos = 0;
  std::vector<std::string> row;
  ASSERT_TRUE(NextCsvRow(text, &pos, &row));
  EXPECT_EQ(row, (std::vector<std::string>{"a", "b,\"c\"", "multi\nline"}));
  ASSERT_TRUE(NextCsvRow(text, &pos, &row));
  EXPECT_EQ(row, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(NextCsvRow(text, &pos, &row));
  EXPECT_EQ(CsvField("b,\"c\""), "\"b,\"\"c\"\"\"");
}

// ---------------------------------------------------------------- ImageNet

TEST_F(LabelFormats2, ImageNetFoldersRoundTrip) {
  Png("in/cat/1.png", 4, 4);
  Png("in/cat/sub/2.png", 4, 4);
  Png("in/dog/3.png", 4, 4);
  Png("in/no_label/4.png", 4, 4);
  Png("in/stray.png", 4, 4);  // belongs to no class: skipped
  ASSERT_TRUE(kImageNetFormat.detect(P("in")));
  Dataset a = MustRead(kImageNetFormat, P("in"));
  EXPECT_EQ(a.classes, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(a.images.size(), 4u);
  EXPECT_EQ(a.images[1].GetString("id"), "cat/sub/2");
  EXPECT_EQ(Raw(a.images[1], "labels"), R"(["cat"])");
  EXPECT_EQ(Raw(a.images[3], "labels"), "[]");

  WriteOptions wo;
  wo.images_dir = P("in");
  MustWrite(kImageNetFormat, a, P("copy"), wo);
  EXPECT_TRUE(fs::is_regular_file(P("copy/cat/2.png")));
  EXPECT_FALSE(fs::is_symlink(P("copy/cat/2.png")));
  Dataset b = MustRead(kImageNetFormat, P("copy"));
  ASSERT_EQ(b.images.size(), 4u);
  EXPECT_EQ(b.classes, a.classes);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(Raw(a.images[i], "labels"), Raw(b.images[i], "labels"));

  wo.layout = "symlink";
  MustWrite(kImageNetFormat, a, P("links"), wo);
  EXPECT_TRUE(fs::is_symlink(P("links/dog/3.png")));
  EXPECT_EQ(MustRead(kImageNetFormat, P("links")).images.size(), 4u);
}

TEST_F(LabelFormats2, ImageNetSplitFolders) {
  Png("in/train/cat/1.png", 4, 4);
  Png("in/val/dog/2.png", 4, 4);
  Dataset a = MustRead(kImageNetFormat, P("in"));
  ASSERT_EQ(a.images.size(), 2u);
  EXPECT_EQ(a.images[0].GetString("split"), "train");
  EXPECT_EQ(a.images[1].GetString("split"), "val");
  EXPECT_EQ(a.classes, (std::vector<std::string>{"cat", "dog"}));
}

TEST_F(LabelFormats2, ImageNetTxtRoundTrip) {
  Write("txt/train.txt", "a.jpg 0\n\"with space\".jpg 2\nsub/b.jpg 1 2\n");
  Write("txt/synsets.txt", "n01\nn02\nn03\n");
  ASSERT_TRUE(kImageNetFormat.detect(P("txt")));
  Dataset a = MustRead(kImageNetFormat, P("txt"));
  ASSERT_EQ(a.images.size(), 3u);
  EXPECT_EQ(a.images[1].GetString("path"), "images/with space.jpg");
  EXPECT_EQ(Raw(a.images[2], "labels"), R"(["n02","n03"])");
  WriteOptions wo;
  wo.layout = "txt";
  MustWrite(kImageNetFormat, a, P("out"), wo);
  Dataset b = MustRead(kImageNetFormat, P("out"));
  ExpectSameAnnotations(a, b);
  EXPECT_EQ(b.classes, a.classes);
  // No class list: names are generated; an index beyond a given list is an error.
  Write("gen/val.txt", "x.jpg 3\n");
  EXPECT_EQ(MustRead(kImageNetFormat, P("gen")).classes.size(), 4u);
  Write("txt/test.txt", "c.jpg 7\n");
  EXPECT_FALSE(kImageNetFormat.read(P("txt"), {}).ok());
}

TEST_F(LabelFormats2, ImageNetRefusesClimbingNames) {
  Png("in/1.png", 4, 4);
  Dataset ds;
  Record r;
  r.SetString("id", "1");
  r.SetString("path", "1.png");
  r.SetRaw("labels", R"(["../../evil"])");
  ds.images.push_back(r);
  WriteOptions wo;
  wo.images_dir = P("in");
  LossReport l;
  Status s = kImageNetFormat.write(ds, P("out"), wo, l);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "unsafe-path");
  EXPECT_FALSE(fs::exists(P("evil")));
  ds.images[0].SetRaw("labels", R"(["ok"])");
  ds.images[0].SetString("split", "..");
  EXPECT_EQ(kImageNetFormat.write(ds, P("out"), wo, l).error().code, "unsafe-path");
}

// ---------------------------------------------------------------- LabelMe

const char* kLabelMeJson = R"({
  "version": "5.2.1",
  "flags": {"outdoor": true, "night": false},
  "shapes": [
    {"label": "car", "points": [[110.5, 220], [10, 20]], "group_id": null, "description": "", "shape_type": "rectangle", "flags": {"parked": true}},
    {"label": "road", "points": [[1, 2], [30, 4], [6, 50]], "group_id": 3, "description": "asphalt", "shape_type": "polygon", "flags": {}},
    {"label": "sign", "points": [[5, 6]], "group_id": null, "shape_type": "point", "flags": {}},
    {"label": "lane", "points": [[0, 0], [10, 10], [20, 5]], "group_id": null, "shape_type": "linestrip", "flags": {}},
    {"label": "lane", "points": [[0, 1], [2, 3]], "group_id": null, "shape_type": "line", "flags": {}},
    {"label": "wheel", "points": [[50, 50], [55, 50]], "group_id": null, "shape_type": "circle", "flags": {}}
  ],
  "imagePath": "../images/a.jpg",
  "imageData": "iVBORw0KGgo=",
  "imageHeight": 480,
  "imageWidth": 640,
  "extra_key": [1, 2]
})";

TEST_F(LabelFormats2, LabelMeReads) {
  Write("lm/ann/a.json", kLabelMeJson);
  ASSERT_TRUE(kLabelMeFormat.detect(P("lm")));
  Dataset ds = MustRead(kLabelMeFormat, P("lm"));
  ASSERT_EQ(ds.images.size(), 1u);
  const Record& r = ds.images[0];
  EXPECT_EQ(r.GetString("id"), "ann/a");
  EXPECT_EQ(r.GetString("path"), "images/a.jpg");
  EXPECT_EQ(r.GetNumber("width"), 640);
  EXPECT_EQ(Raw(r, "labels"), R"(["outdoor"])");
  auto b = Boxes(r);
  ASSERT_EQ(b.size(), 1u);  // corners in any order -> normalised
  EXPECT_EQ(b[0].box.x0, 10);
  EXPECT_EQ(b[0].box.y0, 20);
  EXPECT_EQ(b[0].box.x1, 110.5);
  EXPECT_EQ(b[0].box.y1, 220);
  EXPECT_EQ(Raw(b[0].fields, "attrs"), R"({"parked":true})");
  auto polys = Shapes(r, "polygons");
  ASSERT_EQ(polys.size(), 1u);
  EXPECT_EQ(Others(polys[0].fields), "label=\"road\";group_id=3;description=\"asphalt\";");
  EXPECT_EQ(Shapes(r, "points").size(), 1u);
  EXPECT_EQ(Shapes(r, "polylines").size(), 2u);
  std::string extra = Raw(r, "labelme");
  EXPECT_NE(extra.find("circle"), std::string::npos);
  EXPECT_NE(extra.find("extra_key"), std::string::npos);
  EXPECT_EQ(extra.find("iVBOR"), std::string::npos);  // imageData not kept
}

TEST_F(LabelFormats2, LabelMeRoundTrip) {
  Write("lm/ann/a.json", kLabelMeJson);
  Dataset a = MustRead(kLabelMeFormat, P("lm"));
  MustWrite(kLabelMeFormat, a, P("out"));
  std::ifstream in(P("out/ann/a.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("\"imageData\":null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"imagePath\":\"../images/a.jpg\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"shape_type\":\"line\""), std::string::npos) << text;
  Dataset b = MustRead(kLabelMeFormat, P("out"));
  ExpectSameAnnotations(a, b);
  EXPECT_EQ(Raw(b.images[0], "labelme"), Raw(a.images[0], "labelme"));
}

TEST_F(LabelFormats2, LabelMeRefusesClimbingNames) {
  Dataset ds;
  Record r;
  r.SetString("id", "../../evil");
  r.SetRaw("boxes", "[]");
  ds.images.push_back(r);
  LossReport l;
  Status s = kLabelMeFormat.write(ds, P("out"), WriteOptions{}, l);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "unsafe-path");
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "evil.json"));
}

// ---------------------------------------------------------------- Hugging Face

TEST_F(LabelFormats2, HfReadsAndRoundTrips) {
  Write("hf/classes.txt", "cat\ndog\n");
  Write("hf/train/metadata.jsonl",
        R"({"file_name": "a.png", "objects": {"bbox": [[1, 2, 3, 4.5], [0, 0, 10, 10]], "categories": [1, 0], "iscrowd": [0, 1], "area": [13.5, 100]}, "caption": "two pets", "width": 20, "height": 20})"
        "\n"
        R"({"file_name": "b.png", "objects": {"bbox": [], "categories": []}})"
        "\n");
  Png("hf/train/b.png", 7, 5);
  Write("hf/test/metadata.jsonl", R"({"file_name": "c.png", "objects": {"bbox": [[5, 5, 1, 1]], "categories": ["cat"]}, "id": 99})" "\n");
  ASSERT_TRUE(kHfFormat.detect(P("hf")));
  EXPECT_FALSE(kImageNetFormat.detect(P("hf")));
  Dataset a = MustRead(kHfFormat, P("hf"));
  EXPECT_EQ(a.classes, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(a.images.size(), 3u);
  const Record& r = a.images[1];  // split folders sorted: test, then train
  EXPECT_EQ(r.GetString("id"), "train/a");
  EXPECT_EQ(r.GetString("path"), "train/a.png");
  EXPECT_EQ(r.GetString("split"), "train");
  EXPECT_EQ(r.GetString("caption"), "two pets");
  auto b = Boxes(r);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].Label(), "dog");
  EXPECT_EQ(b[0].box.x1, 4);    // COCO xywh -> edges
  EXPECT_EQ(b[0].box.y1, 6.5);
  EXPECT_EQ(Raw(b[1].fields, "iscrowd"), "1");
  EXPECT_EQ(a.images[2].GetNumber("width"), 7);  // probed from the file
  EXPECT_EQ(Raw(a.images[0], "hf"), R"({"id":99})");

  MustWrite(kHfFormat, a, P("out"));
  ASSERT_TRUE(fs::exists(P("out/train/metadata.jsonl")));
  Dataset c = MustRead(kHfFormat, P("out"));
  ExpectSameAnnotations(a, c);
  EXPECT_EQ(c.images[1].GetString("caption"), "two pets");
  EXPECT_EQ(Raw(c.images[0], "hf"), R"({"id":99})");
}

TEST_F(LabelFormats2, HfRefusesClimbingFileNames) {
  Dataset ds;
  Record r;
  r.SetString("id", "x");
  r.SetString("path", "../outside/x.png");
  r.SetRaw("boxes", "[]");
  ds.images.push_back(r);
  LossReport l;
  Status s = kHfFormat.write(ds, P("out"), WriteOptions{}, l);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "unsafe-path");
}

TEST_F(LabelFormats2, DetectorsDoNotClaimEachOther) {
  Write("cvat/annotations.xml", kCvatXml);
  MakeOpenImages(*this);
  Write("lm/a.json", kLabelMeJson);
  Write("hf/metadata.jsonl", R"({"file_name": "a.png", "objects": {"bbox": [], "categories": []}})" "\n");
  Write("txt/train.txt", "a.jpg 0\n");
  const Format* formats[] = {&kCvatFormat, &kOpenImagesFormat, &kImageNetFormat, &kLabelMeFormat, &kHfFormat};
  const char* dirs[] = {"cvat", "oi", "txt", "lm", "hf"};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      EXPECT_EQ(formats[j]->detect(P(dirs[i])), i == j) << formats[j]->name << " on " << dirs[i];
}

// ---------------------------------------------------------------- X -> ndjson -> X, --classes

// The dataset written as the record stream (a file) and read back by the ndjson reader.
Dataset ThroughNdjson(const Dataset& ds, const std::string& file) {
  const Format* nd = FindFormat("ndjson");
  EXPECT_NE(nd, nullptr);
  MustWrite(*nd, ds, file);
  return MustRead(*nd, file);
}

TEST_F(LabelFormats2, EveryFormatThroughNdjsonAndBack) {
  {
    SCOPED_TRACE("cvat");
    Write("cvat/annotations.xml", kCvatXml);
    Dataset a = MustRead(kCvatFormat, P("cvat"));
    MustWrite(kCvatFormat, ThroughNdjson(a, P("cvat.ndjson")), P("cvat_out"));
    Dataset b = MustRead(kCvatFormat, P("cvat_out"));
    ExpectSameAnnotations(a, b);
    EXPECT_EQ(Raw(b.images[0], "cvat"), Raw(a.images[0], "cvat"));  // the ellipse, verbatim
  }
  {
    SCOPED_TRACE("openimages");
    MakeOpenImages(*this);
    Png("oi/images/validation/img2.png", 30, 20);
    Dataset a = MustRead(kOpenImagesFormat, P("oi"));
    MustWrite(kOpenImagesFormat, ThroughNdjson(a, P("oi.ndjson")), P("oi_out"));
    Dataset b = MustRead(kOpenImagesFormat, P("oi_out"));
    ExpectSameAnnotations(a, b);
    EXPECT_EQ(Raw(b.images[0], "openimages"), Raw(a.images[0], "openimages"));  // MIDs, negatives, meta
  }
  {
    SCOPED_TRACE("imagenet txt");
    Write("txt/train.txt", "a.jpg 0\n\"with space\".jpg 2\nsub/b.jpg 1 2\n");
    Write("txt/synsets.txt", "n01\nn02\nn03\n");
    Dataset a = MustRead(kImageNetFormat, P("txt"));
    WriteOptions wo;
    wo.layout = "txt";
    MustWrite(kImageNetFormat, ThroughNdjson(a, P("in.ndjson")), P("txt_out"), wo);
    ExpectSameAnnotations(a, MustRead(kImageNetFormat, P("txt_out")));
  }
  {
    SCOPED_TRACE("labelme");
    Write("lm/ann/a.json", kLabelMeJson);
    Dataset a = MustRead(kLabelMeFormat, P("lm"));
    MustWrite(kLabelMeFormat, ThroughNdjson(a, P("lm.ndjson")), P("lm_out"));
    Dataset b = MustRead(kLabelMeFormat, P("lm_out"));
    ExpectSameAnnotations(a, b);
    EXPECT_EQ(Raw(b.images[0], "labelme"), Raw(a.images[0], "labelme"));
  }
  {
    SCOPED_TRACE("hf");
    Write("hf/classes.txt", "cat\ndog\n");
    Write("hf/train/metadata.jsonl",
          R"({"file_name": "a.png", "objects": {"bbox": [[1, 2, 3, 4.5], [0, 0, 10, 10]], "categories": [1, 0], "iscrowd": [0, 1]}, "width": 20, "height": 20})"
          "\n");
    Dataset a = MustRead(kHfFormat, P("hf"));
    MustWrite(kHfFormat, ThroughNdjson(a, P("hf.ndjson")), P("hf_out"));
    ExpectSameAnnotations(a, MustRead(kHfFormat, P("hf_out")));
  }
}

// --classes: a label the list does not hold is an error naming where it is (or, under --check,
// an issue there), in every format that has labels.
TEST_F(LabelFormats2, ClassesFileUnknownLabelsAreErrorsWithTheirLocation) {
  Write("cvat/annotations.xml", kCvatXml);
  MakeOpenImages(*this);
  Write("lm/ann/a.json", kLabelMeJson);
  Write("hf/metadata.jsonl", R"({"file_name": "a.png", "objects": {"bbox": [[1, 2, 3, 4]], "categories": ["dog"]}, "width": 9, "height": 9})" "\n");
  Write("voc/a.xml", "<annotation><filename>a.jpg</filename><size><width>9</width><height>9</height></size>\n"
                     "<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>\n"
                     "</annotation>\n");
  Write("cml/a.json", R"([{"image": "a.jpg", "annotations": [{"label": "dog", "coordinates": {"x": 5, "y": 5, "width": 2, "height": 2}}]}])");
  struct Case {
    const char* format;
    std::string path, where;  // where: the expected location's start
  };
  const Case cases[] = {
      {"cvat", P("cvat"), P("cvat/annotations.xml") + ":13"},
      {"openimages", P("oi"), P("oi/annotations/image_ids_and_rotation.csv") + ":"},
      {"labelme", P("lm"), P("lm/ann/a.json") + ": "},
      {"hf", P("hf"), P("hf/metadata.jsonl") + ":1: objects.categories[0]"},
      {"voc", P("voc"), P("voc/a.xml") + ":2"},
      {"createml", P("cml"), P("cml/a.json") + ": [0].annotations[0].label"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.format);
    ReadOptions ro;
    ro.classes = std::vector<std::string>{"nothing-here"};
    const Format* f = FindFormat(c.format);
    ASSERT_NE(f, nullptr);
    auto ds = f->read(c.path, ro);
    ASSERT_FALSE(ds.ok());
    EXPECT_EQ(ds.error().code, "bad-labels");
    EXPECT_NE(ds.error().message.find("unknown label"), std::string::npos) << ds.error().message;
    if (std::string(c.format) != "openimages")
      EXPECT_EQ(ds.error().message.rfind(c.where, 0), 0u) << ds.error().message;
    else  // the first unknown label: a bbox CSV line or an image-labels CSV line
      EXPECT_NE(ds.error().message.find(".csv:"), std::string::npos) << ds.error().message;
    std::vector<Issue> issues;
    ro.issues = &issues;
    ASSERT_TRUE(f->read(c.path, ro).ok());
    ASSERT_FALSE(issues.empty());
    EXPECT_EQ(issues[0].code, "unknown-label");
  }
}

// VOC --check: a box without a number and a NaN corner, each with its file and line.
TEST_F(LabelFormats2, VocCheckNamesFileAndLine) {
  Write("voc/Annotations/a.xml",
        "<annotation><filename>a.jpg</filename><size><width>9</width><height>9</height></size>\n"
        "<object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax></bndbox></object>\n"
        "<object><name>x</name><bndbox><xmin>nan</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>\n"
        "<object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>\n"
        "</annotation>\n");
  std::vector<Issue> issues;
  ReadOptions ro;
  ro.issues = &issues;
  Dataset ds = MustRead(*FindFormat("voc"), P("voc"), ro);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].where, P("voc/Annotations/a.xml") + ":2");
  EXPECT_EQ(issues[0].code, "bad-box");
  EXPECT_EQ(issues[1].where, P("voc/Annotations/a.xml") + ":3");
  EXPECT_EQ(issues[1].code, "not-finite");
  EXPECT_EQ(Boxes(ds.images[0]).size(), 1u);
}

// Create ML and Open Images name output files after splits: one that climbs is refused.
TEST_F(LabelFormats2, CreateMlAndOpenImagesRefuseClimbingSplits) {
  Dataset ds;
  ds.classes = {"x"};
  Record r;
  r.SetString("id", "a");
  r.SetString("path", "a.png");
  r.SetString("split", "../../evil");
  r.SetInt("width", 9);
  r.SetInt("height", 9);
  r.SetRaw("boxes", R"([{"label":"x","x0":1,"y0":1,"x1":2,"y1":2}])");
  ds.images.push_back(r);
  for (const char* name : {"createml", "openimages"}) {
    LossReport l;
    Status s = FindFormat(name)->write(ds, P("out"), WriteOptions{}, l);
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().code, "unsafe-path") << name << ": " << s.error().message;
  }
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "evil"));
  EXPECT_FALSE(fs::exists(P("evil")));
}

// ---------------------------------------------------------------- the real corpus

fs::path Corpus() { return fs::path(IMGPIPE_SOURCE_DIR) / ".." / "shared" / "corpus" / "formats"; }

size_t CountBoxes(const Dataset& ds) {
  size_t n = 0;
  for (const Record& r : ds.images) n += Boxes(r).size();
  return n;
}
size_t CountShapes(const Dataset& ds, const char* key) {
  size_t n = 0;
  for (const Record& r : ds.images) n += Shapes(r, key).size();
  return n;
}

TEST_F(LabelFormats2, Corpus) {
  if (!fs::is_directory(Corpus()))
    GTEST_SKIP() << "no corpus at " << Corpus() << " (the optional ../shared checkout is absent)";
  struct Case {
    const Format* format;
    std::string path;
    size_t images, boxes;
  };
  // Counts read off the files by hand (see the corpus README).
  const Case cases[] = {
      {&kCvatFormat, "cvat/for_images/export_task", 2, 1},
      {&kCvatFormat, "cvat/for_images/export_project", 6, 3},
      {&kOpenImagesFormat, "open_images/v6", 4, 2},
      {&kOpenImagesFormat, "open_images/v5", 2, 0},
      {&kImageNetFormat, "imagenet", 3, 0},
      {&kImageNetFormat, "imagenet_txt/basic", 4, 0},
      {&kImageNetFormat, "imagenet_txt/custom_labels", 1, 0},
      {&kImageNetFormat, "imagenet_txt/no_labels", 1, 0},
  };
  for (const Case& c : cases) {
    std::string path = (Corpus() / c.path).string();
    SCOPED_TRACE(c.path);
    EXPECT_TRUE(c.format->detect(path));
    Dataset ds = MustRead(*c.format, path);
    EXPECT_EQ(ds.images.size(), c.images);
    EXPECT_EQ(CountBoxes(ds), c.boxes);
    // Converts to each of these formats (lossy where it must be) and reads back.
    for (const Format* to : {&kCvatFormat, &kOpenImagesFormat, &kImageNetFormat, &kLabelMeFormat, &kHfFormat}) {
      std::string out = P(std::string("conv_") + to->name + "_" + std::to_string(&c - cases));
      WriteOptions wo;
      wo.allow_lossy = true;
      wo.images_dir = path;
      if (to == &kImageNetFormat) wo.layout = "txt";
      LossReport losses;
      Status s = to->write(ds, out, wo, losses);
      if (to == &kHfFormat && !s.ok() && s.error().code == "unsafe-path") continue;
      ASSERT_TRUE(s.ok()) << to->name << ": " << s.error().message;
      auto back = to->read(out, ReadOptions{});
      ASSERT_TRUE(back.ok()) << to->name << ": " << back.error().message;
      EXPECT_EQ(back->images.size(), ds.images.size()) << to->name;
    }
  }
  // Details checked by hand.
  Dataset task = MustRead(kCvatFormat, (Corpus() / "cvat/for_images/export_task").string());
  EXPECT_EQ(CountShapes(task, "polygons"), 1u);
  EXPECT_EQ(CountShapes(task, "points"), 1u);
  EXPECT_EQ(CountShapes(task, "polylines"), 1u);
  auto box = Boxes(task.images[0]);
  EXPECT_EQ(Raw(box[0].fields, "attrs"), R"({"a1":"true","a2":"v3","a3":"0003","a4":"2.4"})");
  EXPECT_EQ(task.images[0].GetString("split"), "train");
  Dataset project = MustRead(kCvatFormat, (Corpus() / "cvat/for_images/export_project").string());
  EXPECT_EQ(project.images[0].GetString("path"), "images/Test/img0.jpg");
  Dataset v6 = MustRead(kOpenImagesFormat, (Corpus() / "open_images/v6").string());
  auto b = Boxes(v6.images[1]);  // b: 8x2 from images.meta ("b 2 8" is id height width)
  ASSERT_EQ(b.size(), 1u);
  EXPECT_DOUBLE_EQ(b[0].box.x0, 1.6);
  EXPECT_DOUBLE_EQ(b[0].box.y1, 1.0);
  auto c = Boxes(v6.images[2]);  // c: 5x10 from the JPEG header
  ASSERT_EQ(c.size(), 1u);
  EXPECT_DOUBLE_EQ(c[0].box.x0, 3.5);
  EXPECT_DOUBLE_EQ(c[0].box.y1, 5);
  EXPECT_EQ(c[0].Score(), 0.7);
  Dataset in = MustRead(kImageNetFormat, (Corpus() / "imagenet").string());
  EXPECT_EQ(in.classes, (std::vector<std::string>{"label_0", "label_1"}));
  Dataset txt = MustRead(kImageNetFormat, (Corpus() / "imagenet_txt/basic").string());
  EXPECT_EQ(txt.classes.size(), 10u);
  EXPECT_EQ(Raw(txt.images[1], "labels"), R"(["label_5"])");
}

}  // namespace
}  // namespace imgpipe::labels
