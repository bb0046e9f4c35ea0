// Hugging Face imagefolder (metadata.jsonl beside the images) <-> the record stream.
//
// Layout: <root>/metadata.jsonl, or <root>/<split>/metadata.jsonl per split (HF's split
// folders); one JSON object per line: {"file_name": "0001.png", "objects": {"bbox": [[x, y, w,
// h], ...], "categories": [0, ...]}, ...other columns}. file_name is relative to the metadata
// file's folder. Class names: --classes, else <root>/classes.txt (line i = category i), else
// the category numbers themselves ("0", "1", ...); categories given as strings are names.
//
// Coordinate convention: `bbox` is COCO's [x, y, width, height] in absolute pixels, top-left
// corner and extent of the box's outer edges (the convention of HF's object-detection guides):
// x0 = x, y0 = y, x1 = x + width, y1 = y + height (conventions.h FromCoco/ToCoco).
//
// Mapping: other lists in `objects` parallel to bbox (id, iscrowd, difficult, truncated,
// occluded, score, ...) -> the box keys of those names (null entries skipped; "area" is not
// read, it follows from the box); other columns -> record keys of the same name (columns named
// id, path, boxes, polygons, points, polylines go under the record's "hf" object instead);
// `split` from the split folder. Writing puts iscrowd/difficult/truncated/occluded/score/id back
// as parallel lists, `labels` and every other record key as columns (the other formats' private
// keys voc, cvat, labelme, openimages, createml excepted); attributes, segmentation, pose,
// polygons and points have no column here (lossy).
#include "formats/labels/hf.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "libcommon/boxes.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;
using simdjson::dom::element;

constexpr const char* kReservedColumns[] = {"id", "path", "boxes", "polygons", "points", "polylines"};
constexpr const char* kBoxLists[] = {"id", "iscrowd", "difficult", "truncated", "occluded", "score"};
constexpr const char* kPrivateKeys[] = {"voc", "cvat", "labelme", "openimages", "createml", "hf"};

bool In(std::string_view k, std::initializer_list<const char*> list) {
  for (const char* s : list)
    if (k == s) return true;
  return false;
}
template <size_t N>
bool In(std::string_view k, const char* const (&list)[N]) {
  for (const char* s : list)
    if (k == s) return true;
  return false;
}

// (metadata file, split) pairs.
std::vector<std::pair<fs::path, std::string>> MetadataFiles(const std::string& path, fs::path* root) {
  std::vector<std::pair<fs::path, std::string>> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    *root = fs::path(path).parent_path();
    if (root->empty()) *root = ".";
    out.emplace_back(path, "");
    return out;
  }
  *root = path;
  if (fs::is_regular_file(*root / "metadata.jsonl", ec)) out.emplace_back(*root / "metadata.jsonl", "");
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(*root, ec))
    if (e.is_directory() && fs::is_regular_file(e.path() / "metadata.jsonl", ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& d : dirs) out.emplace_back(d / "metadata.jsonl", d.filename().string());
  return out;
}

bool DetectHf(const std::string& path) {
  fs::path root;
  auto files = MetadataFiles(path, &root);
  if (files.empty() || files[0].first.filename() != "metadata.jsonl") return false;
  std::string head = ReadHead(files[0].first.string(), 4096);
  return head.find("\"file_name\"") != std::string::npos;
}

// One metadata.jsonl line: a record (or a problem at `where`).
Status ReadLine(std::string_view line, const std::string& where, simdjson::dom::parser& parser, const fs::path& dir,
                const std::string& split, const fs::path& root, const ReadOptions& options, Dataset& ds,
                ClassTable& classes, bool named) {
  {
    element doc;
    simdjson::dom::object obj;
    std::string_view file_name;
    if (parser.parse(line.data(), line.size()).get(doc) || doc.get_object().get(obj) ||
        obj["file_name"].get_string().get(file_name) || file_name.empty()) {
      return Problem(options, where, "bad-line", "expected a JSON object with a \"file_name\" string");
    }
    Record r;
    std::string rel = (fs::relative(dir, root) / std::string(file_name)).lexically_normal().generic_string();
    if (rel.starts_with("./")) rel = rel.substr(2);
    r.SetString("id", StripExtension(rel));
    r.SetString("path", rel);
    if (!split.empty()) r.SetString("split", split);
    std::string hf;
    JsonObjectWriter hw(&hf);
    bool any_hf = false;
    for (auto field : obj) {
      if (field.key == "file_name" || field.key == "objects") continue;
      if (In(field.key, kReservedColumns)) {
        hw.Raw(field.key, simdjson::to_string(field.value));
        any_hf = true;
      } else {
        r.SetRaw(field.key, simdjson::to_string(field.value));
      }
    }
    hw.Close();
    if (any_hf) r.SetRaw("hf", hf);
    if (!r.Has("width") || !r.Has("height"))
      if (auto size = ProbeImageSize(((options.images_dir.empty() ? root : fs::path(options.images_dir)) / rel).string())) {
        r.SetInt("width", size->first);
        r.SetInt("height", size->second);
      }

    SourceLocation loc;
    if (options.locate) loc.image = where;
    std::string boxes = "[";
    simdjson::dom::object objects;
    element objects_el;
    if (!obj["objects"].get(objects_el) && !objects_el.is_null()) {
      simdjson::dom::array bbox, cats;
      if (objects_el.get_object().get(objects) || objects["bbox"].get_array().get(bbox) ||
          (objects["categories"].get_array().get(cats) && objects["category"].get_array().get(cats)) ||
          bbox.size() != cats.size()) {
        if (Status s = Problem(options, where + ": objects", "bad-objects",
                               "expected {\"bbox\": [[x, y, w, h], ...], \"categories\": [...]} of equal lengths");
            !s)
          return s;
      } else {
        std::vector<std::pair<std::string_view, simdjson::dom::array>> lists;
        for (auto f : objects) {
          simdjson::dom::array a;
          if (f.key == "bbox" || f.key == "categories" || f.key == "category" || f.key == "area") continue;
          if (!f.value.get_array().get(a) && a.size() == bbox.size()) lists.emplace_back(f.key, a);
        }
        for (size_t j = 0; j < bbox.size(); ++j) {
          std::string bw_where = where + ": objects.bbox[" + std::to_string(j) + "]";
          simdjson::dom::array b;
          double v[4];
          bool ok = !bbox.at(j).get_array().get(b) && b.size() == 4;
          for (size_t k = 0; ok && k < 4; ++k) ok = !b.at(k).get_double().get(v[k]);
          if (!ok) {
            if (Status s = Problem(options, bw_where, "bad-box", "expected [x, y, width, height]"); !s) return s;
            continue;
          }
          if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]) || !std::isfinite(v[3])) {
            if (Status s = Problem(options, bw_where, "not-finite", "NaN or infinite coordinate"); !s) return s;
            continue;
          }
          element c = cats.at(j);
          std::string label;
          int64_t idx;
          std::string_view sv;
          std::string cw = where + ": objects.categories[" + std::to_string(j) + "]";
          if (!c.get_string().get(sv)) {
            label = std::string(sv);
          } else if (!c.get_int64().get(idx) && idx >= 0 && idx <= 1000000) {
            if (named && size_t(idx) >= ds.classes.size()) {
              if (Status s = Problem(options, cw, "unknown-category",
                                     "category " + std::to_string(idx) + " is not in the class list (" +
                                         std::to_string(ds.classes.size()) + " names)");
                  !s)
                return s;
              continue;
            }
            if (!named)
              while (ds.classes.size() <= size_t(idx)) ds.classes.push_back(std::to_string(ds.classes.size()));
            label = ds.classes[size_t(idx)];
          } else {
            if (Status s = Problem(options, cw, "unknown-category", "a category is a class index or a name"); !s) return s;
            continue;
          }
          auto cls = classes.Resolve(label, cw);
          if (!cls) return cls.error();
          if (*cls < 0) continue;
          if (boxes.size() > 1) boxes.push_back(',');
          JsonObjectWriter w(&boxes);
          BeginBox(w, label, FromCoco(v[0], v[1], v[2], v[3]));
          for (auto& [key, a] : lists) {
            element e = a.at(j);
            if (!e.is_null()) w.Raw(key, simdjson::to_string(e));
          }
          w.Close();
          if (options.locate) loc.boxes.push_back(bw_where);
        }
      }
    }
    r.SetRaw("boxes", boxes + "]");
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(std::move(loc));
  }
  return Status::Ok();
}

Status ReadFile(const fs::path& file, const std::string& split, const fs::path& root, const ReadOptions& options,
                Dataset& ds, ClassTable& classes, bool named) {
  std::string name = file.string();
  auto text = ReadTextFile(name, options.max_file_bytes);
  if (!text) return text.error();
  simdjson::dom::parser parser;
  fs::path dir = file.parent_path();
  Status failed;
  ForEachLine(*text, /*skip_blank=*/true, [&](std::string_view line, size_t line_no) {
    failed = ReadLine(line, name + ":" + std::to_string(line_no), parser, dir, split, root, options, ds, classes,
                      named);
    return bool(failed);
  });
  return failed;
}

Result<Dataset> ReadHf(const std::string& path, const ReadOptions& options) {
  fs::path root;
  auto files = MetadataFiles(path, &root);
  if (files.empty()) return MakeError("io", path + ": no metadata.jsonl found");
  Dataset ds;
  bool named = false;
  std::error_code ec;
  if (options.classes) {
    named = true;
  } else if (fs::is_regular_file(root / "classes.txt", ec)) {
    auto names = ReadClassesFile((root / "classes.txt").string());
    if (!names) return names.error();
    ds.classes = *names;
    named = true;
  }
  ClassTable classes(ds, options);  // with --classes: sets ds.classes
  // Without a class list, integer categories name themselves ("0", "1", ...) and string ones
  // are added as they come.
  for (const auto& [file, split] : files)
    if (Status s = ReadFile(file, split, root, options, ds, classes, named); !s) return s.error();
  return ds;
}

// ---- writing ----

Status WriteHf(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.crowd = support.difficult = support.truncated = support.occluded = support.score = true;
  support.image_labels = true;
  auto gathered = GatherForWrite(ds, support, options, losses, "hf");
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;

  std::vector<std::string> classes = ds.classes;
  auto index = [&](const std::string& l) {
    auto it = std::find(classes.begin(), classes.end(), l);
    if (it != classes.end()) return size_t(it - classes.begin());
    classes.push_back(l);
    return classes.size() - 1;
  };
  std::map<std::string, std::string> by_dir;  // "" or split -> metadata.jsonl text
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string path = r.GetString("path").value_or("");
    if (path.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `path` for file_name");
    std::string normal = fs::path(path).lexically_normal().generic_string();
    if (fs::path(path).is_absolute() || normal == ".." || normal.starts_with("../"))
      return MakeError("unsafe-path", RecordName(r, i) + ": path \"" + path +
                                          "\" is outside the dataset folder (file_name must be relative)");
    std::string split = r.GetString("split").value_or("");
    std::string dir, file_name = path;
    if (!split.empty() && split.find('/') == std::string::npos && split != "." && split != ".." &&
        path.starts_with(split + "/")) {
      dir = split;
      file_name = path.substr(split.size() + 1);
    }
    std::string& text = by_dir[dir];
    JsonObjectWriter w(&text);
    w.String("file_name", file_name);
    // objects: bbox, categories, and the flag lists any box carries.
    std::string bbox = "[", cats = "[";
    std::map<std::string, std::string> lists;
    for (const char* k : kBoxLists)
      for (const BoxRecord& b : all[i])
        if (b.fields.Has(k)) lists[k] = "[";
    for (const BoxRecord& b : all[i]) {
      auto label = b.Label();
      if (!label) return MakeError("bad-record", RecordName(r, i) + ": a box has no `label`");
      double v[4];
      ToCoco(b.box, v);
      if (bbox.size() > 1) {
        bbox.push_back(',');
        cats.push_back(',');
      }
      bbox += "[" + FormatShortest(v[0]) + "," + FormatShortest(v[1]) + "," + FormatShortest(v[2]) + "," +
              FormatShortest(v[3]) + "]";
      cats += std::to_string(index(*label));
      for (auto& [k, list] : lists) {
        if (list.size() > 1) list.push_back(',');
        const std::string* raw = b.fields.FindRaw(k);
        list += raw ? *raw : "null";
      }
    }
    std::string objects;
    JsonObjectWriter ow(&objects);
    ow.Raw("bbox", bbox + "]");
    ow.Raw("categories", cats + "]");
    for (auto& [k, list] : lists) ow.Raw(k, list + "]");
    ow.Close();
    w.Raw("objects", objects);
    for (const Field& f : r.fields()) {
      if (In(f.key, {"id", "path", "boxes", "polygons", "points", "polylines"}) || In(f.key, kPrivateKeys)) continue;
      if (f.key == "split" && !dir.empty()) continue;
      w.Raw(f.key, f.raw);
    }
    if (const std::string* raw = r.FindRaw("hf"))
      if (auto hf = Record::FromJson(*raw))
        for (const Field& f : hf->fields()) w.Raw(f.key, f.raw);
    w.Close();
    text.push_back('\n');
  }
  OutputFiles files;
  if (by_dir.empty()) by_dir[""] = "";
  for (auto& [dir, text] : by_dir) files.Add((dir.empty() ? "" : dir + "/") + "metadata.jsonl", std::move(text));
  files.Add("classes.txt", ClassListText(classes));
  return files.Commit(out);
}

}  // namespace

extern const Format kHfFormat{"hf",
                              "Hugging Face imagefolder: metadata.jsonl {file_name, objects: {bbox: "
                              "[[x, y, w, h]], categories}} + classes.txt",
                              DetectHf, ReadHf, WriteHf};

}  // namespace imgpipe::labels
