// Open Images (v5/v6 CSV layout) <-> the record stream.
//
// Layout: <root>/annotations/ holds the CSVs, <root>/images/<subset>/<ImageID>.<ext> the images:
//   *-annotations-bbox.csv   ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,
//                            IsTruncated,IsGroupOf,IsDepiction,IsInside
//   oidv6-class-descriptions.csv (LabelName,DisplayName header), or class-descriptions.csv /
//                            class-descriptions-boxable.csv (v5, no header)
//   image_ids_and_rotation.csv, or *-images-with-rotation.csv / *-images-with-labels-with-
//                            rotation.csv: the image list (ImageID, Subset, URLs, Rotation, ...)
//   *-annotations-human-imagelabels[-boxable].csv: image-level labels (Confidence 1 or 0)
//   images.meta              "<ImageID> <height> <width>" per line (datumaro's size file)
//
// Coordinate convention: XMin, XMax, YMin, YMax (in that x-x-y-y order) are the box's outer
// edges as fractions of the image width/height, so x0 = XMin * width, x1 = XMax * width,
// y0 = YMin * height, y1 = YMax * height, and back by division. This needs the image size:
// from images.meta, else from the image file's header; a box whose image size is unknown is an
// error ("no-image-size", or an issue under --check).
//
// Mapping: a box label is the class's DisplayName (the MID, e.g. /m/011k07, when there is no
// description file); the MIDs go to Dataset::class_info {"mid"} and to the record's
// "openimages".mid {DisplayName: MID} so they survive a trip through ndjson. Confidence ->
// "score" when not 1; Source -> "source" when not "xclick"; IsOccluded/IsTruncated/IsGroupOf/
// IsDepiction/IsInside -> "occluded"/"truncated"/"iscrowd"/"depiction"/"inside": 1 is true, 0 is
// absent, -1 (unknown) is null. Image labels with Confidence 1 -> `labels`, with Confidence 0 ->
// "openimages".negative_labels. The image list's other columns -> "openimages".meta. Not read:
// segmentation masks, the class hierarchy, image-label Source.
#include "formats/labels/open_images.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "formats/labels/conventions_io.h"
#include "formats/labels/csv.h"
#include "libcommon/boxes.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace fs = std::filesystem;

namespace {

constexpr const char* kBboxSuffix = "-annotations-bbox.csv";
constexpr const char* kFlagColumns[] = {"IsOccluded", "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside"};
constexpr const char* kFlagKeys[] = {"occluded", "truncated", "iscrowd", "depiction", "inside"};
constexpr const char* kImageColumns[] = {"ImageID", "Subset", "OriginalURL", "OriginalLandingURL",
                                         "License", "AuthorProfileURL", "Author", "Title",
                                         "OriginalSize", "OriginalMD5", "Thumbnail300KURL", "Rotation"};

struct Layout {
  fs::path root, ann_dir;
  std::string only_bbox;  // a single bbox CSV given as the input
};

Layout FindLayout(const std::string& path) {
  std::error_code ec;
  Layout l;
  if (!fs::is_directory(path, ec)) {
    l.only_bbox = path;
    l.ann_dir = fs::path(path).parent_path();
    if (l.ann_dir.empty()) l.ann_dir = ".";
    l.root = l.ann_dir.filename() == "annotations" ? l.ann_dir.parent_path() : l.ann_dir;
    if (l.root.empty()) l.root = ".";
    return l;
  }
  l.root = path;
  l.ann_dir = fs::is_directory(l.root / "annotations", ec) ? l.root / "annotations" : l.root;
  return l;
}

std::vector<std::string> AnnotationFiles(const fs::path& dir) { return NamesIn(dir.string(), /*folders=*/false); }

bool DetectOpenImages(const std::string& path) {
  Layout l = FindLayout(path);
  if (!l.only_bbox.empty())
    return l.only_bbox.ends_with(kBboxSuffix) && ReadHead(l.only_bbox, 256).starts_with("ImageID,");
  for (const std::string& f : AnnotationFiles(l.ann_dir))
    if (f.ends_with(kBboxSuffix) || f == "image_ids_and_rotation.csv" || f.ends_with("-images-with-rotation.csv") ||
        f.ends_with("-images-with-labels-with-rotation.csv") || f.ends_with("-annotations-human-imagelabels.csv"))
      return true;
  return false;
}

// A CSV file with a header row: rows as maps from column name to index.
struct Csv {
  std::string name, text;
  std::vector<std::string> header;
  size_t pos = 0, line = 1;
  int Column(std::string_view c) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == c) return int(i);
    return -1;
  }
  // The next row and its line number; false at the end. Blank lines skipped.
  bool Next(std::vector<std::string>* row, size_t* row_line) {
    while (true) {
      size_t start = pos;
      if (!NextCsvRow(text, &pos, row)) return false;
      *row_line = line;
      line += LineOf(std::string_view(text).substr(start, pos - start), pos - start) - 1;
      if (!(row->size() == 1 && (*row)[0].empty())) return true;
    }
  }
};

Result<Csv> OpenCsv(const fs::path& file, const ReadOptions& options, bool has_header) {
  Csv csv;
  csv.name = file.string();
  auto text = ReadTextFile(csv.name, options.max_file_bytes);
  if (!text) return text.error();
  csv.text = std::move(text.value());
  if (csv.text.starts_with("\xEF\xBB\xBF")) csv.text.erase(0, 3);
  size_t line;
  if (has_header && !csv.Next(&csv.header, &line)) csv.header.clear();
  return csv;
}

std::string SplitOfFile(const std::string& file, std::string_view suffix) {
  std::string prefix = file.substr(0, file.size() - suffix.size());
  if (prefix.starts_with("oidv")) {
    size_t dash = prefix.find('-');
    if (dash != std::string::npos) prefix = prefix.substr(dash + 1);
  }
  return prefix == "default" ? "" : prefix;
}

struct RawBox {
  std::string label;
  double v[4];  // XMin, XMax, YMin, YMax
  std::string score, source;
  int flags[5];
  std::string where;
};

struct Image {
  std::string id, split, meta;  // meta: the image list's other columns, JSON members
  std::vector<std::string> labels, negative;
  std::vector<RawBox> boxes;
  std::optional<std::pair<int, int>> size;  // images.meta: width, height
};

struct Reader {
  explicit Reader(const ReadOptions& o) : options(o) {}
  const ReadOptions& options;
  Dataset ds;
  std::unordered_map<std::string, std::string> display;  // MID -> label
  bool have_descriptions = false;
  std::vector<Image> images;
  std::unordered_map<std::string, size_t> by_id;

  Image& Get(const std::string& id, const std::string& split) {
    auto [it, added] = by_id.emplace(id, images.size());
    if (added) {
      images.emplace_back();
      images.back().id = id;
      images.back().split = split;
    }
    return images[it->second];
  }
  // The label of a MID, also resolved against the class table (--classes); nullopt when it is
  // unknown and was recorded as a problem, or with the error in *status.
  std::optional<std::string> Label(const std::string& mid, const std::string& where, ClassTable& classes,
                                   Status* status) {
    std::string label = mid;
    if (auto it = display.find(mid); it != display.end()) {
      label = it->second;
    } else if (have_descriptions) {
      *status = Problem(options, where, "unknown-category", "LabelName " + mid + " is not in the class descriptions");
      return std::nullopt;
    }
    auto cls = classes.Resolve(label, where);
    if (!cls) *status = cls.error();
    if (!cls || *cls < 0) return std::nullopt;
    return label;
  }
};

Status ReadDescriptions(Reader& rd, const fs::path& file, ClassTable& classes) {
  auto csv = OpenCsv(file, rd.options, false);
  if (!csv) return csv.error();
  rd.have_descriptions = true;
  std::vector<std::string> row;
  size_t line;
  std::map<std::string, int> name_count;
  std::vector<std::pair<std::string, std::string>> pairs;
  while (csv->Next(&row, &line)) {
    if (line == 1 && row.size() >= 2 && row[0] == "LabelName" && row[1] == "DisplayName") continue;
    if (row.size() < 2) {
      if (Status s = Problem(rd.options, csv->name + ":" + std::to_string(line), "bad-line",
                             "expected \"LabelName,DisplayName\"");
          !s)
        return s;
      continue;
    }
    pairs.emplace_back(row[0], row[1]);
    ++name_count[row[1]];
  }
  // Display names are the labels; one shared by several MIDs would merge classes, so those
  // classes keep their MIDs as labels.
  for (const auto& [mid, name] : pairs) {
    std::string label = name_count[name] > 1 || name.empty() ? mid : name;
    rd.display[mid] = label;
    if (!classes.fixed() && !ClassIndex(rd.ds, label, false)) {
      ClassIndex(rd.ds, label, true);
      Record info;
      info.SetString("mid", mid);
      rd.ds.class_info.push_back(std::move(info));
    }
  }
  return Status::Ok();
}

Status ReadImageList(Reader& rd, const fs::path& file) {
  auto csv = OpenCsv(file, rd.options, true);
  if (!csv) return csv.error();
  int id_col = csv->Column("ImageID"), subset_col = csv->Column("Subset");
  if (id_col < 0) return MakeError("bad-labels", csv->name + ":1: no ImageID column");
  std::vector<std::string> row;
  size_t line;
  while (csv->Next(&row, &line)) {
    if (size_t(id_col) >= row.size() || row[size_t(id_col)].empty()) {
      if (Status s = Problem(rd.options, csv->name + ":" + std::to_string(line), "bad-line", "no ImageID"); !s) return s;
      continue;
    }
    std::string split = subset_col >= 0 && size_t(subset_col) < row.size() ? row[size_t(subset_col)] : "";
    if (split == "default") split.clear();
    const std::string& id = row[size_t(id_col)];
    if (rd.by_id.count(id)) {
      if (Status s = Problem(rd.options, csv->name + ":" + std::to_string(line), "duplicate-image",
                             "image \"" + id + "\" is listed twice");
          !s)
        return s;
      continue;
    }
    Image& img = rd.Get(id, split);
    std::string meta;
    JsonObjectWriter w(&meta);
    bool any = false;
    for (size_t c = 0; c < csv->header.size() && c < row.size(); ++c) {
      if (int(c) == id_col || int(c) == subset_col || row[c].empty()) continue;
      w.String(csv->header[c], row[c]);
      any = true;
    }
    w.Close();
    if (any) img.meta = meta;
  }
  return Status::Ok();
}

Status ReadBboxes(Reader& rd, const fs::path& file, ClassTable& classes) {
  auto csv = OpenCsv(file, rd.options, true);
  if (!csv) return csv.error();
  std::string split = SplitOfFile(file.filename().string(), kBboxSuffix);
  int col[6];
  const char* required[6] = {"ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax"};
  for (int k = 0; k < 6; ++k)
    if ((col[k] = csv->Column(required[k])) < 0)
      return MakeError("bad-labels", csv->name + ":1: no " + required[k] + " column (not an Open Images bbox CSV)");
  int conf_col = csv->Column("Confidence"), source_col = csv->Column("Source");
  int flag_col[5];
  for (int k = 0; k < 5; ++k) flag_col[k] = csv->Column(kFlagColumns[k]);
  std::vector<std::string> row;
  size_t line;
  while (csv->Next(&row, &line)) {
    std::string where = csv->name + ":" + std::to_string(line);
    auto cell = [&](int c) -> const std::string& {
      static const std::string empty;
      return c >= 0 && size_t(c) < row.size() ? row[size_t(c)] : empty;
    };
    RawBox b;
    b.where = where;
    bool ok = !cell(col[0]).empty();
    for (int k = 0; k < 4 && ok; ++k) {
      const std::string& t = cell(col[2 + k]);
      char* end = nullptr;
      b.v[k] = std::strtod(t.c_str(), &end);
      ok = !t.empty() && *end == '\0';
    }
    if (!ok) {
      if (Status s = Problem(rd.options, where, "bad-line", "expected ImageID and numbers XMin, XMax, YMin, YMax"); !s)
        return s;
      continue;
    }
    if (!std::isfinite(b.v[0]) || !std::isfinite(b.v[1]) || !std::isfinite(b.v[2]) || !std::isfinite(b.v[3])) {
      if (Status s = Problem(rd.options, where, "not-finite", "NaN or infinite coordinate"); !s) return s;
      continue;
    }
    Status st;
    auto label = rd.Label(cell(col[1]), where, classes, &st);
    if (!label) {
      if (!st) return st;
      continue;
    }
    b.label = *label;
    if (const std::string& c = cell(conf_col); !c.empty() && c != "1" && c != "1.0") b.score = c;
    if (const std::string& s = cell(source_col); !s.empty() && s != "xclick") b.source = s;
    for (int k = 0; k < 5; ++k) {
      const std::string& f = cell(flag_col[k]);
      b.flags[k] = f == "1" ? 1 : f == "-1" ? -1 : 0;
    }
    rd.Get(cell(col[0]), split).boxes.push_back(std::move(b));
  }
  return Status::Ok();
}

Status ReadImageLabels(Reader& rd, const fs::path& file, std::string_view suffix, ClassTable& classes) {
  auto csv = OpenCsv(file, rd.options, true);
  if (!csv) return csv.error();
  std::string split = SplitOfFile(file.filename().string(), suffix);
  int id_col = csv->Column("ImageID"), label_col = csv->Column("LabelName"), conf_col = csv->Column("Confidence");
  if (id_col < 0 || label_col < 0) return MakeError("bad-labels", csv->name + ":1: needs ImageID and LabelName columns");
  std::vector<std::string> row;
  size_t line;
  while (csv->Next(&row, &line)) {
    std::string where = csv->name + ":" + std::to_string(line);
    if (size_t(std::max(id_col, label_col)) >= row.size()) {
      if (Status s = Problem(rd.options, where, "bad-line", "missing columns"); !s) return s;
      continue;
    }
    Status st;
    auto label = rd.Label(row[size_t(label_col)], where, classes, &st);
    if (!label) {
      if (!st) return st;
      continue;
    }
    bool positive = conf_col < 0 || size_t(conf_col) >= row.size() || std::strtod(row[size_t(conf_col)].c_str(), nullptr) > 0;
    Image& img = rd.Get(row[size_t(id_col)], split);
    (positive ? img.labels : img.negative).push_back(*label);
  }
  return Status::Ok();
}

// One images.meta line: "<ImageID> <height> <width>" (quoted IDs, # comments).
Status ReadImagesMetaLine(Reader& rd, std::string_view line, const std::string& where) {
  {
    std::vector<std::string> words;
    std::string cur;
    char q = 0;
    bool in_word = false;
    for (char c : line) {
      if (q) {
        if (c == q) q = 0;
        else cur.push_back(c);
      } else if (c == '#') {
        break;
      } else if (c == '"' || c == '\'') {
        q = c;
        in_word = true;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        if (in_word) words.push_back(std::move(cur));
        cur.clear();
        in_word = false;
      } else {
        cur.push_back(c);
        in_word = true;
      }
    }
    if (in_word) words.push_back(std::move(cur));
    if (words.empty()) return Status::Ok();
    char *e1, *e2;
    long h = words.size() >= 3 ? std::strtol(words[1].c_str(), &e1, 10) : 0;
    long w = words.size() >= 3 ? std::strtol(words[2].c_str(), &e2, 10) : 0;
    if (words.size() < 3 || *e1 || *e2 || h <= 0 || w <= 0)
      return Problem(rd.options, where, "bad-line", "expected \"<ImageID> <height> <width>\"");
    auto it = rd.by_id.find(words[0]);
    if (it != rd.by_id.end()) rd.images[it->second].size = std::pair{int(w), int(h)};
    else rd.Get(words[0], "").size = std::pair{int(w), int(h)};  // listed only here: no annotations
  }
  return Status::Ok();
}

Status ReadImagesMeta(Reader& rd, const fs::path& file) {
  auto text = ReadTextFile(file.string(), rd.options.max_file_bytes);
  if (!text) return text.error();
  Status failed;
  ForEachLine(*text, /*skip_blank=*/false, [&](std::string_view line, size_t line_no) {
    failed = ReadImagesMetaLine(rd, line, file.string() + ":" + std::to_string(line_no));
    return bool(failed);
  });
  return failed;
}

std::string FlagJson(int f) { return f == 1 ? "true" : "null"; }

Result<Dataset> ReadOpenImages(const std::string& path, const ReadOptions& options) {
  Layout l = FindLayout(path);
  Reader rd(options);
  ClassTable classes(rd.ds, options);
  std::vector<std::string> files = AnnotationFiles(l.ann_dir);
  auto has = [&](const std::string& f) { return std::find(files.begin(), files.end(), f) != files.end(); };

  std::string desc;
  for (const std::string& f : files)
    if (f.starts_with("oidv") && f.ends_with("-class-descriptions.csv")) desc = f;
  if (desc.empty() && has("class-descriptions-boxable.csv")) desc = "class-descriptions-boxable.csv";
  if (desc.empty() && has("class-descriptions.csv")) desc = "class-descriptions.csv";
  if (!desc.empty())
    if (Status s = ReadDescriptions(rd, l.ann_dir / desc, classes); !s) return s.error();

  if (l.only_bbox.empty()) {
    if (has("image_ids_and_rotation.csv")) {
      if (Status s = ReadImageList(rd, l.ann_dir / "image_ids_and_rotation.csv"); !s) return s.error();
    } else {
      for (const std::string& f : files)
        if (f.ends_with("-images-with-rotation.csv") || f.ends_with("-images-with-labels-with-rotation.csv"))
          if (Status s = ReadImageList(rd, l.ann_dir / f); !s) return s.error();
    }
  }
  if (has("images.meta"))
    if (Status s = ReadImagesMeta(rd, l.ann_dir / "images.meta"); !s) return s.error();
  if (l.only_bbox.empty()) {
    for (const std::string& f : files)
      for (std::string_view suffix : {"-annotations-human-imagelabels.csv", "-annotations-human-imagelabels-boxable.csv"})
        if (f.ends_with(suffix))
          if (Status s = ReadImageLabels(rd, l.ann_dir / f, suffix, classes); !s) return s.error();
    for (const std::string& f : files)
      if (f.ends_with(kBboxSuffix))
        if (Status s = ReadBboxes(rd, l.ann_dir / f, classes); !s) return s.error();
  } else if (Status s = ReadBboxes(rd, l.only_bbox, classes); !s) {
    return s.error();
  }

  // Image files: <images>/<subset>/<ImageID>.<ext> (or <images>/<ImageID>.<ext>).
  fs::path images_dir = options.images_dir.empty() ? l.root / "images" : fs::path(options.images_dir);
  std::unordered_map<std::string, fs::path> files_by_id;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(images_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || !IsImageFile(it->path().filename().string())) continue;
    fs::path rel = fs::relative(it->path(), images_dir);
    std::string stem = fs::path(rel).replace_extension().generic_string();
    size_t slash = stem.find('/');
    files_by_id.emplace(slash == std::string::npos ? stem : stem.substr(slash + 1), it->path());
  }

  for (Image& img : rd.images) {
    Record r;
    r.SetString("id", img.id);
    std::optional<std::pair<int, int>> size = img.size;
    if (auto it = files_by_id.find(img.id); it != files_by_id.end()) {
      fs::path rel = fs::relative(it->second, l.root, ec);
      r.SetString("path", (ec || rel.empty() || rel.begin()->string() == ".." ? it->second : rel).generic_string());
      if (!size && !img.boxes.empty()) size = ProbeImageSize(it->second.string());
    }
    if (size) {
      r.SetInt("width", size->first);
      r.SetInt("height", size->second);
    }
    if (!img.split.empty()) r.SetString("split", img.split);
    if (!img.labels.empty()) {
      std::string labels = "[";
      for (const std::string& s : img.labels) labels += (labels.size() > 1 ? "," : "") + JsonString(s);
      r.SetRaw("labels", labels + "]");
    }
    SourceLocation loc;
    if (options.locate) loc.image = img.id;
    std::string boxes = "[";
    std::map<std::string, std::string> mids;  // label -> MID, for the labels this image uses
    for (const RawBox& b : img.boxes) {
      if (!size) {
        if (Status s = Problem(options, b.where, "no-image-size",
                               "no size for image \"" + img.id + "\" (Open Images boxes are fractions of it; "
                               "add annotations/images.meta or the image file, or give --images DIR)");
            !s)
          return s.error();
        continue;
      }
      if (boxes.size() > 1) boxes.push_back(',');
      JsonObjectWriter w(&boxes);
      double W = size->first, H = size->second;
      BeginBox(w, b.label, BoxXYXY{b.v[0] * W, b.v[2] * H, b.v[1] * W, b.v[3] * H});
      if (!b.score.empty()) {
        double sc = std::strtod(b.score.c_str(), nullptr);
        w.Number("score", sc);
      }
      for (int k = 0; k < 5; ++k)
        if (b.flags[k] != 0) w.Raw(kFlagKeys[k], FlagJson(b.flags[k]));
      if (!b.source.empty()) w.String("source", b.source);
      w.Close();
      if (options.locate) loc.boxes.push_back(b.where);
    }
    r.SetRaw("boxes", boxes + "]");
    for (const std::string& s : img.labels) mids[s];
    for (const std::string& s : img.negative) mids[s];
    for (const RawBox& b : img.boxes) mids[b.label];
    std::string extra;
    JsonObjectWriter ew(&extra);
    bool any = false;
    std::string mid_json;
    JsonObjectWriter mw(&mid_json);
    bool any_mid = false;
    for (const auto& [mid, label] : rd.display)
      if (mids.count(label) && mid != label) {
        mids[label] = mid;
      }
    for (const auto& [label, mid] : mids)
      if (!mid.empty()) {
        mw.String(label, mid);
        any_mid = true;
      }
    mw.Close();
    if (any_mid) {
      ew.Raw("mid", mid_json);
      any = true;
    }
    if (!img.negative.empty()) {
      std::string neg = "[";
      for (const std::string& s : img.negative) neg += (neg.size() > 1 ? "," : "") + JsonString(s);
      ew.Raw("negative_labels", neg + "]");
      any = true;
    }
    if (!img.meta.empty()) {
      ew.Raw("meta", img.meta);
      any = true;
    }
    ew.Close();
    if (any) r.SetRaw("openimages", extra);
    rd.ds.images.push_back(std::move(r));
    if (options.locate) rd.ds.locations.push_back(std::move(loc));
  }
  if (!rd.ds.class_info.empty()) rd.ds.class_info.resize(rd.ds.classes.size());
  return std::move(rd.ds);
}

// ---- writing ----

std::string FlagCell(const Record& box, const char* key) {
  const std::string* raw = box.FindRaw(key);
  if (raw && *raw == "null") return "-1";
  return Truthy(raw) ? "1" : "0";
}

std::vector<std::string> StringList(const std::string* raw) {
  std::vector<std::string> out;
  if (!raw) return out;
  if (auto items = SplitJsonArray(*raw))
    for (std::string_view item : *items)
      if (auto s = DecodeJsonString(item)) out.push_back(*s);
  return out;
}

Status WriteOpenImages(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.crowd = support.occluded = support.truncated = support.score = support.image_labels = true;
  support.other_box_keys = {"depiction", "inside", "source"};
  auto gathered = GatherForWrite(ds, support, options, losses, "openimages");
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;

  // Label -> MID: class_info, then the records' own maps; else the label itself.
  std::map<std::string, std::string> mid;
  for (size_t c = 0; c < ds.classes.size() && c < ds.class_info.size(); ++c)
    if (auto m = ds.class_info[c].GetString("mid")) mid[ds.classes[c]] = *m;
  std::vector<std::string> labels = ds.classes;
  auto note = [&](const std::string& l) {
    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  };
  for (const Record& r : ds.images) {
    if (const std::string* raw = r.FindRaw("openimages"))
      if (auto e = Record::FromJson(*raw))
        if (const std::string* m = e->FindRaw("mid"))
          if (auto map = Record::FromJson(*m))
            for (const Field& f : map->fields())
              if (auto v = DecodeJsonString(f.raw)) mid.emplace(f.key, *v);
  }
  auto mid_of = [&](const std::string& l) {
    auto it = mid.find(l);
    return it == mid.end() ? l : it->second;
  };

  std::string image_list;
  for (const char* c : kImageColumns) image_list += std::string(image_list.empty() ? "" : ",") + c;
  image_list += "\n";
  std::map<std::string, std::string> bbox_files, label_files;  // subset -> CSV text
  std::string meta;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string id = r.GetString("id").value_or("");
    if (id.empty()) id = StripExtension(Basename(r.GetString("path").value_or("")));
    if (id.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `id` or `path` for the ImageID");
    std::string subset = r.GetString("split").value_or("");
    if (subset.empty()) subset = "default";
    if (subset.find('/') != std::string::npos || subset == "." || subset == "..")
      return MakeError("unsafe-path", RecordName(r, i) + ": split \"" + subset + "\" cannot name a file");
    Record extra, row_meta;
    if (const std::string* raw = r.FindRaw("openimages"))
      if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
    if (const std::string* m = extra.FindRaw("meta"))
      if (auto e = Record::FromJson(*m)) row_meta = std::move(e.value());
    image_list += CsvField(id) + "," + CsvField(subset);
    for (size_t c = 2; c < std::size(kImageColumns); ++c)
      image_list += "," + CsvField(row_meta.GetString(kImageColumns[c]).value_or(""));
    image_list += "\n";

    auto w = r.GetNumber("width"), h = r.GetNumber("height");
    if (w && h && *w > 0 && *h > 0) {
      std::string name = id.find_first_of(" \t\"'#") == std::string::npos ? id : "\"" + id + "\"";
      meta += name + " " + FormatShortest(*h) + " " + FormatShortest(*w) + "\n";
    }
    std::string& bbox = bbox_files[subset];
    for (const BoxRecord& b : all[i]) {
      if (!w || !h || *w <= 0 || *h <= 0)
        return MakeError("bad-record", RecordName(r, i) + ": no width/height (Open Images boxes are fractions of the image size)");
      std::string label = b.Label().value_or("");
      if (label.empty()) return MakeError("bad-record", RecordName(r, i) + ": a box has no `label`");
      note(label);
      auto score = b.Score();
      bbox += CsvField(id) + "," + CsvField(b.fields.GetString("source").value_or("xclick")) + "," +
              CsvField(mid_of(label)) + "," + (score ? FormatShortest(*score) : std::string("1")) + "," +
              FormatShortest(b.box.x0 / *w) + "," + FormatShortest(b.box.x1 / *w) + "," +
              FormatShortest(b.box.y0 / *h) + "," + FormatShortest(b.box.y1 / *h);
      for (const char* k : kFlagKeys) bbox += "," + FlagCell(b.fields, k);
      bbox += "\n";
    }
    std::string& lab = label_files[subset];
    for (const std::string& l : StringList(r.FindRaw("labels"))) {
      note(l);
      lab += CsvField(id) + ",verification," + CsvField(mid_of(l)) + ",1\n";
    }
    for (const std::string& l : StringList(extra.FindRaw("negative_labels"))) {
      note(l);
      lab += CsvField(id) + ",verification," + CsvField(mid_of(l)) + ",0\n";
    }
  }

  OutputFiles files;
  std::string desc = "LabelName,DisplayName\n";
  for (const std::string& l : labels) desc += CsvField(mid_of(l)) + "," + CsvField(l) + "\n";
  files.Add("annotations/oidv6-class-descriptions.csv", std::move(desc));
  files.Add("annotations/image_ids_and_rotation.csv", std::move(image_list));
  for (auto& [subset, text] : bbox_files)
    files.Add("annotations/" + subset + kBboxSuffix,
              "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,"
              "IsDepiction,IsInside\n" + text);
  for (auto& [subset, text] : label_files)
    if (!text.empty())
      files.Add("annotations/" + subset + "-annotations-human-imagelabels.csv", "ImageID,Source,LabelName,Confidence\n" + text);
  if (!meta.empty()) files.Add("annotations/images.meta", std::move(meta));
  return files.Commit(out);
}

}  // namespace

extern const Format kOpenImagesFormat{"openimages",
                                      "Open Images CSVs (annotations/*-annotations-bbox.csv, XMin,XMax,YMin,YMax "
                                      "normalised; class descriptions; image lists; images.meta)",
                                      DetectOpenImages, ReadOpenImages, WriteOpenImages};

}  // namespace imgpipe::labels
