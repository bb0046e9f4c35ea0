// CVAT for images 1.1 XML (annotations.xml: <meta> label specs, one <image> per image with box,
// polygon, polyline, points and tag shapes) <-> the record stream.
//
// Coordinate convention: CVAT's xtl,ytl,xbr,ybr are floating-point pixel coordinates of the box's
// outer edges (a box over pixel columns 0..9 has xtl=0, xbr=10), which is the stream's own
// convention: they are copied unchanged, no conversion. Polygon/polyline/points coordinates are
// continuous pixel coordinates, copied unchanged as well.
//
// Mapping: box occluded="1" -> "occluded": true; z_order -> "z_order" (kept when not 0);
// <attribute name="a">v</attribute> -> "attrs": {"a": "v"} (values are strings, as in the XML);
// rotation, group_id and a source other than "manual" -> the box's "cvat" object. Record-level
// `polygons`, `points`, `polylines` hold those shapes ({"label","points",...same keys}); <tag>
// -> `labels` (tag attributes under the record's "cvat".tags); shapes the stream has no key for
// (ellipse, cuboid, mask, skeleton) are kept as their XML text in "cvat".xml and written back
// verbatim. The label specs of <meta> (attributes, colour, type) go to Dataset::class_info as
// {"cvat": {...}}. XML with a DTD or entity declarations is refused before parsing.
#include "formats/labels/cvat.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "formats/labels/conventions_io.h"
#include "formats/labels/xml_file.h"
#include "libcommon/boxes.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace fs = std::filesystem;

namespace {

constexpr const char* kShapeKeys[] = {"polygons", "polylines", "points"};  // record keys
constexpr const char* kShapeTags[] = {"polygon", "polyline", "points"};    // their CVAT elements

std::string Trimmed(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::optional<double> ParseNumber(const char* s) {
  if (!s || !*s) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s, &end);
  while (*end == ' ') ++end;
  if (*end != '\0') return std::nullopt;
  return v;
}

// "x1,y1;x2,y2;..." -> points; nullopt when malformed or not finite.
std::optional<std::vector<Point>> ParsePoints(std::string_view text) {
  std::vector<Point> out;
  std::string s(text);
  const char* p = s.c_str();
  while (*p) {
    while (*p == ' ') ++p;
    char* end;
    double x = std::strtod(p, &end);
    if (end == p || *end != ',') return std::nullopt;
    p = end + 1;
    double y = std::strtod(p, &end);
    if (end == p || !std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
    out.push_back({x, y});
    p = end;
    while (*p == ' ') ++p;
    if (*p == ';') ++p;
    else if (*p) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string CvatPoints(const std::vector<Point>& pts) {
  std::string out;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i) out.push_back(';');
    out += FormatShortest(pts[i][0]) + "," + FormatShortest(pts[i][1]);
  }
  return out;
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

std::string NodeXml(pugi::xml_node n) {
  StringWriter w;
  n.print(w, "", pugi::format_raw);
  return w.out;
}

// The <attribute name=..> children of a shape as a JSON object of strings; "" when none.
std::string AttrsJson(pugi::xml_node shape) {
  std::string out;
  JsonObjectWriter w(&out);
  bool any = false;
  for (pugi::xml_node a : shape.children("attribute")) {
    w.String(a.attribute("name").value(), a.child_value());
    any = true;
  }
  w.Close();
  return any ? out : "";
}

// The members every CVAT shape may carry: occluded, z_order, attrs, and the "cvat" extras.
void ShapeMembers(pugi::xml_node n, JsonObjectWriter& w) {
  if (pugi::xml_attribute o = n.attribute("occluded"); o && std::string(o.value()) == "1") w.Bool("occluded", true);
  if (auto z = ParseNumber(n.attribute("z_order").value()); z && *z != 0) w.Number("z_order", *z);
  if (std::string a = AttrsJson(n); !a.empty()) w.Raw("attrs", a);
  std::string extra;
  JsonObjectWriter ew(&extra);
  bool any = false;
  if (auto r = ParseNumber(n.attribute("rotation").value()); r && *r != 0) {
    ew.Number("rotation", *r);
    any = true;
  }
  if (pugi::xml_attribute g = n.attribute("group_id"); g && *g.value()) {
    if (auto gv = ParseNumber(g.value())) ew.Number("group_id", *gv);
    else ew.String("group_id", g.value());
    any = true;
  }
  if (pugi::xml_attribute s = n.attribute("source"); s && std::string(s.value()) != "manual") {
    ew.String("source", s.value());
    any = true;
  }
  ew.Close();
  if (any) w.Raw("cvat", extra);
}

std::vector<fs::path> CvatFiles(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {fs::path(path)};
  fs::path dir = path;
  if (fs::is_regular_file(dir / "annotations.xml", ec)) return {dir / "annotations.xml"};
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".xml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool DetectCvat(const std::string& path) {
  auto files = CvatFiles(path);
  if (files.empty() || files[0].extension() != ".xml") return false;
  std::string head = ReadHead(files[0].string(), 4096);
  return head.find("<annotations>") != std::string::npos &&
         (head.find("<version>1.1</version>") != std::string::npos || head.find("<meta>") != std::string::npos ||
          head.find("<image ") != std::string::npos);
}

// The label specs of <meta>: name -> {"cvat": {...}} (attribute specs, colour, type).
std::string LabelSpec(pugi::xml_node label) {
  std::string spec;
  JsonObjectWriter w(&spec);
  bool any = false;
  for (const char* k : {"color", "type"})
    if (pugi::xml_node n = label.child(k)) {
      w.String(k, Trimmed(n.child_value()));
      any = true;
    }
  if (pugi::xml_node attrs = label.child("attributes"); attrs && attrs.child("attribute")) {
    std::string list = "[";
    for (pugi::xml_node a : attrs.children("attribute")) {
      if (list.size() > 1) list.push_back(',');
      JsonObjectWriter aw(&list);
      for (pugi::xml_node f : a.children())
        if (f.type() == pugi::node_element) aw.String(f.name(), Trimmed(f.child_value()));
      aw.Close();
    }
    w.Raw("attributes", list + "]");
    any = true;
  }
  w.Close();
  return any ? "{\"cvat\":" + spec + "}" : "{}";
}

struct ReadState {
  Dataset ds;
  std::map<std::string, std::string> class_specs;  // label -> class_info JSON
  std::set<std::string> ids;
};

Status ReadCvatFile(const fs::path& file, const ReadOptions& options, ReadState& st, ClassTable& classes) {
  std::string name = file.string();
  pugi::xml_document doc;
  auto text = ParseSafeXml(doc, name, options.max_file_bytes);
  if (!text) return text.error();
  pugi::xml_node root = doc.child("annotations");
  if (!root) return MakeError("bad-xml", name + ": no <annotations> element (not a CVAT file)");
  auto where = [&](pugi::xml_node n) { return name + ":" + std::to_string(LineOf(*text, size_t(n.offset_debug()))); };
  if (pugi::xml_node track = root.child("track"))
    return MakeError("unsupported", where(track) + ": <track> is CVAT for video; export the task as CVAT for images");

  for (pugi::xpath_node x : root.select_nodes("meta//labels/label")) {
    std::string label = Trimmed(x.node().child_value("name"));
    if (label.empty()) continue;
    if (!classes.fixed()) ClassIndex(st.ds, label, true);
    std::string spec = LabelSpec(x.node());
    if (spec != "{}") st.class_specs[label] = spec;
  }

  std::string stem = file.stem().string();
  std::string file_split = stem == "annotations" || stem == "default" ? "" : stem;
  fs::path dir = file.parent_path();
  for (pugi::xml_node img : root.children("image")) {
    std::string image_name = img.attribute("name").value();
    if (image_name.empty()) {
      if (Status s = Problem(options, where(img), "bad-image", "<image> without a name"); !s) return s;
      continue;
    }
    std::string split = img.attribute("subset") ? img.attribute("subset").value() : file_split;
    Record r;
    std::string id = (split.empty() ? "" : split + "/") + StripExtension(image_name);
    if (!st.ids.insert(id).second) {
      if (Status s = Problem(options, where(img), "duplicate-image", "image \"" + id + "\" appears twice"); !s) return s;
      continue;
    }
    r.SetString("id", id);
    // Where the image is: CVAT exports put it under images/<subset>/ (project) or images/.
    std::string path = image_name;
    std::error_code ec;
    if (!split.empty() && fs::exists(dir / "images" / split / image_name, ec)) path = "images/" + split + "/" + image_name;
    else if (fs::exists(dir / "images" / image_name, ec)) path = "images/" + image_name;
    r.SetString("path", path);
    if (auto w = ParseNumber(img.attribute("width").value()); w && *w > 0) r.SetNumber("width", *w);
    if (auto h = ParseNumber(img.attribute("height").value()); h && *h > 0) r.SetNumber("height", *h);
    if (!split.empty()) r.SetString("split", split);

    SourceLocation loc;
    if (options.locate) loc.image = where(img);
    std::string boxes = "[";
    std::string shapes[3] = {"[", "[", "["};
    std::string labels = "[", tags = "[", raw_xml = "[";
    bool tag_attrs = false;
    for (pugi::xml_node n : img.children()) {
      if (n.type() != pugi::node_element) continue;
      std::string kind = n.name();
      std::string label = n.attribute("label").value();
      if (kind == "box") {
        if (label.empty()) {
          if (Status s = Problem(options, where(n), "no-label", "<box> without a label"); !s) return s;
          continue;
        }
        auto cls = classes.Resolve(label, where(n));
        if (!cls) return cls.error();
        if (*cls < 0) continue;
        double v[4];
        bool ok = true;
        const char* names[4] = {"xtl", "ytl", "xbr", "ybr"};
        for (int k = 0; k < 4; ++k) {
          auto num = ParseNumber(n.attribute(names[k]).value());
          ok &= num && std::isfinite(*num);
          v[k] = num.value_or(0);
        }
        if (!ok) {
          if (Status s = Problem(options, where(n), "bad-box", "<box> needs finite xtl, ytl, xbr, ybr"); !s) return s;
          continue;
        }
        if (boxes.size() > 1) boxes.push_back(',');
        JsonObjectWriter w(&boxes);
        BeginBox(w, label, BoxXYXY{v[0], v[1], v[2], v[3]});  // CVAT edges = stream edges
        ShapeMembers(n, w);
        w.Close();
        if (options.locate) loc.boxes.push_back(where(n));
      } else if (kind == "polygon" || kind == "polyline" || kind == "points") {
        int k = kind == "polygon" ? 0 : kind == "polyline" ? 1 : 2;
        auto pts = ParsePoints(n.attribute("points").value());
        if (!pts) {
          if (Status s = Problem(options, where(n), "bad-shape", "<" + kind + "> needs points=\"x,y;x,y;...\""); !s)
            return s;
          continue;
        }
        if (!label.empty()) {
          auto cls = classes.Resolve(label, where(n));
          if (!cls) return cls.error();
          if (*cls < 0) continue;
        }
        std::string members;
        JsonObjectWriter mw(&members);
        ShapeMembers(n, mw);
        mw.Close();
        if (shapes[k].size() > 1) shapes[k].push_back(',');
        shapes[k] += ShapeJson(label, *pts, std::string_view(members).substr(1, members.size() - 2));
      } else if (kind == "tag") {
        if (!label.empty()) {
          auto cls = classes.Resolve(label, where(n));
          if (!cls) return cls.error();
          if (*cls < 0) continue;
        }
        if (labels.size() > 1) labels.push_back(',');
        labels += JsonString(label);
        std::string a = AttrsJson(n);
        if (tags.size() > 1) tags.push_back(',');
        tags += "{\"label\":" + JsonString(label) + (a.empty() ? "" : ",\"attrs\":" + a) + "}";
        tag_attrs |= !a.empty();
      } else {
        if (raw_xml.size() > 1) raw_xml.push_back(',');
        raw_xml += JsonString(NodeXml(n));
      }
    }
    r.SetRaw("boxes", boxes + "]");
    for (int k = 0; k < 3; ++k)
      if (shapes[k].size() > 1) r.SetRaw(kShapeKeys[k], shapes[k] + "]");
    if (labels.size() > 1) r.SetRaw("labels", labels + "]");
    if (tag_attrs || raw_xml.size() > 1) {
      std::string extra;
      JsonObjectWriter ew(&extra);
      if (tag_attrs) ew.Raw("tags", tags + "]");
      if (raw_xml.size() > 1) ew.Raw("xml", raw_xml + "]");
      ew.Close();
      r.SetRaw("cvat", extra);
    }
    st.ds.images.push_back(std::move(r));
    if (options.locate) st.ds.locations.push_back(std::move(loc));
  }
  return Status::Ok();
}

Result<Dataset> ReadCvat(const std::string& path, const ReadOptions& options) {
  auto files = CvatFiles(path);
  if (files.empty()) return MakeError("io", path + ": no CVAT .xml file found");
  ReadState st;
  ClassTable classes(st.ds, options);
  for (const fs::path& f : files)
    if (Status s = ReadCvatFile(f, options, st, classes); !s) return s.error();
  if (!st.class_specs.empty()) {
    for (const std::string& c : st.ds.classes) {
      auto it = st.class_specs.find(c);
      auto rec = Record::FromJson(it == st.class_specs.end() ? "{}" : it->second);
      st.ds.class_info.push_back(rec ? std::move(rec.value()) : Record());
    }
  }
  return std::move(st.ds);
}

// ---- writing ----

void AddText(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).append_child(pugi::node_pcdata).set_value(value.c_str());
}

std::string AttrText(const std::string& raw) { return DecodeJsonString(raw).value_or(raw); }

// Writes occluded/z_order/attrs/cvat extras of `fields` onto a shape element; collects attribute
// names per label for the <meta> specs.
void WriteShapeMembers(pugi::xml_node n, const Record& fields, std::map<std::string, std::vector<std::string>>& used,
                       const std::string& label) {
  Record extra;
  if (const std::string* raw = fields.FindRaw("cvat"))
    if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
  if (auto z = fields.GetNumber("z_order")) n.append_attribute("z_order").set_value(FormatShortest(*z).c_str());
  if (auto r = extra.GetNumber("rotation")) n.append_attribute("rotation").set_value(FormatShortest(*r).c_str());
  if (const std::string* g = extra.FindRaw("group_id")) n.append_attribute("group_id").set_value(AttrText(*g).c_str());
  if (const std::string* raw = fields.FindRaw("attrs")) {
    if (auto a = Record::FromJson(*raw)) {
      auto& names = used[label];
      for (const Field& f : a->fields()) {
        pugi::xml_node at = n.append_child("attribute");
        at.append_attribute("name").set_value(f.key.c_str());
        at.append_child(pugi::node_pcdata).set_value(AttrText(f.raw).c_str());
        if (std::find(names.begin(), names.end(), f.key) == names.end()) names.push_back(f.key);
      }
    }
  }
}

void BeginShape(pugi::xml_node n, const std::string& label, const Record& fields) {
  Record extra;
  if (const std::string* raw = fields.FindRaw("cvat"))
    if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
  n.append_attribute("label").set_value(label.c_str());
  n.append_attribute("source").set_value(extra.GetString("source").value_or("manual").c_str());
  n.append_attribute("occluded").set_value(Truthy(fields.FindRaw("occluded")) ? "1" : "0");
}

// The <image name>: the record's path without the images/ and <split>/ folders CVAT adds.
std::string ImageName(const Record& r) {
  std::string name = r.GetString("path").value_or("");
  if (name.empty()) name = r.GetString("id").value_or("");
  if (name.starts_with("images/")) name = name.substr(7);
  if (auto split = r.GetString("split"); split && name.starts_with(*split + "/")) name = name.substr(split->size() + 1);
  return name;
}

Status WriteCvat(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.occluded = support.attrs = support.polygons = support.points = support.polylines = true;
  support.image_labels = support.cvat_shapes = true;
  support.other_box_keys = {"z_order", "cvat"};
  std::vector<std::array<std::vector<ShapeRecord>, 3>> shapes(ds.images.size());
  for (size_t i = 0; i < ds.images.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      auto s = ReadShapes(ds.images[i], kShapeKeys[k]);
      if (!s) return MakeError("bad-record", RecordName(ds.images[i], i) + ": " + s.error().message);
      shapes[i][k] = std::move(s.value());
    }
  // A shape's keys beyond what a CVAT shape holds.
  ExtraLosses shape_keys = [](const Record& r, const std::vector<BoxRecord>&, LossReport& local) {
    for (int k = 0; k < 3; ++k) {
      auto list = ReadShapes(r, kShapeKeys[k]);
      if (!list) continue;  // reported above
      for (const ShapeRecord& sh : *list)
        for (const Field& f : sh.fields.fields())
          if (f.key != "label" && f.key != "points" && f.key != "occluded" && f.key != "z_order" &&
              f.key != "attrs" && f.key != "cvat" && f.raw != "null")
            local.Add(std::string(kShapeTags[k]) + " key \"" + f.key + "\"");
    }
  };
  auto gathered = GatherForWrite(ds, support, options, losses, "cvat", shape_keys);
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;

  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("annotations");
  AddText(root, "version", "1.1");
  pugi::xml_node task = root.append_child("meta").append_child("task");
  AddText(task, "name", "imgpipe");
  AddText(task, "size", std::to_string(ds.images.size()));
  AddText(task, "mode", "annotation");
  pugi::xml_node labels_node = task.append_child("labels");

  std::map<std::string, std::vector<std::string>> used_attrs;  // label -> attribute names seen
  std::vector<std::string> extra_labels;                       // used but not in ds.classes
  auto note_label = [&](const std::string& l) {
    if (l.empty() || std::find(ds.classes.begin(), ds.classes.end(), l) != ds.classes.end()) return;
    if (std::find(extra_labels.begin(), extra_labels.end(), l) == extra_labels.end()) extra_labels.push_back(l);
  };
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    pugi::xml_node img = root.append_child("image");
    img.append_attribute("id").set_value(std::to_string(i).c_str());
    std::string name = ImageName(r);
    if (name.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `path` or `id` to name the image");
    img.append_attribute("name").set_value(name.c_str());
    if (auto split = r.GetString("split")) img.append_attribute("subset").set_value(split->c_str());
    if (auto w = r.GetNumber("width")) img.append_attribute("width").set_value(FormatShortest(*w).c_str());
    if (auto h = r.GetNumber("height")) img.append_attribute("height").set_value(FormatShortest(*h).c_str());
    for (const BoxRecord& b : all[i]) {
      if (IsDroppedCrowd(b, support)) continue;
      auto label = b.Label();
      if (!label || label->empty()) return MakeError("bad-record", RecordName(r, i) + ": a box has no `label`");
      note_label(*label);
      pugi::xml_node n = img.append_child("box");
      BeginShape(n, *label, b.fields);
      n.append_attribute("xtl").set_value(FormatShortest(b.box.x0).c_str());
      n.append_attribute("ytl").set_value(FormatShortest(b.box.y0).c_str());
      n.append_attribute("xbr").set_value(FormatShortest(b.box.x1).c_str());
      n.append_attribute("ybr").set_value(FormatShortest(b.box.y1).c_str());
      WriteShapeMembers(n, b.fields, used_attrs, *label);
    }
    for (int k = 0; k < 3; ++k)
      for (const ShapeRecord& s : shapes[i][k]) {
        note_label(s.label);
        pugi::xml_node n = img.append_child(kShapeTags[k]);
        BeginShape(n, s.label, s.fields);
        n.append_attribute("points").set_value(CvatPoints(s.points).c_str());
        WriteShapeMembers(n, s.fields, used_attrs, s.label);
      }
    Record extra;
    if (const std::string* raw = r.FindRaw("cvat"))
      if (auto e = Record::FromJson(*raw)) extra = std::move(e.value());
    // Tags: `labels`, with attributes from cvat.tags when the label matches.
    std::vector<std::pair<std::string, std::string>> tag_attrs;
    if (const std::string* t = extra.FindRaw("tags"))
      if (auto items = SplitJsonArray(*t))
        for (std::string_view item : *items)
          if (auto rec = Record::FromJson(item))
            if (const std::string* a = rec->FindRaw("attrs")) tag_attrs.emplace_back(rec->GetString("label").value_or(""), *a);
    if (const std::string* l = r.FindRaw("labels"))
      if (auto items = SplitJsonArray(*l))
        for (std::string_view item : *items) {
          std::string label = DecodeJsonString(item).value_or(std::string(item));
          note_label(label);
          pugi::xml_node n = img.append_child("tag");
          n.append_attribute("label").set_value(label.c_str());
          n.append_attribute("source").set_value("manual");
          for (auto it = tag_attrs.begin(); it != tag_attrs.end(); ++it)
            if (it->first == label) {
              Record attrs;
              attrs.SetRaw("attrs", it->second);
              WriteShapeMembers(n, attrs, used_attrs, label);
              tag_attrs.erase(it);
              break;
            }
        }
    if (const std::string* x = extra.FindRaw("xml"))
      if (auto items = SplitJsonArray(*x))
        for (std::string_view item : *items) {
          std::string fragment = DecodeJsonString(item).value_or("");
          if (fragment.find("<!") != std::string::npos)
            return MakeError("unsafe-xml", RecordName(r, i) + ": cvat.xml holds a declaration");
          pugi::xml_document frag;
          if (!frag.load_buffer(fragment.data(), fragment.size(), pugi::parse_default) || !frag.first_child())
            return MakeError("bad-record", RecordName(r, i) + ": cvat.xml holds malformed XML");
          for (pugi::xml_node c : frag.children()) img.append_copy(c);
        }
  }

  // <meta> label specs: from class_info where the input was CVAT, else the attributes seen.
  std::vector<std::string> names = ds.classes;
  names.insert(names.end(), extra_labels.begin(), extra_labels.end());
  for (size_t c = 0; c < names.size(); ++c) {
    pugi::xml_node label = labels_node.append_child("label");
    AddText(label, "name", names[c]);
    Record spec;
    if (c < ds.class_info.size())
      if (const std::string* raw = ds.class_info[c].FindRaw("cvat"))
        if (auto s = Record::FromJson(*raw)) spec = std::move(s.value());
    for (const char* k : {"color", "type"})
      if (auto v = spec.GetString(k)) AddText(label, k, *v);
    pugi::xml_node attrs = label.append_child("attributes");
    std::vector<std::string> declared;
    if (const std::string* list = spec.FindRaw("attributes"))
      if (auto items = SplitJsonArray(*list))
        for (std::string_view item : *items)
          if (auto a = Record::FromJson(item)) {
            pugi::xml_node at = attrs.append_child("attribute");
            for (const Field& f : a->fields()) AddText(at, f.key.c_str(), AttrText(f.raw));
            declared.push_back(a->GetString("name").value_or(""));
          }
    for (const std::string& n : used_attrs[names[c]]) {
      if (std::find(declared.begin(), declared.end(), n) != declared.end()) continue;
      pugi::xml_node at = attrs.append_child("attribute");
      AddText(at, "name", n);
      AddText(at, "mutable", "False");
      AddText(at, "input_type", "text");
      AddText(at, "default_value", "");
      AddText(at, "values", "");
    }
  }

  StringWriter sw;
  doc.save(sw, "  ", pugi::format_default, pugi::encoding_utf8);
  if (out.ends_with(".xml")) return WriteSingleFile(out, sw.out);
  OutputFiles files;
  files.Add("annotations.xml", std::move(sw.out));
  return files.Commit(out);
}

}  // namespace

extern const Format kCvatFormat{"cvat",
                                "CVAT for images 1.1 XML (annotations.xml): boxes, polygons, polylines, "
                                "points, tags; attributes, occluded, z_order",
                                DetectCvat, ReadCvat, WriteCvat};

}  // namespace imgpipe::labels
