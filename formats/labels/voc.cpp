// Pascal VOC / LabelImg XML (one file per image) <-> the record stream, with the VOC folder
// layout (Annotations/, ImageSets/Main/<split>.txt). XML with a DTD or entities is refused.
#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "formats/labels/xml_file.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace fs = std::filesystem;

namespace {

std::string Text(pugi::xml_node n) {
  std::string s = n.child_value();
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// A number element: nullopt when missing or not a number; NaN/inf are returned as they are.
std::optional<double> Number(pugi::xml_node parent, const char* name) {
  pugi::xml_node n = parent.child(name);
  if (!n) return std::nullopt;
  std::string t = Text(n);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

bool Flag(pugi::xml_node parent, const char* name) {
  auto v = Number(parent, name);
  if (v) return *v != 0;
  std::string t = Text(parent.child(name));
  return t == "true" || t == "True" || t == "yes";
}

struct Ctx {
  const std::string& file;
  const std::string& text;
  const ReadOptions& options;
  std::string Where(pugi::xml_node n) const {
    return file + ":" + std::to_string(LineOf(text, size_t(n.offset_debug())));
  }
};

// Reads <bndbox>; false (after recording a problem, or with the error in *status) when unusable.
bool ReadBndbox(const Ctx& ctx, pugi::xml_node obj, BoxXYXY* box, Status* status) {
  pugi::xml_node bb = obj.child("bndbox");
  double v[4];
  const char* names[4] = {"xmin", "ymin", "xmax", "ymax"};
  for (int k = 0; k < 4; ++k) {
    auto n = Number(bb, names[k]);
    if (!n) {
      *status = Problem(ctx.options, ctx.Where(bb ? bb : obj), "bad-box",
                        std::string("<bndbox> needs a number <") + names[k] + ">");
      return false;
    }
    if (!std::isfinite(*n)) {
      *status = Problem(ctx.options, ctx.Where(bb.child(names[k])), "not-finite",
                        std::string("<") + names[k] + "> is not a finite number");
      return false;
    }
    v[k] = *n;
  }
  *box = FromVoc(v[0], v[1], v[2], v[3]);
  return true;
}

Status ReadVocFile(const std::string& file, const std::string& id, const ReadOptions& options,
                   Dataset& ds, ClassTable& classes) {
  pugi::xml_document doc;
  auto text = ParseSafeXml(doc, file, options.max_file_bytes);
  if (!text) return text.error();
  pugi::xml_node ann = doc.child("annotation");
  if (!ann) return MakeError("bad-xml", file + ": no <annotation> element (not a VOC file)");
  Ctx ctx{file, *text, options};

  Record r;
  r.SetString("id", id);
  std::string filename = Text(ann.child("filename"));
  if (!filename.empty()) r.SetString("path", filename);
  pugi::xml_node size = ann.child("size");
  auto w = Number(size, "width"), h = Number(size, "height");
  if (w && *w > 0) r.SetNumber("width", *w);
  if (h && *h > 0) r.SetNumber("height", *h);
  std::string voc;
  {
    JsonObjectWriter vw(&voc);
    if (ann.child("folder")) vw.String("folder", Text(ann.child("folder")));
    if (ann.child("path")) vw.String("path", Text(ann.child("path")));
    if (ann.child("source").child("database")) vw.String("database", Text(ann.child("source").child("database")));
    if (auto d = Number(size, "depth")) vw.Number("depth", *d);
    if (auto s = Number(ann, "segmented")) vw.Number("segmented", *s);
    vw.Close();
  }
  if (voc != "{}") r.SetRaw("voc", voc);

  SourceLocation loc;
  if (options.locate) loc.image = file;
  std::string boxes = "[";
  bool first = true;
  for (pugi::xml_node obj : ann.children("object")) {
    std::string label = Text(obj.child("name"));
    if (label.empty()) {
      if (Status s = Problem(options, ctx.Where(obj), "no-label", "<object> without a <name>"); !s) return s;
      continue;
    }
    auto cls = classes.Resolve(label, ctx.Where(obj.child("name")));
    if (!cls) return cls.error();
    if (*cls < 0) continue;
    BoxXYXY box;
    Status st;
    if (!ReadBndbox(ctx, obj, &box, &st)) {
      if (!st) return st;
      continue;
    }
    if (!first) boxes.push_back(',');
    first = false;
    JsonObjectWriter bw(&boxes);
    BeginBox(bw, label, box);
    if (Flag(obj, "difficult")) bw.Bool("difficult", true);
    if (Flag(obj, "truncated")) bw.Bool("truncated", true);
    if (Flag(obj, "occluded")) bw.Bool("occluded", true);
    std::string pose = Text(obj.child("pose"));
    if (!pose.empty() && pose != "Unspecified") bw.String("pose", pose);
    std::string parts;
    for (pugi::xml_node part : obj.children("part")) {
      BoxXYXY pb;
      Status ps;
      if (!ReadBndbox(ctx, part, &pb, &ps)) {
        if (!ps) return ps;
        continue;
      }
      parts += parts.empty() ? "[" : ",";
      JsonObjectWriter pw(&parts);
      BeginBox(pw, Text(part.child("name")), pb);
      pw.Close();
    }
    if (!parts.empty()) bw.Raw("parts", parts + "]");
    if (pugi::xml_node actions = obj.child("actions")) {
      std::string a;
      JsonObjectWriter aw(&a);
      for (pugi::xml_node act : actions.children())
        if (act.type() == pugi::node_element) aw.Bool(act.name(), Text(act) == "1" || Text(act) == "true");
      aw.Close();
      bw.Raw("actions", a);
    }
    if (pugi::xml_node attrs = obj.child("attributes")) {
      std::string a;
      JsonObjectWriter aw(&a);
      for (pugi::xml_node at : attrs.children("attribute")) aw.String(Text(at.child("name")), Text(at.child("value")));
      aw.Close();
      bw.Raw("attrs", a);
    }
    bw.Close();
    if (options.locate) loc.boxes.push_back(ctx.Where(obj));
  }
  boxes.push_back(']');
  r.SetRaw("boxes", boxes);
  ds.images.push_back(std::move(r));
  if (options.locate) ds.locations.push_back(std::move(loc));
  return Status::Ok();
}

std::vector<fs::path> XmlFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && it->path().extension() == ".xml") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool DetectVoc(const std::string& path) {
  std::error_code ec;
  fs::path p = path;
  if (fs::is_directory(p, ec)) {
    auto files = XmlFiles(fs::is_directory(p / "Annotations", ec) ? p / "Annotations" : p);
    if (files.empty()) return false;
    p = files[0];
  } else if (p.extension() != ".xml") {
    return false;
  }
  // `<annotation>` or `<annotation ...>`: not CVAT's `<annotations>`.
  std::string head = ReadHead(p.string(), 4096);
  return head.find("<annotation>") != std::string::npos ||
         head.find("<annotation ") != std::string::npos;
}

Result<Dataset> ReadVoc(const std::string& path, const ReadOptions& options) {
  Dataset ds;
  ClassTable classes(ds, options);
  std::error_code ec;
  fs::path root = path;
  if (!fs::is_directory(root, ec)) {
    if (Status s = ReadVocFile(path, fs::path(path).stem().string(), options, ds, classes); !s) return s.error();
    return ds;
  }
  bool layout = fs::is_directory(root / "Annotations", ec);
  fs::path ann_dir = layout ? root / "Annotations" : root;
  for (const fs::path& f : XmlFiles(ann_dir)) {
    std::string id = fs::relative(f, ann_dir).replace_extension().generic_string();
    if (Status s = ReadVocFile(f.string(), id, options, ds, classes); !s) return s.error();
  }
  if (layout) {
    // Split lists: ImageSets/Main/<split>.txt (not the per-class <class>_<split>.txt lists);
    // train/val/test win over trainval.
    fs::path main_dir = root / "ImageSets" / "Main";
    std::vector<fs::path> lists;
    for (const auto& e : fs::directory_iterator(main_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".txt" && e.path().stem().string().find('_') == std::string::npos)
        lists.push_back(e.path());
    std::sort(lists.begin(), lists.end(), [](const fs::path& a, const fs::path& b) {
      bool ta = a.stem() == "trainval", tb = b.stem() == "trainval";
      return ta != tb ? tb : a < b;
    });
    std::map<std::string, size_t> by_id;
    for (size_t i = 0; i < ds.images.size(); ++i) by_id[*ds.images[i].GetString("id")] = i;
    for (const fs::path& list : lists) {
      std::string split = list.stem().string();
      if (split == "default") continue;
      auto text = ReadTextFile(list.string(), options.max_file_bytes);
      if (!text) return text.error();
      std::istringstream in(*text);
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string id;
        words >> id;
        auto it = by_id.find(id);
        if (it != by_id.end() && !ds.images[it->second].Has("split")) ds.images[it->second].SetString("split", split);
      }
    }
  }
  return ds;
}

std::string XmlNumber(double v) { return FormatShortest(v); }

void AddText(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).append_child(pugi::node_pcdata).set_value(value.c_str());
}

void AddBndbox(pugi::xml_node parent, const BoxXYXY& b) {
  double v[4];
  ToVoc(b, v);
  pugi::xml_node bb = parent.append_child("bndbox");
  AddText(bb, "xmin", XmlNumber(v[0]));
  AddText(bb, "ymin", XmlNumber(v[1]));
  AddText(bb, "xmax", XmlNumber(v[2]));
  AddText(bb, "ymax", XmlNumber(v[3]));
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

Result<std::string> VocXml(const Record& r, size_t index, const std::vector<BoxRecord>& boxes, const Support& support) {
  pugi::xml_document doc;
  pugi::xml_node ann = doc.append_child("annotation");
  Record voc;
  if (const std::string* raw = r.FindRaw("voc"))
    if (auto v = Record::FromJson(*raw)) voc = std::move(v.value());
  std::string path = r.GetString("path").value_or(r.GetString("id").value_or(""));
  AddText(ann, "folder", voc.GetString("folder").value_or(Dirname(path).empty() ? "images" : Basename(Dirname(path))));
  AddText(ann, "filename", Basename(path));
  if (auto p = voc.GetString("path")) AddText(ann, "path", *p);
  AddText(ann.append_child("source"), "database", voc.GetString("database").value_or("Unknown"));
  auto w = r.GetNumber("width"), h = r.GetNumber("height");
  if (w || h) {
    pugi::xml_node size = ann.append_child("size");
    AddText(size, "width", XmlNumber(w.value_or(0)));
    AddText(size, "height", XmlNumber(h.value_or(0)));
    AddText(size, "depth", XmlNumber(voc.GetNumber("depth").value_or(3)));
  }
  AddText(ann, "segmented", XmlNumber(voc.GetNumber("segmented").value_or(0)));
  for (const BoxRecord& b : boxes) {
    if (IsDroppedCrowd(b, support)) continue;
    auto label = b.Label();
    if (!label) return MakeError("bad-record", RecordName(r, index) + ": a box has no `label`");
    pugi::xml_node obj = ann.append_child("object");
    AddText(obj, "name", *label);
    AddText(obj, "pose", b.fields.GetString("pose").value_or("Unspecified"));
    AddText(obj, "truncated", Truthy(b.fields.FindRaw("truncated")) ? "1" : "0");
    AddText(obj, "difficult", Truthy(b.fields.FindRaw("difficult")) ? "1" : "0");
    if (Truthy(b.fields.FindRaw("occluded"))) AddText(obj, "occluded", "1");
    AddBndbox(obj, b.box);
    if (const std::string* parts = b.fields.FindRaw("parts")) {
      BoxRecord holder{{}, {}};
      holder.fields.SetRaw("boxes", *parts);
      auto pb = ReadBoxes(holder.fields);
      if (!pb) return MakeError("bad-record", RecordName(r, index) + ": parts: " + pb.error().message);
      for (const BoxRecord& p : *pb) {
        pugi::xml_node part = obj.append_child("part");
        AddText(part, "name", p.Label().value_or(""));
        AddBndbox(part, p.box);
      }
    }
    if (const std::string* actions = b.fields.FindRaw("actions")) {
      if (auto a = Record::FromJson(*actions)) {
        pugi::xml_node node = obj.append_child("actions");
        for (const Field& f : a->fields()) AddText(node, f.key.c_str(), Truthy(&f.raw) ? "1" : "0");
      }
    }
    if (const std::string* attrs = b.fields.FindRaw("attrs")) {
      if (auto a = Record::FromJson(*attrs); a && !a->fields().empty()) {
        pugi::xml_node node = obj.append_child("attributes");
        for (const Field& f : a->fields()) {
          pugi::xml_node at = node.append_child("attribute");
          AddText(at, "name", f.key);
          AddText(at, "value", DecodeJsonString(f.raw).value_or(f.raw));
        }
      }
    }
  }
  StringWriter sw;
  doc.save(sw, "\t", pugi::format_default | pugi::format_no_declaration);
  return std::move(sw.out);
}

Status WriteVoc(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  std::string layout = options.layout.empty() ? "voc" : options.layout;
  if (layout != "voc" && layout != "labelimg")
    return MakeError("usage", "voc: unknown --layout \"" + layout + "\" (voc or labelimg)");
  Support support;
  support.difficult = support.truncated = support.occluded = support.pose = true;
  support.parts = support.actions = support.attrs = true;
  auto gathered = GatherForWrite(ds, support, options, losses, "voc");
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;
  OutputFiles files;
  std::map<std::string, std::string> split_lists;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string name = r.GetString("id").value_or("");
    if (name.empty()) name = StripExtension(r.GetString("path").value_or(""));
    if (name.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `id` or `path` to name its XML file");
    auto xml = VocXml(r, i, all[i], support);
    if (!xml) return xml.error();
    files.Add((layout == "voc" ? "Annotations/" : "") + name + ".xml", std::move(xml.value()));
    if (auto split = r.GetString("split"); split && layout == "voc") split_lists[*split] += name + "\n";
  }
  for (auto& [split, list] : split_lists) files.Add("ImageSets/Main/" + split + ".txt", std::move(list));
  return files.Commit(out);
}

}  // namespace

extern const Format kVocFormat{"voc",
                               "Pascal VOC / LabelImg XML, one file per image (Annotations/, "
                               "ImageSets/Main/<split>.txt); difficult, truncated, pose, parts",
                               DetectVoc, ReadVoc, WriteVoc};

}  // namespace imgpipe::labels
