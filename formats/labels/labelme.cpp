// LabelMe JSON <-> the record stream: one file per image, {version, flags, shapes: [{label,
// points: [[x,y],...], shape_type, group_id, description, flags}], imagePath, imageData,
// imageHeight, imageWidth}.
//
// Coordinate convention: LabelMe points are continuous pixel coordinates (where the corner was
// clicked), the stream's own convention: copied unchanged. A rectangle's two points may be any
// two opposite corners, so x0 = min x, x1 = max x (and y alike); written back as
// [[x0,y0],[x1,y1]].
//
// Mapping: rectangle -> `boxes`; polygon -> `polygons`; point -> `points` (one point each);
// linestrip and line -> `polylines` (a line keeps "labelme": {"shape_type": "line"}); other
// shapes (circle, mask, ...) are kept whole in the record's "labelme".shapes and written back
// as they were. A shape's group_id (when not null) and description (when not empty) keep their
// names; its flags become "attrs" ({name: bool}); attributes that are not booleans cannot be
// LabelMe flags (lossy). Image flags that are true -> `labels`; the whole flags object, version
// and unknown top-level members -> "labelme". imageData (the embedded image) is not read and is
// written as null. `path` is imagePath resolved against the JSON file's folder, relative to
// the dataset root; written back relative to the JSON file.
#include "formats/labels/labelme.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "formats/labels/conventions_io.h"
#include "formats/labels/json_file.h"
#include "formats/labels/shapes.h"
#include "libcommon/boxes.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;
using simdjson::dom::element;

bool DetectLabelMe(const std::string& path) {
  auto files = FilesBelow(path, ".json");
  if (files.empty() || fs::path(files[0]).extension() != ".json") return false;
  std::string head = ReadHead(files[0], 1 << 16);
  size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string::npos && head[first] == '{' && head.find("\"shapes\"") != std::string::npos &&
         (head.find("\"imagePath\"") != std::string::npos || head.find("\"imageHeight\"") != std::string::npos);
}

std::string Raw(element e) { return simdjson::to_string(e); }

Status ReadOne(const fs::path& file, const fs::path& root, const ReadOptions& options, Dataset& ds, ClassTable& classes) {
  std::string name = file.string();
  simdjson::dom::parser parser;
  auto parsed = ParseJsonFile(parser, name, options.max_file_bytes);
  if (!parsed) return parsed.error();
  element doc = *parsed;
  simdjson::dom::object obj;
  simdjson::dom::array shapes;
  if (doc.get_object().get(obj) || obj["shapes"].get_array().get(shapes))
    return MakeError("bad-labelme", name + ": expected a LabelMe object with a \"shapes\" array");

  fs::path rel = fs::relative(file, root);
  Record r;
  r.SetString("id", fs::path(rel).replace_extension().generic_string());
  std::string_view image_path;
  if (!obj["imagePath"].get_string().get(image_path) && !image_path.empty()) {
    std::string p(image_path);
    std::replace(p.begin(), p.end(), '\\', '/');  // LabelMe on Windows writes backslashes
    r.SetString("path", (rel.parent_path() / p).lexically_normal().generic_string());
  }
  double w = 0, h = 0;
  if (!obj["imageWidth"].get_double().get(w) && w > 0) r.SetNumber("width", w);
  if (!obj["imageHeight"].get_double().get(h) && h > 0) r.SetNumber("height", h);

  std::string extra, raw_shapes = "[";
  JsonObjectWriter ew(&extra);
  bool any_extra = false;
  std::string labels = "[";
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "shapes" || k == "imagePath" || k == "imageData" || k == "imageWidth" || k == "imageHeight") continue;
    if (k == "flags") {
      simdjson::dom::object flags;
      if (field.value.get_object().get(flags) || flags.size() == 0) continue;
      for (auto f : flags) {
        bool b = false;
        if (!f.value.get_bool().get(b) && b) {
          auto cls = classes.Resolve(std::string(f.key), name + ": flags." + std::string(f.key));
          if (!cls) return cls.error();
          if (*cls < 0) continue;
          if (labels.size() > 1) labels.push_back(',');
          labels += JsonString(f.key);
        }
      }
    }
    ew.Raw(k, Raw(field.value));
    any_extra = true;
  }

  SourceLocation loc;
  if (options.locate) loc.image = name;
  std::string boxes = "[", polygons = "[", polylines = "[", points = "[";
  size_t i = 0;
  for (element s : shapes) {
    std::string where = name + ": shapes[" + std::to_string(i++) + "]";
    simdjson::dom::object so;
    simdjson::dom::array pts;
    std::string_view label, type = "polygon";
    if (s.get_object().get(so) || so["label"].get_string().get(label) || so["points"].get_array().get(pts)) {
      if (Status st = Problem(options, where, "bad-shape", "expected {\"label\": string, \"points\": [[x, y], ...]}"); !st)
        return st;
      continue;
    }
    std::string_view t;
    if (!so["shape_type"].get_string().get(t)) type = t;
    bool known = type == "rectangle" || type == "polygon" || type == "point" || type == "linestrip" || type == "line";
    if (!known) {
      if (raw_shapes.size() > 1) raw_shapes.push_back(',');
      raw_shapes += Raw(s);
      continue;
    }
    std::vector<Point> p;
    bool ok = true;
    for (element e : pts) {
      simdjson::dom::array xy;
      double x, y;
      if (e.get_array().get(xy) || xy.size() != 2 || xy.at(0).get_double().get(x) || xy.at(1).get_double().get(y) ||
          !std::isfinite(x) || !std::isfinite(y)) {
        ok = false;
        break;
      }
      p.push_back({x, y});
    }
    size_t need = type == "rectangle" || type == "line" ? 2 : type == "point" ? 1 : type == "polygon" ? 3 : 2;
    if (!ok || p.size() < need) {
      if (Status st = Problem(options, where + ".points", "bad-shape",
                              "a " + std::string(type) + " needs at least " + std::to_string(need) + " finite [x, y] points");
          !st)
        return st;
      continue;
    }
    auto cls = classes.Resolve(std::string(label), where + ".label");
    if (!cls) return cls.error();
    if (*cls < 0) continue;
    std::string members;
    JsonObjectWriter mw(&members);
    element g;
    if (!so["group_id"].get(g) && !g.is_null()) mw.Raw("group_id", Raw(g));
    std::string_view desc;
    if (!so["description"].get_string().get(desc) && !desc.empty()) mw.String("description", desc);
    simdjson::dom::object flags;
    if (!so["flags"].get_object().get(flags) && flags.size() > 0) mw.Raw("attrs", Raw(so["flags"]));
    std::string shape_extra;
    JsonObjectWriter sw(&shape_extra);
    bool any = false;
    if (type == "line") {
      sw.String("shape_type", "line");
      any = true;
    }
    for (auto f : so) {
      std::string_view k = f.key;
      if (k == "label" || k == "points" || k == "shape_type" || k == "group_id" || k == "description" || k == "flags")
        continue;
      if (f.value.is_null()) continue;
      sw.Raw(k, Raw(f.value));
      any = true;
    }
    sw.Close();
    if (any) mw.Raw("labelme", shape_extra);
    mw.Close();
    std::string_view m = std::string_view(members).substr(1, members.size() - 2);
    if (type == "rectangle") {
      double x0 = p[0][0], y0 = p[0][1], x1 = p[0][0], y1 = p[0][1];
      for (const Point& q : p) {
        x0 = std::min(x0, q[0]);
        y0 = std::min(y0, q[1]);
        x1 = std::max(x1, q[0]);
        y1 = std::max(y1, q[1]);
      }
      if (boxes.size() > 1) boxes.push_back(',');
      JsonObjectWriter bw(&boxes);
      BeginBox(bw, label, BoxXYXY{x0, y0, x1, y1});
      bw.Members(m);
      bw.Close();
      if (options.locate) loc.boxes.push_back(where);
    } else {
      std::string& list = type == "polygon" ? polygons : type == "point" ? points : polylines;
      if (list.size() > 1) list.push_back(',');
      list += ShapeJson(label, p, m);
    }
  }
  if (raw_shapes.size() > 1) {
    ew.Raw("shapes", raw_shapes + "]");
    any_extra = true;
  }
  ew.Close();
  r.SetRaw("boxes", boxes + "]");
  if (polygons.size() > 1) r.SetRaw("polygons", polygons + "]");
  if (polylines.size() > 1) r.SetRaw("polylines", polylines + "]");
  if (points.size() > 1) r.SetRaw("points", points + "]");
  if (labels.size() > 1) r.SetRaw("labels", labels + "]");
  if (any_extra) r.SetRaw("labelme", extra);
  ds.images.push_back(std::move(r));
  if (options.locate) ds.locations.push_back(std::move(loc));
  return Status::Ok();
}

Result<Dataset> ReadLabelMe(const std::string& path, const ReadOptions& options) {
  auto files = FilesBelow(path, ".json");
  if (files.empty()) return MakeError("io", path + ": no LabelMe .json file found");
  fs::path root = RootOf(path);
  Dataset ds;
  ClassTable classes(ds, options);
  for (const std::string& f : files)
    if (Status s = ReadOne(f, root, options, ds, classes); !s) return s.error();
  return ds;
}

// ---- writing ----

// {"label", "points", "group_id", "description", "shape_type", "flags"} plus the shape's
// "labelme" extras. Non-boolean attributes are counted in `bad_attrs`.
std::string ShapeOut(const std::string& label, const std::vector<Point>& pts, std::string_view type,
                     const Record& fields, size_t* bad_attrs) {
  std::string out;
  JsonObjectWriter w(&out);
  w.String("label", label);
  w.Raw("points", PointsJson(pts));
  const std::string* g = fields.FindRaw("group_id");
  w.Raw("group_id", g ? *g : "null");
  w.String("description", fields.GetString("description").value_or(""));
  Record extra;
  if (const std::string* raw = fields.FindRaw("labelme"))
    if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
  w.String("shape_type", type == "linestrip" ? extra.GetString("shape_type").value_or("linestrip") : std::string(type));
  std::string flags;
  JsonObjectWriter fw(&flags);
  if (const std::string* raw = fields.FindRaw("attrs"))
    if (auto a = Record::FromJson(*raw))
      for (const Field& f : a->fields()) {
        if (f.raw == "true" || f.raw == "false") fw.Raw(f.key, f.raw);
        else ++*bad_attrs;
      }
  fw.Close();
  w.Raw("flags", flags);
  for (const Field& f : extra.fields())
    if (f.key != "shape_type") w.Raw(f.key, f.raw);
  w.Close();
  return out;
}

Status WriteLabelMe(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.polygons = support.points = support.polylines = support.image_labels = support.attrs = true;
  support.labelme_shapes = true;
  support.other_box_keys = {"group_id", "description", "labelme"};
  LossReport local;
  OutputFiles files;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    auto boxes = RecordBoxes(r, i);
    if (!boxes) return boxes.error();
    CountLosses(r, *boxes, support, local);
    CountUnheldShapes(r, support, local);
    std::string name = r.GetString("id").value_or("");
    if (name.empty()) name = StripExtension(r.GetString("path").value_or(""));
    if (name.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `id` or `path` to name its JSON file");
    std::string json_rel = name + ".json";

    Record extra;
    if (const std::string* raw = r.FindRaw("labelme"))
      if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
    size_t bad_attrs = 0;
    std::string shapes = "[";
    auto add = [&](const std::string& s) {
      shapes += shapes.size() > 1 ? ",\n    " : "\n    ";
      shapes += s;
    };
    for (const BoxRecord& b : *boxes) {
      if (IsDroppedCrowd(b, support)) continue;
      add(ShapeOut(b.Label().value_or(""), {Point{b.box.x0, b.box.y0}, Point{b.box.x1, b.box.y1}}, "rectangle", b.fields,
                   &bad_attrs));
    }
    for (auto [key, type] : {std::pair{"polygons", "polygon"}, {"polylines", "linestrip"}, {"points", "point"}}) {
      auto list = ReadShapes(r, key);
      if (!list) return MakeError("bad-record", RecordName(r, i) + ": " + list.error().message);
      for (const ShapeRecord& s : *list) {
        if (std::string_view(type) == "point") {
          for (const Point& p : s.points) add(ShapeOut(s.label, {p}, type, s.fields, &bad_attrs));
        } else {
          add(ShapeOut(s.label, s.points, type, s.fields, &bad_attrs));
        }
      }
    }
    if (const std::string* raw = extra.FindRaw("shapes"))
      if (auto items = SplitJsonArray(*raw))
        for (std::string_view item : *items) add(std::string(item));
    shapes += shapes.size() > 1 ? "\n  ]" : "]";
    if (bad_attrs) local.Add("attribute (not a boolean flag)", bad_attrs);

    // Image flags: the kept flags object, with every `labels` entry set true.
    std::vector<std::pair<std::string, std::string>> flags;
    if (const std::string* raw = extra.FindRaw("flags"))
      if (auto f = Record::FromJson(*raw))
        for (const Field& fl : f->fields()) flags.emplace_back(fl.key, fl.raw);
    if (const std::string* raw = r.FindRaw("labels"))
      if (auto items = SplitJsonArray(*raw))
        for (std::string_view item : *items) {
          std::string l = DecodeJsonString(item).value_or(std::string(item));
          auto it = std::find_if(flags.begin(), flags.end(), [&](auto& f) { return f.first == l; });
          if (it == flags.end()) flags.emplace_back(l, "true");
          else it->second = "true";
        }
    std::string flag_json;
    JsonObjectWriter fw(&flag_json);
    for (auto& [k, v] : flags) fw.Raw(k, v);
    fw.Close();

    std::string text;
    JsonObjectWriter w(&text);
    text += "\n  ";
    w.String("version", extra.GetString("version").value_or("5.2.1"));
    text += "\n  ";
    w.Raw("flags", flag_json);
    text += "\n  ";
    w.Raw("shapes", shapes);
    text += "\n  ";
    std::string path = r.GetString("path").value_or("");
    if (path.empty()) {
      w.Raw("imagePath", "null");
    } else {
      std::string dir = Dirname(json_rel);
      w.String("imagePath", dir.empty() ? path : fs::path(path).lexically_relative(dir).generic_string());
    }
    text += "\n  ";
    w.Raw("imageData", "null");
    if (auto hgt = r.GetNumber("height")) {
      text += "\n  ";
      w.Number("imageHeight", *hgt);
    }
    if (auto wid = r.GetNumber("width")) {
      text += "\n  ";
      w.Number("imageWidth", *wid);
    }
    for (const Field& f : extra.fields())
      if (f.key != "version" && f.key != "flags" && f.key != "shapes") {
        text += "\n  ";
        w.Raw(f.key, f.raw);
      }
    text += "\n";
    w.Close();
    text += "\n";
    files.Add(json_rel, std::move(text));
  }
  if (Status s = SettleLosses(local, options, losses, "labelme"); !s) return s;
  return files.Commit(out);
}

}  // namespace

extern const Format kLabelMeFormat{"labelme",
                                   "LabelMe JSON, one file per image (shapes: rectangle, polygon, point, "
                                   "linestrip; flags); imageData dropped",
                                   DetectLabelMe, ReadLabelMe, WriteLabelMe};

}  // namespace imgpipe::labels
