// Create ML JSON ([{"image", "annotations": [{"label", "coordinates": {x, y, width, height}}]}],
// x/y the box centre in pixels) <-> the record stream.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "formats/labels/json_file.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;
using simdjson::dom::element;

// (file, split) pairs: the file itself, or every *.json below a folder (split: its subfolder).
std::vector<std::pair<fs::path, std::string>> CreateMlFiles(const std::string& path) {
  std::vector<std::pair<fs::path, std::string>> out;
  std::error_code ec;
  bool dir = fs::is_directory(path, ec);
  for (const std::string& f : FilesBelow(path, ".json")) {
    fs::path rel = dir ? fs::relative(f, path) : fs::path();
    out.emplace_back(f, rel.has_parent_path() ? rel.parent_path().generic_string() : "");
  }
  return out;
}

bool DetectCreateMl(const std::string& path) {
  auto files = CreateMlFiles(path);
  if (files.empty()) return false;
  std::string head = ReadHead(files[0].first.string(), 4096);
  size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string::npos && head[first] == '[' &&
         head.find("\"image\"") != std::string::npos && head.find("\"annotations\"") != std::string::npos;
}

std::string Extras(simdjson::dom::object obj, std::initializer_list<std::string_view> known) {
  std::string out;
  JsonObjectWriter w(&out);
  bool any = false;
  for (auto field : obj) {
    if (std::find(known.begin(), known.end(), field.key) != known.end()) continue;
    w.Raw(field.key, simdjson::to_string(field.value));
    any = true;
  }
  w.Close();
  return any ? out : "";
}

Status ReadOneCreateMl(const fs::path& file, const std::string& split, const fs::path& root,
                       const ReadOptions& options, Dataset& ds, ClassTable& classes) {
  std::string name = file.string();
  simdjson::dom::parser parser;
  auto parsed = ParseJsonFile(parser, name, options.max_file_bytes);
  if (!parsed) return parsed.error();
  element doc = *parsed;
  simdjson::dom::array images;
  if (doc.get_array().get(images))
    return MakeError("bad-createml", name + ": expected a JSON array of {\"image\", \"annotations\"}");
  size_t i = 0;
  for (element e : images) {
    std::string where = name + ": [" + std::to_string(i++) + "]";
    simdjson::dom::object obj;
    std::string_view image;
    if (e.get_object().get(obj) || obj["image"].get_string().get(image)) {
      if (Status s = Problem(options, where, "bad-image", "expected an object with an \"image\" string"); !s) return s;
      continue;
    }
    Record r;
    std::string path = split.empty() ? std::string(image) : split + "/" + std::string(image);
    r.SetString("id", StripExtension(path));
    r.SetString("path", path);
    if (auto size = ProbeImageSize(((options.images_dir.empty() ? root : fs::path(options.images_dir)) / path).string())) {
      r.SetInt("width", size->first);
      r.SetInt("height", size->second);
    }
    if (!split.empty()) r.SetString("split", split);
    if (std::string extra = Extras(obj, {"image", "annotations"}); !extra.empty()) r.SetRaw("createml", extra);
    SourceLocation loc;
    if (options.locate) loc.image = where;
    std::string boxes = "[";
    bool first = true;
    simdjson::dom::array anns;
    if (obj["annotations"].get_array().get(anns) == simdjson::SUCCESS) {
      size_t j = 0;
      for (element a : anns) {
        std::string aw = where + ".annotations[" + std::to_string(j++) + "]";
        simdjson::dom::object ao, co;
        std::string_view label;
        double v[4];
        bool ok = !a.get_object().get(ao) && !ao["label"].get_string().get(label) &&
                  !ao["coordinates"].get_object().get(co) && !co["x"].get_double().get(v[0]) &&
                  !co["y"].get_double().get(v[1]) && !co["width"].get_double().get(v[2]) &&
                  !co["height"].get_double().get(v[3]);
        if (!ok) {
          if (Status s = Problem(options, aw, "bad-box",
                                 "expected {\"label\": string, \"coordinates\": {\"x\", \"y\", \"width\", \"height\"}}");
              !s)
            return s;
          continue;
        }
        auto cls = classes.Resolve(std::string(label), aw + ".label");
        if (!cls) return cls.error();
        if (*cls < 0) continue;
        if (!first) boxes.push_back(',');
        first = false;
        JsonObjectWriter w(&boxes);
        BeginBox(w, label, FromCreateMl(v[0], v[1], v[2], v[3]));
        if (std::string extra = Extras(ao, {"label", "coordinates"}); !extra.empty()) w.Raw("createml", extra);
        w.Close();
        if (options.locate) loc.boxes.push_back(aw);
      }
    }
    boxes.push_back(']');
    r.SetRaw("boxes", boxes);
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(std::move(loc));
  }
  return Status::Ok();
}

Result<Dataset> ReadCreateMl(const std::string& path, const ReadOptions& options) {
  auto files = CreateMlFiles(path);
  if (files.empty()) return MakeError("io", path + ": no Create ML .json file found");
  fs::path root = RootOf(path);
  Dataset ds;
  ClassTable classes(ds, options);
  for (const auto& [file, split] : files)
    if (Status s = ReadOneCreateMl(file, split, root, options, ds, classes); !s) return s.error();
  return ds;
}

Status WriteCreateMl(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  Support support;
  support.other_box_keys = {"createml"};
  auto gathered = GatherForWrite(ds, support, options, losses, "createml");
  if (!gathered) return gathered.error();
  const std::vector<std::vector<BoxRecord>>& all = *gathered;
  bool single = out.ends_with(".json");
  std::map<std::string, std::string> by_split;  // split ("" none) -> JSON array text
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string split = single ? "" : r.GetString("split").value_or("");
    std::string image = r.GetString("path").value_or(r.GetString("id").value_or(""));
    if (!split.empty() && image.starts_with(split + "/")) image = image.substr(split.size() + 1);
    std::string& text = by_split[split];
    text += text.empty() ? "[\n" : ",\n";
    JsonObjectWriter w(&text);
    w.String("image", image);
    if (const std::string* extra = r.FindRaw("createml"); extra && extra->size() > 2 && extra->front() == '{')
      w.Members(std::string_view(*extra).substr(1, extra->size() - 2));
    std::string anns = "[";
    for (const BoxRecord& b : all[i]) {
      if (IsDroppedCrowd(b, support)) continue;
      if (anns.size() > 1) anns.push_back(',');
      JsonObjectWriter aw(&anns);
      aw.String("label", b.Label().value_or(""));
      double v[4];
      ToCreateMl(b.box, v);
      aw.Raw("coordinates", "{\"x\":" + FormatShortest(v[0]) + ",\"y\":" + FormatShortest(v[1]) +
                                ",\"width\":" + FormatShortest(v[2]) + ",\"height\":" + FormatShortest(v[3]) + "}");
      if (const std::string* extra = b.fields.FindRaw("createml"); extra && extra->size() > 2 && extra->front() == '{')
        aw.Members(std::string_view(*extra).substr(1, extra->size() - 2));
      aw.Close();
    }
    anns.push_back(']');
    w.Raw("annotations", anns);
    w.Close();
  }
  if (by_split.empty()) by_split[""] = "[";
  for (auto& [split, text] : by_split) text += "\n]\n";
  if (single) return WriteSingleFile(out, by_split[""]);
  OutputFiles files;
  for (auto& [split, text] : by_split)
    files.Add((split.empty() ? "" : split + "/") + "_annotations.createml.json", std::move(text));
  return files.Commit(out);
}

}  // namespace

extern const Format kCreateMlFormat{"createml",
                                    "Apple Create ML JSON: [{image, annotations: [{label, coordinates: "
                                    "{x, y, width, height}}]}], centre and size in pixels",
                                    DetectCreateMl, ReadCreateMl, WriteCreateMl};

}  // namespace imgpipe::labels
