// YOLO txt (one file per image) <-> the record stream. A line is either a detection,
// "class cx cy w h" (normalised centre and size; a 6th number is a score), or an Ultralytics
// segment, "class x1 y1 x2 y2 ... xn yn" (a normalised polygon of 3 or more points); each line
// says which by its count of numbers. Class names from classes.txt, obj.names or data.yaml; image
// sizes from the image files' headers.
//
// Segments read as a box (the polygon's extent) whose `segmentation` is the polygon in COCO's
// form, [[x1,y1,...,xn,yn]] in absolute pixels, so yolo -> coco keeps it and coco -> yolo can
// write it back. Writing segments is asked for with --layout segment (or ultralytics,segment);
// see SegmentLosses for what cannot go into a segment line.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "formats/labels/shapes.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

// The image extensions tried beside a label file: lower case first, then upper case.
const std::vector<std::string>& ProbeExtensions() {
  static const std::vector<std::string> exts = [] {
    std::vector<std::string> out = ImageExtensions();
    for (const std::string& e : ImageExtensions()) {
      std::string upper = e;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
      out.push_back(upper);
    }
    return out;
  }();
  return exts;
}

bool IsListFile(const std::string& name) {
  return name == "classes.txt" || name == "train.txt" || name == "val.txt" || name == "valid.txt" ||
         name == "test.txt" || name == "trainval.txt" || name.starts_with("README") ||
         name.starts_with("readme");
}

fs::path YoloRoot(const std::string& path) {
  std::error_code ec;
  fs::path p = path;
  if (!fs::is_directory(p, ec)) return p.parent_path().empty() ? fs::path(".") : p.parent_path();
  return p;
}

// Label files: *.txt under labels/ when there is one, else under the root without its list files.
std::vector<fs::path> LabelFiles(const fs::path& root, fs::path* label_root) {
  std::error_code ec;
  *label_root = fs::is_directory(root / "labels", ec) ? root / "labels" : root;
  std::vector<fs::path> out;
  for (auto it = fs::recursive_directory_iterator(*label_root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file() || it->path().extension() != ".txt") continue;
    if (it->path().parent_path() == root && IsListFile(it->path().filename().string())) continue;
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool DetectYolo(const std::string& path) {
  fs::path root = YoloRoot(path);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return false;
  // A Hugging Face imagefolder may also carry a classes.txt; its metadata.jsonl decides.
  if (fs::exists(root / "metadata.jsonl", ec)) return false;
  bool names = fs::exists(root / "classes.txt", ec) || fs::exists(root / "obj.names", ec) ||
               fs::exists(root / "data.yaml", ec) || fs::exists(root / "obj.data", ec);
  if (!names) return false;
  fs::path label_root;
  auto files = LabelFiles(root, &label_root);
  if (files.empty()) return true;
  // The first non-empty line must look like "<int> <num> <num> <num> <num>".
  std::string head = ReadHead(files[0].string(), 512);
  size_t nl = head.find('\n');
  std::string line = head.substr(0, nl);
  int n = 0;
  char* p = line.data();
  while (*p) {
    char* end;
    std::strtod(p, &end);
    if (end == p) break;
    ++n;
    p = end;
  }
  return line.empty() || n >= 5;
}

Result<std::vector<std::string>> YoloNames(const fs::path& root, const ReadOptions& options) {
  if (options.classes) return *options.classes;
  std::error_code ec;
  for (const char* name : {"data.yaml", "dataset.yaml", "classes.txt", "obj.names"})
    if (fs::exists(root / name, ec)) return ReadClassesFile((root / name).string());
  return std::vector<std::string>{};
}

std::optional<fs::path> FindImage(const fs::path& root, const fs::path& label_root, const fs::path& label,
                                  const ReadOptions& options) {
  fs::path rel_dir = fs::relative(label.parent_path(), label_root);
  std::string stem = label.stem().string();
  std::vector<fs::path> dirs = {label.parent_path()};
  if (!options.images_dir.empty()) {
    dirs.push_back(fs::path(options.images_dir) / rel_dir);
    dirs.push_back(options.images_dir);
  }
  dirs.push_back(root / "images" / rel_dir);
  // datumaro's and CVAT's layouts: Annotations/ beside Images/ or JPEGImages/.
  for (const char* sib : {"Images", "images", "JPEGImages"}) dirs.push_back(label.parent_path().parent_path() / sib);
  std::error_code ec;
  for (const fs::path& d : dirs)
    for (const std::string& ext : ProbeExtensions()) {
      fs::path p = d / (stem + ext);
      if (fs::is_regular_file(p, ec)) return p;
    }
  return std::nullopt;
}

// One label line into `boxes` (a JSON array being built): a detection (5 numbers, or 6 with a
// score) or a segment (an odd count of 7 or more: class and 3+ points). *added is set when a box
// was appended; problems go through Problem() (recorded under --check, else the error).
Status ReadLine(std::string_view text, const std::string& where, const std::string& fname,
                const std::optional<std::pair<int, int>>& size, bool named, const ReadOptions& options,
                Dataset& ds, std::string* boxes, bool* added) {
  std::string line(text);
  std::vector<double> v;
  const char* p = line.c_str();
  while (true) {
    char* end;
    double d = std::strtod(p, &end);
    if (end == p) break;
    v.push_back(d);
    p = end;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
  size_t n = v.size();
  bool detection = n == 5 || n == 6, segment = n >= 7 && n % 2 == 1;
  if ((!detection && !segment) || *p != '\0')
    return Problem(options, where, "bad-line",
                   "expected \"class cx cy w h\" (5 numbers) or a segment \"class x1 y1 x2 y2 x3 y3 ...\" (an odd "
                   "count of 7 or more), got " + (*p ? "text \"" + std::string(p).substr(0, 20) + "\""
                                                     : std::to_string(n) + " numbers"));
  for (double x : v)
    if (!std::isfinite(x)) return Problem(options, where, "not-finite", "NaN or infinite value");
  if (v[0] < 0 || v[0] != std::floor(v[0]) || (named && v[0] >= double(ds.classes.size())) || v[0] > 1e6)
    return Problem(options, where, "unknown-category",
                   "class id " + FormatShortest(v[0]) + " is not in the class list (" +
                       std::to_string(ds.classes.size()) + " names)");
  if (!size)
    return Problem(options, where, "no-image-size",
                   "no image found for " + fname + " (YOLO boxes are fractions of the image size; give --images DIR)");
  size_t cls = size_t(v[0]);
  if (!named)
    while (ds.classes.size() <= cls) ds.classes.push_back(std::to_string(ds.classes.size()));
  double W = size->first, H = size->second;
  if (boxes->size() > 1) boxes->push_back(',');
  JsonObjectWriter w(boxes);
  if (detection) {
    BeginBox(w, ds.classes[cls], FromYolo(v[1], v[2], v[3], v[4], W, H));
  } else {
    // Absolute points, their extent as the box, the polygon as COCO's segmentation.
    std::vector<Point> pts;
    for (size_t k = 1; k + 1 < n; k += 2) pts.push_back(FromYoloPoint(v[k], v[k + 1], W, H));
    BeginBox(w, ds.classes[cls], Extent(pts));
    std::string flat = "[[";
    for (size_t k = 0; k < pts.size(); ++k)
      flat += (k ? "," : "") + FormatShortest(pts[k][0]) + "," + FormatShortest(pts[k][1]);
    w.Raw("segmentation", flat + "]]");
  }
  // The class id travels with the box (like COCO's), so yolo -> ndjson -> yolo keeps ids.
  w.Int("category_id", int64_t(cls));
  if (n == 6) w.Number("score", v[5]);
  w.Close();
  *added = true;
  return Status::Ok();
}

Result<Dataset> ReadYolo(const std::string& path, const ReadOptions& options) {
  fs::path root = YoloRoot(path);
  Dataset ds;
  auto names = YoloNames(root, options);
  if (!names) return names.error();
  ds.classes = *names;
  bool named = !ds.classes.empty();
  fs::path label_root;
  auto files = LabelFiles(root, &label_root);
  for (const fs::path& file : files) {
    std::string fname = file.string();
    fs::path rel = fs::relative(file, label_root);
    Record r;
    r.SetString("id", fs::path(rel).replace_extension().generic_string());
    auto image = FindImage(root, label_root, file, options);
    std::optional<std::pair<int, int>> size;
    if (image) {
      std::error_code ec;
      fs::path image_rel = fs::relative(*image, root, ec);
      r.SetString("path", (ec || image_rel.empty() ? *image : image_rel).generic_string());
      size = ProbeImageSize(image->string());
      if (size) {
        r.SetInt("width", size->first);
        r.SetInt("height", size->second);
      }
    }
    if (label_root != root && rel.has_parent_path()) r.SetString("split", rel.begin()->string());
    auto text = ReadTextFile(fname, options.max_file_bytes);
    if (!text) return text.error();
    SourceLocation loc;
    if (options.locate) loc.image = fname;
    std::string boxes = "[";
    Status failed;
    ForEachLine(*text, /*skip_blank=*/true, [&](std::string_view line, size_t line_no) {
      std::string where = fname + ":" + std::to_string(line_no);
      bool added = false;
      failed = ReadLine(line, where, fname, size, named, options, ds, &boxes, &added);
      if (added && options.locate) loc.boxes.push_back(where);
      return bool(failed);
    });
    if (!failed) return failed.error();
    boxes.push_back(']');
    r.SetRaw("boxes", boxes);
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(std::move(loc));
  }
  return ds;
}

// --layout for yolo: a folder layout (flat, ultralytics) and/or a line kind (detect, segment),
// comma-separated: "ultralytics,segment", "segment" (= flat,segment).
struct YoloLayout {
  std::string folders = "flat";
  bool segment = false;
};

Result<YoloLayout> ParseLayout(const std::string& text) {
  YoloLayout l;
  bool folders = false, kind = false;
  for (size_t start = 0; start <= text.size();) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string word = text.substr(start, comma - start);
    start = comma + 1;
    if (word.empty() && text.empty()) break;
    bool is_folders = word == "flat" || word == "ultralytics", is_kind = word == "detect" || word == "segment";
    if ((!is_folders && !is_kind) || (is_folders && folders) || (is_kind && kind))
      return MakeError("usage", "yolo: unknown --layout \"" + text +
                                    "\" (flat or ultralytics, and/or detect or segment: e.g. ultralytics,segment)");
    if (is_folders) l.folders = word;
    else l.segment = word == "segment";
    folders |= is_folders;
    kind |= is_kind;
  }
  return l;
}

// The label file of a record: its image path with .txt, an "images" folder becoming "labels".
std::string LabelName(const Record& r, const std::string& layout) {
  std::string path = r.GetString("path").value_or("");
  if (path.empty()) path = r.GetString("id").value_or("");
  if (layout == "ultralytics") {
    std::string split = r.GetString("split").value_or("train");
    return "labels/" + split + "/" + StripExtension(Basename(path)) + ".txt";
  }
  std::string name = StripExtension(path) + ".txt";
  if (name.starts_with("images/")) name = "labels/" + name.substr(7);
  for (size_t at; (at = name.find("/images/")) != std::string::npos;) name.replace(at, 8, "/labels/");
  return name;
}

// A box's COCO polygon segmentation ([[x,y,...],...], or one flat [x,y,...]) as point lists.
struct BoxPolygons {
  std::vector<std::vector<Point>> parts;  // each of 3 or more points
  size_t degenerate = 0;                  // parts that are not 3+ numeric x,y pairs
  bool rle = false;                       // an RLE mask: no polygon to write
};

BoxPolygons PolygonsOf(const BoxRecord& b) {
  BoxPolygons out;
  const std::string* raw = b.fields.FindRaw("segmentation");
  if (!raw || *raw == "null") return out;
  if (!raw->empty() && raw->front() == '{') {
    out.rle = true;
    return out;
  }
  auto items = SplitJsonArray(*raw);
  if (!items) {
    out.degenerate = 1;
    return out;
  }
  std::vector<std::string_view> parts = *items;
  if (!parts.empty() && !parts[0].empty() && parts[0].front() != '[') parts = {std::string_view(*raw)};  // flat
  for (std::string_view part : parts) {
    auto nums = SplitJsonArray(part);
    std::vector<Point> pts;
    bool ok = nums && nums->size() % 2 == 0 && nums->size() >= 6;
    for (size_t k = 0; ok && k + 1 < nums->size(); k += 2) {
      auto x = DecodeJsonNumber((*nums)[k]), y = DecodeJsonNumber((*nums)[k + 1]);
      ok = x && y && std::isfinite(*x) && std::isfinite(*y);
      if (ok) pts.push_back({*x, *y});
    }
    if (ok) out.parts.push_back(std::move(pts));
    else ++out.degenerate;
  }
  return out;
}

// What segment lines cannot hold, beyond CountLosses (which, in segment mode, passes polygon
// segmentation and record-level polygons): RLE masks (the box is written instead), polygons
// with fewer than 3 points, several polygons of one object (each becomes its own line), a box
// that is not its polygon's extent (a segment line has only the polygon), a score, and polygon
// keys.
void SegmentLosses(const Record& r, const std::vector<BoxRecord>& boxes, LossReport& local) {
  for (const BoxRecord& b : boxes) {
    if (IsDroppedCrowd(b, Support{})) continue;
    BoxPolygons p = PolygonsOf(b);
    if (p.rle) local.Add("segmentation (RLE: written as the box)");
    if (p.degenerate) local.Add("polygon with fewer than 3 points", p.degenerate);
    if (p.parts.size() > 1) local.Add("multi-part polygon (each part its own line)");
    if (!p.parts.empty() && b.Score()) local.Add("score (not in segment lines)");
    if (!p.parts.empty()) {
      std::vector<Point> all;
      for (const auto& part : p.parts) all.insert(all.end(), part.begin(), part.end());
      BoxXYXY e = Extent(all);
      constexpr double kTol = 1e-6;  // pixels
      if (std::abs(e.x0 - b.box.x0) > kTol || std::abs(e.y0 - b.box.y0) > kTol || std::abs(e.x1 - b.box.x1) > kTol ||
          std::abs(e.y1 - b.box.y1) > kTol)
        local.Add("box (not its polygon's extent: a segment line keeps the polygon)");
    }
  }
  auto polygons = ReadShapes(r, "polygons");
  if (!polygons) return;  // WriteYolo reports it
  for (const ShapeRecord& s : *polygons) {
    if (s.points.size() < 3) local.Add("polygon with fewer than 3 points");
    for (const Field& f : s.fields.fields())
      if (f.key != "label" && f.key != "points" && f.raw != "null") local.Add("polygon key \"" + f.key + "\"");
  }
}

Status WriteYolo(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  auto layout = ParseLayout(options.layout);
  if (!layout) return layout.error();
  // A detection line holds a class, a box and a score (6th column, as prediction files have it);
  // a segment line a class and a polygon.
  Support support;
  support.score = true;
  support.segmentation = support.polygons = layout->segment;
  auto gathered = GatherForWrite(ds, support, options, losses, "yolo", layout->segment ? SegmentLosses : nullptr);
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;
  OutputFiles files;
  std::map<std::string, bool> splits;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string text;
    auto w = r.GetNumber("width"), h = r.GetNumber("height");
    auto class_of = [&](const std::optional<std::string>& label) -> Result<size_t> {
      if (!w || !h || *w <= 0 || *h <= 0)
        return MakeError("bad-record", RecordName(r, i) + ": no width/height (YOLO boxes are fractions of the image size)");
      auto cls = label ? ClassIndex(const_cast<Dataset&>(ds), *label, false) : std::nullopt;
      if (!cls) return MakeError("bad-labels", RecordName(r, i) + ": label \"" + label.value_or("") + "\" is not in the class list");
      return size_t(*cls);
    };
    auto segment_line = [&](size_t cls, const std::vector<Point>& pts) {
      text += std::to_string(cls);
      for (const Point& p : pts) {
        Point q = ToYoloPoint(p[0], p[1], *w, *h);
        text += " " + FormatDecimal(q[0], 10) + " " + FormatDecimal(q[1], 10);
      }
      text += "\n";
    };
    for (const BoxRecord& b : all[i]) {
      if (IsDroppedCrowd(b, support)) continue;
      auto cls = class_of(b.Label());
      if (!cls) return cls.error();
      if (layout->segment) {
        BoxPolygons p = PolygonsOf(b);
        for (const auto& part : p.parts) segment_line(*cls, part);
        if (!p.parts.empty()) continue;
      }
      double v[4];
      ToYolo(b.box, *w, *h, v);
      text += std::to_string(*cls);
      for (double x : v) text += " " + FormatDecimal(x, 10);
      if (auto score = b.Score()) text += " " + FormatShortest(*score);
      text += "\n";
    }
    if (layout->segment) {
      auto polygons = ReadShapes(r, "polygons");
      if (!polygons) return MakeError("bad-record", RecordName(r, i) + ": " + polygons.error().message);
      for (const ShapeRecord& s : *polygons) {
        if (s.points.size() < 3) continue;  // counted as lost
        auto cls = class_of(s.label);
        if (!cls) return cls.error();
        segment_line(*cls, s.points);
      }
    }
    files.Add(LabelName(r, layout->folders), std::move(text));
    splits[r.GetString("split").value_or("train")] = true;
  }
  if (layout->folders == "flat") {
    files.Add("classes.txt", ClassListText(ds.classes));
  } else {
    std::string yaml = "path: .\n";
    for (const auto& [split, _] : splits) yaml += split + ": images/" + split + "\n";
    yaml += "names:\n";
    for (size_t c = 0; c < ds.classes.size(); ++c) {
      std::string quoted = "'";
      for (char ch : ds.classes[c]) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
      yaml += "  " + std::to_string(c) + ": " + quoted + "'\n";
    }
    files.Add("data.yaml", std::move(yaml));
  }
  return files.Commit(out);
}

}  // namespace

extern const Format kYoloFormat{"yolo",
                                "YOLO txt, one file per image (class cx cy w h, or Ultralytics segments "
                                "class x1 y1 ... xn yn; normalised); classes.txt, obj.names or data.yaml names",
                                DetectYolo, ReadYolo, WriteYolo};

}  // namespace imgpipe::labels
