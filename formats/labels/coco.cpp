// COCO instances JSON (images, annotations, categories) <-> the record stream. Boxes keep their
// annotation id, category id, area, iscrowd and raw segmentation (polygons or RLE), so coco ->
// ndjson -> coco gives the same annotations with the same ids.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <unordered_map>

#include "formats/coco/coco_json.h"
#include "formats/coco/coco_mapped.h"
#include "formats/coco/json_split.h"
#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/cvat.h"
#include "formats/labels/dataset.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

// The COCO files of `path`: the file itself, or a folder's (or its annotations/ folder's)
// instances_<split>.json files, else all its *.json files. Pairs of (file, split).
std::vector<std::pair<std::string, std::string>> CocoFiles(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    out.emplace_back(path, "");
    return out;
  }
  fs::path dir = path;
  if (fs::is_directory(dir / "annotations", ec)) dir /= "annotations";
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") all.push_back(e.path());
  std::sort(all.begin(), all.end());
  for (const fs::path& p : all) {
    std::string stem = p.stem().string();
    if (stem.starts_with("instances_")) {
      std::string split = stem.substr(10);
      out.emplace_back(p.string(), split == "default" ? "" : split);
    }
  }
  if (out.empty())
    for (const fs::path& p : all) out.emplace_back(p.string(), all.size() > 1 ? p.stem().string() : "");
  return out;
}

bool DetectCoco(const std::string& path) {
  auto files = CocoFiles(path);
  if (files.empty()) return false;
  std::string head = ReadHead(files[0].first, 1 << 16);
  size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || head[first] != '{') return false;
  return head.find("\"images\"") != std::string::npos || head.find("\"annotations\"") != std::string::npos ||
         head.find("\"categories\"") != std::string::npos;
}

Status ReadOneCoco(const std::string& file, const std::string& split, const ReadOptions& options,
                   Dataset& ds, ClassTable& classes) {
  coco::ParseOptions po;
  po.keep_extra = true;
  po.max_file_bytes = options.max_file_bytes;
  // Streamed through a memory map: polygons stay in the file (spans) until their record is built.
  auto mapped = coco::MappedInstances::Open(file, po);
  if (!mapped) return mapped.error();
  coco::Instances& in = (*mapped)->instances;
  if (!in.extra.empty() && ds.extra.empty()) ds.extra = "{" + in.extra + "}";

  // Categories: COCO id -> class index; names in file order (or the --classes order).
  std::unordered_map<int64_t, int> cat_class;
  for (size_t i = 0; i < in.categories.size(); ++i) {
    const coco::Category& c = in.categories[i];
    std::string where = file + ": categories[" + std::to_string(i) + "]";
    if (cat_class.count(c.id)) {
      if (Status s = Problem(options, where + ".id", "duplicate-category-id",
                             "category id " + std::to_string(c.id) + " appears twice");
          !s)
        return s;
      continue;
    }
    auto idx = classes.Resolve(c.name, where + ".name");
    if (!idx) return idx.error();
    if (*idx < 0) continue;
    cat_class[c.id] = *idx;
    if (ds.class_info.size() < ds.classes.size()) ds.class_info.resize(ds.classes.size());
    Record& info = ds.class_info[size_t(*idx)];
    if (!info.Has("id")) {
      info.SetInt("id", c.id);
      if (!c.supercategory.empty()) info.SetString("supercategory", c.supercategory);
      if (!c.extra.empty())
        if (auto extra = Record::FromJson("{" + c.extra + "}"))
          for (const Field& f : extra->fields()) info.SetRaw(f.key, f.raw);
    }
  }

  // Images: COCO id -> index in ds.images.
  size_t first = ds.images.size();
  std::unordered_map<int64_t, size_t> image_index;
  image_index.reserve(in.images.size());
  std::vector<size_t> slot(in.images.size(), SIZE_MAX);  // file image i -> ds.images index
  for (size_t i = 0; i < in.images.size(); ++i) {
    const coco::Image& im = in.images[i];
    if (image_index.count(im.id)) {
      if (Status s = Problem(options, file + ": images[" + std::to_string(i) + "].id", "duplicate-image-id",
                             "image id " + std::to_string(im.id) + " appears twice (first at images[" +
                                 std::to_string(image_index[im.id] - first) + "])");
          !s)
        return s;
      continue;
    }
    image_index[im.id] = ds.images.size();
    slot[i] = ds.images.size();
    Record r;
    r.SetString("id", std::to_string(im.id));
    if (!im.file_name.empty()) r.SetString("path", im.file_name);
    if (im.width > 0) r.SetInt("width", im.width);
    if (im.height > 0) r.SetInt("height", im.height);
    if (!split.empty()) r.SetString("split", split);
    if (!im.extra.empty()) r.SetRaw("coco", "{" + im.extra + "}");
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(SourceLocation{file + ": images[" + std::to_string(i) + "]", {}});
  }

  // Annotations grouped by image with a counting sort: two passes, no per-image vectors.
  std::vector<uint32_t> owner(in.annotations.size(), UINT32_MAX);
  std::vector<size_t> count(ds.images.size() - first + 1, 0);
  for (size_t i = 0; i < in.annotations.size(); ++i) {
    const coco::Annotation& a = in.annotations[i];
    std::string where = file + ": annotations[" + std::to_string(i) + "]";
    auto im = image_index.find(a.image_id);
    if (im == image_index.end()) {
      if (Status s = Problem(options, where + ".image_id", "unknown-image-id",
                             "image id " + std::to_string(a.image_id) + " is not in `images`");
          !s)
        return s;
      continue;
    }
    if (!cat_class.count(a.category_id)) {
      if (Status s = Problem(options, where + ".category_id", "unknown-category",
                             "category id " + std::to_string(a.category_id) + " is not in `categories`");
          !s)
        return s;
      continue;
    }
    owner[i] = uint32_t(im->second - first);
    ++count[owner[i] + 1];
  }
  for (size_t k = 1; k < count.size(); ++k) count[k] += count[k - 1];
  std::vector<uint32_t> order(count.back());
  {
    std::vector<size_t> pos(count.begin(), count.end() - 1);
    for (size_t i = 0; i < in.annotations.size(); ++i)
      if (owner[i] != UINT32_MAX) order[pos[owner[i]]++] = uint32_t(i);
  }
  std::string boxes, segmentation;
  for (size_t k = 0; k + 1 < count.size(); ++k) {
    boxes.clear();
    boxes.push_back('[');
    SourceLocation* loc = options.locate ? &ds.locations[first + k] : nullptr;
    for (size_t j = count[k]; j < count[k + 1]; ++j) {
      coco::Annotation& a = in.annotations[order[j]];
      if (j > count[k]) boxes.push_back(',');
      JsonObjectWriter w(&boxes);
      BeginBox(w, ds.classes[size_t(cat_class[a.category_id])], FromCoco(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]));
      w.Int("id", a.id);
      w.Int("category_id", a.category_id);
      if (a.iscrowd) w.Bool("iscrowd", true);
      if (a.has_area) w.Number("area", a.area);
      if (a.difficult) w.Bool("difficult", true);
      if (a.segmentation_at.size) {
        // Raw text, compacted (a pretty-printed file's newlines would split the record's line).
        segmentation.clear();
        coco::AppendMinifiedJson((*mapped)->Read(a.segmentation_at), &segmentation);
        w.Raw("segmentation", segmentation);
      } else if (!a.segmentation.empty()) {
        w.Raw("segmentation", a.segmentation);
      }
      if (!a.extra.empty()) {
        // datumaro's "attributes" are the stream's `attrs`; anything else stays under "coco".
        auto extra = Record::FromJson("{" + a.extra + "}");
        if (extra) {
          if (const std::string* attrs = extra->FindRaw("attributes")) {
            w.Raw("attrs", *attrs);
            extra->Erase("attributes");
          }
          if (!extra->fields().empty()) w.Raw("coco", extra->ToJson());
        }
      }
      w.Close();
      std::string().swap(a.segmentation);
      if (loc) loc->boxes.push_back(file + ": annotations[" + std::to_string(order[j]) + "]");
    }
    boxes.push_back(']');
    ds.images[first + k].SetRaw("boxes", boxes);
  }
  (void)slot;
  return Status::Ok();
}

Result<Dataset> ReadCoco(const std::string& path, const ReadOptions& options) {
  auto files = CocoFiles(path);
  if (files.empty()) return MakeError("io", path + ": no COCO .json file found");
  Dataset ds;
  ClassTable classes(ds, options);
  for (const auto& [file, split] : files)
    if (Status s = ReadOneCoco(file, split, options, ds, classes); !s) return s.error();
  ds.class_info.resize(ds.classes.size());
  return ds;
}

bool IntegerId(const Record& r, int64_t* out) {
  const std::string* raw = r.FindRaw("id");
  if (!raw) return false;
  std::string text = raw->size() >= 2 && raw->front() == '"' ? raw->substr(1, raw->size() - 2) : *raw;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

Status WriteCocoFile(const Dataset& ds, const std::vector<size_t>& which, std::string* out,
                     const std::vector<int64_t>& cat_ids, const Support& support) {
  // Image ids: the records' own when all are unique integers, else 1..N.
  std::vector<int64_t> image_ids(which.size());
  {
    bool use_own = true;
    std::unordered_map<int64_t, bool> seen;
    for (size_t k = 0; k < which.size() && use_own; ++k)
      use_own = IntegerId(ds.images[which[k]], &image_ids[k]) && seen.emplace(image_ids[k], true).second;
    if (!use_own)
      for (size_t k = 0; k < which.size(); ++k) image_ids[k] = int64_t(k + 1);
  }
  std::vector<std::vector<BoxRecord>> all_boxes(which.size());
  bool own_ann_ids = true;
  {
    std::unordered_map<int64_t, bool> seen;
    for (size_t k = 0; k < which.size(); ++k) {
      auto boxes = RecordBoxes(ds.images[which[k]], which[k]);
      if (!boxes) return boxes.error();
      all_boxes[k] = std::move(boxes.value());
      for (const BoxRecord& b : all_boxes[k]) {
        auto id = b.fields.GetInt("id");
        if (own_ann_ids) own_ann_ids = id && seen.emplace(*id, true).second;
      }
    }
  }
  *out += "{";
  if (ds.extra.size() > 2) {
    out->append(ds.extra, 1, ds.extra.size() - 2);
    *out += ",";
  }
  *out += "\n\"images\":[";
  for (size_t k = 0; k < which.size(); ++k) {
    const Record& r = ds.images[which[k]];
    *out += k ? ",\n" : "\n";
    JsonObjectWriter w(out);
    w.Int("id", image_ids[k]);
    auto path = r.GetString("path");
    w.String("file_name", path ? *path : r.GetString("id").value_or(std::to_string(image_ids[k])));
    if (auto wd = r.GetNumber("width")) w.Number("width", *wd);
    if (auto h = r.GetNumber("height")) w.Number("height", *h);
    if (const std::string* extra = r.FindRaw("coco"); extra && extra->size() > 2 && extra->front() == '{')
      w.Members(std::string_view(*extra).substr(1, extra->size() - 2));
    w.Close();
  }
  *out += "\n],\n\"annotations\":[";
  int64_t next_ann = 1;
  bool first = true;
  for (size_t k = 0; k < which.size(); ++k) {
    for (const BoxRecord& b : all_boxes[k]) {
      if (IsDroppedCrowd(b, support)) continue;
      auto label = b.Label();
      auto idx = label ? ClassIndex(const_cast<Dataset&>(ds), *label, false) : std::nullopt;
      if (!idx)
        return MakeError("bad-labels", RecordName(ds.images[which[k]], which[k]) + ": label \"" +
                                           label.value_or("") + "\" is not in the class list");
      *out += first ? "\n" : ",\n";
      first = false;
      JsonObjectWriter w(out);
      w.Int("id", own_ann_ids ? *b.fields.GetInt("id") : next_ann++);
      w.Int("image_id", image_ids[k]);
      w.Int("category_id", cat_ids[size_t(*idx)]);
      if (const std::string* seg = b.fields.FindRaw("segmentation")) w.Raw("segmentation", *seg);
      double xywh[4];
      ToCoco(b.box, xywh);
      if (auto area = b.fields.GetNumber("area")) w.Number("area", *area);
      else w.Number("area", xywh[2] * xywh[3]);
      std::string bbox = "[" + FormatShortest(xywh[0]) + "," + FormatShortest(xywh[1]) + "," +
                         FormatShortest(xywh[2]) + "," + FormatShortest(xywh[3]) + "]";
      w.Raw("bbox", bbox);
      w.Int("iscrowd", Truthy(b.fields.FindRaw("iscrowd")) ? 1 : 0);
      if (Truthy(b.fields.FindRaw("difficult"))) w.Int("difficult", 1);
      if (const std::string* score = b.fields.FindRaw("score")) w.Raw("score", *score);
      if (const std::string* attrs = b.fields.FindRaw("attrs")) w.Raw("attributes", *attrs);
      if (const std::string* extra = b.fields.FindRaw("coco"); extra && extra->size() > 2 && extra->front() == '{')
        w.Members(std::string_view(*extra).substr(1, extra->size() - 2));
      w.Close();
    }
  }
  *out += "\n],\n\"categories\":[";
  for (size_t c = 0; c < ds.classes.size(); ++c) {
    *out += c ? ",\n" : "\n";
    JsonObjectWriter w(out);
    w.Int("id", cat_ids[c]);
    w.String("name", ds.classes[c]);
    if (c < ds.class_info.size()) {
      for (const Field& f : ds.class_info[c].fields())
        if (f.key != "id" && f.key != "name") w.Raw(f.key, f.raw);
    }
    w.Close();
  }
  *out += "\n]}\n";
  return Status::Ok();
}

// Category ids: a class's own (class_info "id", else the first box's `category_id`), else the
// next id after the largest in use. A clash gives the later class a new id.
std::vector<int64_t> CategoryIds(const Dataset& ds) {
  std::vector<int64_t> ids(ds.classes.size(), -1);
  for (size_t c = 0; c < ds.classes.size() && c < ds.class_info.size(); ++c)
    if (auto id = ds.class_info[c].GetInt("id")) ids[c] = *id;
  bool missing = std::count(ids.begin(), ids.end(), -1) > 0;
  if (missing) {
    for (size_t i = 0; i < ds.images.size(); ++i) {
      auto boxes = ReadBoxes(ds.images[i]);
      if (!boxes) continue;
      for (const BoxRecord& b : *boxes) {
        auto label = b.Label();
        auto cid = b.fields.GetInt("category_id");
        if (!label || !cid) continue;
        for (size_t c = 0; c < ds.classes.size(); ++c)
          if (ids[c] == -1 && ds.classes[c] == *label) ids[c] = *cid;
      }
    }
  }
  std::unordered_map<int64_t, bool> used;
  int64_t max_id = 0;
  for (int64_t& id : ids) {
    if (id >= 0 && !used.emplace(id, true).second) id = -1;
    if (id >= 0) max_id = std::max(max_id, id);
  }
  for (int64_t& id : ids)
    if (id < 0) id = ++max_id;
  return ids;
}

// What CountLosses does not know and COCO cannot hold: a record's polylines, and the shapes CVAT
// ("cvat".xml: ellipses, cuboids, masks, skeletons) and LabelMe ("labelme".shapes: circles, masks,
// ...) keep verbatim for themselves.
void CountShapeLosses(const Record& record, LossReport& losses) {
  if (size_t n = CountShapes(record, "polylines")) losses.Add("polyline", n);
  static constexpr std::pair<const char*, const char*> kVerbatim[] = {{"cvat", "xml"}, {"labelme", "shapes"}};
  for (const auto& [owner, key] : kVerbatim) {
    const std::string* raw = record.FindRaw(owner);
    if (!raw || raw->empty() || raw->front() != '{') continue;
    if (auto inner = Record::FromJson(*raw))
      if (size_t n = CountShapes(*inner, key)) losses.Add("other shape", n);
  }
}

Status WriteCoco(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.crowd = support.difficult = support.segmentation = support.score = support.attrs = true;
  support.other_box_keys = {"coco"};
  LossReport local;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    auto boxes = RecordBoxes(ds.images[i], i);
    if (!boxes) return boxes.error();
    CountLosses(ds.images[i], *boxes, support, local);
    CountShapeLosses(ds.images[i], local);
  }
  if (Status s = SettleLosses(local, options, losses, "coco"); !s) return s;
  std::vector<int64_t> cat_ids = CategoryIds(ds);
  if (out.ends_with(".json")) {
    std::vector<size_t> all(ds.images.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::string text;
    if (Status s = WriteCocoFile(ds, all, &text, cat_ids, support); !s) return s;
    return WriteSingleFile(out, text);
  }
  // A folder: annotations/instances_<split>.json per split (datumaro's layout).
  std::vector<std::string> splits;
  std::vector<std::vector<size_t>> members;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    std::string split = ds.images[i].GetString("split").value_or("default");
    size_t k = std::find(splits.begin(), splits.end(), split) - splits.begin();
    if (k == splits.size()) {
      splits.push_back(split);
      members.emplace_back();
    }
    members[k].push_back(i);
  }
  if (splits.empty()) {
    splits.push_back("default");
    members.emplace_back();
  }
  OutputFiles files;
  for (size_t k = 0; k < splits.size(); ++k) {
    std::string text;
    if (Status s = WriteCocoFile(ds, members[k], &text, cat_ids, support); !s) return s;
    files.Add("annotations/instances_" + splits[k] + ".json", std::move(text));
  }
  return files.Commit(out);
}

}  // namespace

extern const Format kCocoFormat{"coco",
                                "COCO instances JSON: images, annotations (bbox, iscrowd, polygon/RLE "
                                "segmentation), categories",
                                DetectCoco, ReadCoco, WriteCoco};

}  // namespace imgpipe::labels
