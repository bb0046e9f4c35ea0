// YOLO txt (one file per image: "class cx cy w h", normalised) <-> the record stream. Class names
// from classes.txt, obj.names or data.yaml; image sizes from the image files' headers.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "formats/labels/conventions.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

constexpr const char* kImageExtensions[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif",
                                            ".JPG", ".JPEG", ".PNG", ".BMP", ".tif", ".tiff"};

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
    for (const char* ext : kImageExtensions) {
      fs::path p = d / (stem + ext);
      if (fs::is_regular_file(p, ec)) return p;
    }
  return std::nullopt;
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
    bool first = true;
    size_t line_no = 0;
    for (size_t start = 0; start < text->size();) {
      size_t nl = text->find('\n', start);
      if (nl == std::string::npos) nl = text->size();
      std::string line = text->substr(start, nl - start);
      start = nl + 1;
      ++line_no;
      std::string where = fname + ":" + std::to_string(line_no);
      double v[6];
      int n = 0;
      const char* p = line.c_str();
      while (n < 6) {
        char* end;
        double d = std::strtod(p, &end);
        if (end == p) break;
        v[n++] = d;
        p = end;
      }
      while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
      if (n == 0 && *p == '\0') continue;  // blank line
      if ((n != 5 && n != 6) || *p != '\0') {
        if (Status s = Problem(options, where, "bad-line", "expected \"class cx cy w h\" (5 numbers)"); !s)
          return s.error();
        continue;
      }
      bool finite = true;
      for (int k = 0; k < n; ++k) finite &= std::isfinite(v[k]);
      if (!finite) {
        if (Status s = Problem(options, where, "not-finite", "NaN or infinite value"); !s) return s.error();
        continue;
      }
      if (v[0] < 0 || v[0] != std::floor(v[0]) || (named && v[0] >= double(ds.classes.size())) || v[0] > 1e6) {
        if (Status s = Problem(options, where, "unknown-category",
                               "class id " + FormatShortest(v[0]) + " is not in the class list (" +
                                   std::to_string(ds.classes.size()) + " names)");
            !s)
          return s.error();
        continue;
      }
      if (!size) {
        if (Status s = Problem(options, where, "no-image-size",
                               "no image found for " + fname + " (YOLO boxes are fractions of the image size; "
                               "give --images DIR)");
            !s)
          return s.error();
        continue;
      }
      size_t cls = size_t(v[0]);
      if (!named)
        while (ds.classes.size() <= cls) ds.classes.push_back(std::to_string(ds.classes.size()));
      if (!first) boxes.push_back(',');
      first = false;
      JsonObjectWriter w(&boxes);
      BeginBox(w, ds.classes[cls], FromYolo(v[1], v[2], v[3], v[4], size->first, size->second));
      // The class id travels with the box (like COCO's), so yolo -> ndjson -> yolo keeps ids.
      w.Int("category_id", int64_t(cls));
      if (n == 6) w.Number("score", v[5]);
      w.Close();
      if (options.locate) loc.boxes.push_back(where);
    }
    boxes.push_back(']');
    r.SetRaw("boxes", boxes);
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(std::move(loc));
  }
  return ds;
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

Status WriteYolo(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  std::string layout = options.layout.empty() ? "flat" : options.layout;
  if (layout != "flat" && layout != "ultralytics")
    return MakeError("usage", "yolo: unknown --layout \"" + layout + "\" (flat or ultralytics)");
  Support support;  // a YOLO line holds a class and a box, nothing else
  LossReport local;
  std::vector<std::vector<BoxRecord>> all(ds.images.size());
  for (size_t i = 0; i < ds.images.size(); ++i) {
    auto boxes = RecordBoxes(ds.images[i], i);
    if (!boxes) return boxes.error();
    CountLosses(ds.images[i], *boxes, support, local);
    all[i] = std::move(boxes.value());
  }
  if (Status s = SettleLosses(local, options, losses, "yolo"); !s) return s;
  OutputFiles files;
  std::map<std::string, bool> splits;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string text;
    auto w = r.GetNumber("width"), h = r.GetNumber("height");
    for (const BoxRecord& b : all[i]) {
      if (IsDroppedCrowd(b, support)) continue;
      if (!w || !h || *w <= 0 || *h <= 0)
        return MakeError("bad-record", RecordName(r, i) + ": no width/height (YOLO boxes are fractions of the image size)");
      auto label = b.Label();
      auto cls = label ? ClassIndex(const_cast<Dataset&>(ds), *label, false) : std::nullopt;
      if (!cls) return MakeError("bad-labels", RecordName(r, i) + ": label \"" + label.value_or("") + "\" is not in the class list");
      double v[4];
      ToYolo(b.box, *w, *h, v);
      text += std::to_string(*cls);
      for (double x : v) text += " " + FormatDecimal(x, 10);
      text += "\n";
    }
    files.Add(LabelName(r, layout), std::move(text));
    splits[r.GetString("split").value_or("train")] = true;
  }
  if (layout == "flat") {
    std::string names;
    for (const std::string& c : ds.classes) names += c + "\n";
    files.Add("classes.txt", std::move(names));
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
                                "YOLO txt, one file per image (class cx cy w h, normalised); "
                                "classes.txt, obj.names or data.yaml names",
                                DetectYolo, ReadYolo, WriteYolo};

}  // namespace imgpipe::labels
