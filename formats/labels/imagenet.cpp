// ImageNet-style classification datasets <-> the record stream (image-level `labels`, no boxes).
//
// Folder variant (torchvision ImageFolder): <root>/<class>/<image>, images found recursively
// below each class folder (as torchvision does); classes are the folder names, sorted (their
// index is torchvision's class index); a folder named no_label holds unlabelled images
// (datumaro's convention); image files directly in <root> belong to no class and are skipped.
// When every top-level folder is a split name (train, val, valid, validation, test, trainval),
// each is such a root and names the record's `split`.
//
// Txt variant: <subset>.txt lines "<image path> <class index> [<class index>...]" (a path with
// spaces is quoted, datumaro's "name".ext form and "name.ext" both read), class names from
// synsets.txt (line i = class i), or --classes; without either, names are generated
// ("class-<i>", datumaro's convention). Image paths are relative to <root>/images/ (or --images).
//
// Writing: layout "folder" (default) copies each image file into <out>/[<split>/]<class>/ (an
// image with several labels into each class folder, one without labels into no_label/), and
// creates an empty folder for every class without images so class indices survive; "symlink"
// does the same with symbolic links to the source files (absolute targets) instead of copies;
// "txt" writes <split>.txt and synsets.txt only (no image files). Source images are the
// records' `path`, relative to --images DIR when given (else to the working directory). Boxes,
// polygons and points have no place here: dropping them is lossy.
#include "formats/labels/imagenet.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "formats/labels/conventions_io.h"
#include "libcommon/boxes.h"
#include "libcommon/files.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace {
namespace fs = std::filesystem;

constexpr const char* kNoLabel = "no_label";
constexpr const char* kSplitNames[] = {"train", "val", "valid", "validation", "test", "trainval"};
constexpr const char* kClassFiles[] = {"synsets.txt", "labels.txt", "classes.txt"};

// Joins pieces by appending (GCC 12 warns falsely about "x" + std::string chains).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

bool IsSplitName(const std::string& s) {
  for (const char* n : kSplitNames)
    if (s == n) return true;
  return false;
}

// One txt line: the image name and its class indices; false when it is not such a line.
bool ParseTxtLine(std::string_view line, std::string* name, std::vector<long>* ids) {
  ids->clear();
  name->clear();
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  size_t i = 0;
  if (!line.empty() && line[0] == '"') {
    size_t close = line.find('"', 1);
    if (close == std::string_view::npos) return false;
    *name = std::string(line.substr(1, close - 1));
    i = close + 1;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') name->push_back(line[i++]);  // "name".ext
  } else {
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') name->push_back(line[i++]);
  }
  if (name->empty()) return false;
  std::string rest(line.substr(i));
  const char* p = rest.c_str();
  while (true) {
    while (*p == ' ' || *p == '\t') ++p;
    if (!*p) break;
    char* end;
    long v = std::strtol(p, &end, 10);
    if (end == p || (*end && *end != ' ' && *end != '\t')) return false;
    ids->push_back(v);
    p = end;
  }
  return true;
}

bool IsClassFile(const std::string& name) {
  for (const char* c : kClassFiles)
    if (name == c) return true;
  return name.starts_with("synsets");
}

// The subset lists of the txt variant in `dir`: .txt files whose first lines read as "<path>
// <class index>..."; for detection (`need_label`) at least one of those lines has an index.
std::vector<fs::path> TxtFiles(const fs::path& dir, bool need_label) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".txt" || IsClassFile(e.path().filename().string())) continue;
    std::string head = ReadHead(e.path().string(), 1024);
    if (head.size() == 1024) head.resize(head.rfind('\n') == std::string::npos ? 0 : head.rfind('\n') + 1);
    bool ok = true, labelled = false;
    int lines = 0;
    ForEachLine(head, /*skip_blank=*/true, [&](std::string_view line, size_t) {
      std::string name;
      std::vector<long> ids;
      ok = ParseTxtLine(line, &name, &ids);
      labelled |= !ids.empty();
      ++lines;
      return ok;
    });
    if (ok && lines > 0 && (labelled || !need_label)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool HasClassFile(const fs::path& dir) {
  std::error_code ec;
  for (const char* c : kClassFiles)
    if (fs::is_regular_file(dir / c, ec)) return true;
  return false;
}

// Class folders directly under `root`, sorted.
std::vector<std::string> SubDirs(const fs::path& root) { return NamesIn(root.string(), /*folders=*/true); }

bool DetectImageNet(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (fs::path(path).extension() != ".txt" || IsClassFile(fs::path(path).filename().string())) return false;
    return !TxtFiles(fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path(), true).empty();
  }
  fs::path root = path;
  if (!TxtFiles(root, true).empty() || (HasClassFile(root) && !TxtFiles(root, false).empty())) return true;
  // Folders of images and nothing that looks like an annotation file.
  auto dirs = SubDirs(root);
  if (dirs.empty()) return false;
  std::vector<fs::path> roots;
  bool splits = std::all_of(dirs.begin(), dirs.end(), IsSplitName);
  for (const std::string& d : dirs) roots.push_back(root / d);
  int images = 0, seen = 0;
  for (const fs::path& r : roots) {
    for (auto it = fs::recursive_directory_iterator(r, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (++seen > 2000) break;
      if (!it->is_regular_file()) continue;
      std::string ext = it->path().extension().string();
      if (ext == ".json" || ext == ".jsonl" || ext == ".xml" || ext == ".txt" || ext == ".csv") return false;
      if (IsImageFile(it->path().filename().string())) {
        fs::path rel = fs::relative(it->path(), splits ? r : root);
        if (std::distance(rel.begin(), rel.end()) >= 2) ++images;
      }
    }
  }
  for (const char* meta : {"metadata.jsonl", "metadata.csv"})
    if (fs::exists(root / meta, ec)) return false;
  return images > 0;
}

// One "<image path> <class index>..." line: a record (or a problem at `where`, then Ok).
Status ReadTxtLine(std::string_view line, const std::string& where, const std::string& split, bool generate,
                   const ReadOptions& options, std::set<std::string>& ids, Dataset& ds) {
  std::string name;
  std::vector<long> cls;
  if (!ParseTxtLine(line, &name, &cls)) return Problem(options, where, "bad-line", "expected \"<image path> <class index>...\"");
  std::string labels = "[";
  for (long c : cls) {
    if (c < 0 || c > 1000000 || (!generate && size_t(c) >= ds.classes.size()))
      return Problem(options, where, "unknown-category",
                     "class index " + std::to_string(c) + " is not in the class list (" +
                         std::to_string(ds.classes.size()) + " names)");
    while (generate && ds.classes.size() <= size_t(c)) ds.classes.push_back("class-" + std::to_string(ds.classes.size()));
    if (labels.size() > 1) labels.push_back(',');
    labels += JsonString(ds.classes[size_t(c)]);
  }
  std::string id = StripExtension(name);
  if (!ids.insert(id).second) return Problem(options, where, "duplicate-image", "image \"" + id + "\" is listed twice");
  Record r;
  r.SetString("id", id);
  r.SetString("path", (options.images_dir.empty() ? std::string("images") : options.images_dir) + "/" + name);
  if (!split.empty()) r.SetString("split", split);
  r.SetRaw("labels", labels + "]");
  ds.images.push_back(std::move(r));
  if (options.locate) ds.locations.push_back(SourceLocation{where, {}});
  return Status::Ok();
}

Result<Dataset> ReadTxt(const std::vector<fs::path>& lists, const fs::path& root, const ReadOptions& options) {
  Dataset ds;
  bool generate = false;
  if (options.classes) {
    ds.classes = *options.classes;
  } else {
    std::error_code ec;
    std::string file;
    for (const char* c : kClassFiles)
      if (file.empty() && fs::is_regular_file(root / c, ec)) file = (root / c).string();
    if (!file.empty()) {
      auto names = ReadClassesFile(file);
      if (!names) return names.error();
      ds.classes = *names;
    } else {
      generate = true;
    }
  }
  std::set<std::string> ids;
  for (const fs::path& list : lists) {
    std::string split = list.stem().string();
    if (split == "default") split.clear();
    auto text = ReadTextFile(list.string(), options.max_file_bytes);
    if (!text) return text.error();
    Status failed;
    ForEachLine(*text, /*skip_blank=*/true, [&](std::string_view line, size_t line_no) {
      failed = ReadTxtLine(line, list.string() + ":" + std::to_string(line_no), split, generate, options, ids, ds);
      return bool(failed);
    });
    if (!failed) return failed.error();
  }
  return ds;
}

Result<Dataset> ReadFolders(const fs::path& root, const ReadOptions& options) {
  Dataset ds;
  auto dirs = SubDirs(root);
  bool splits = !dirs.empty() && std::all_of(dirs.begin(), dirs.end(), IsSplitName);
  std::vector<std::pair<fs::path, std::string>> roots;  // (class-folder root, split)
  if (splits)
    for (const std::string& d : dirs) roots.emplace_back(root / d, d);
  else
    roots.emplace_back(root, "");
  // Classes: every class folder name, sorted (torchvision's indices), unless --classes.
  std::set<std::string> names;
  for (const auto& [r, split] : roots)
    for (const std::string& c : SubDirs(r))
      if (c != kNoLabel) names.insert(c);
  if (options.classes) ds.classes = *options.classes;
  else ds.classes.assign(names.begin(), names.end());
  for (const auto& [r, split] : roots) {
    for (const std::string& cls : SubDirs(r)) {
      bool labelled = cls != kNoLabel;
      if (labelled && !ClassIndex(ds, cls, false)) {
        if (Status s = Problem(options, (r / cls).string(), "unknown-label",
                               "class folder \"" + cls + "\" is not in the --classes list");
            !s)
          return s.error();
        continue;
      }
      std::vector<fs::path> files;
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(r / cls, fs::directory_options::follow_directory_symlink, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && IsImageFile(it->path().filename().string())) files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        std::string rel = fs::relative(f, root).generic_string();
        Record rec;
        rec.SetString("id", StripExtension(rel));
        rec.SetString("path", rel);
        if (!split.empty()) rec.SetString("split", split);
        rec.SetRaw("labels", labelled ? Cat({"[", JsonString(cls), "]"}) : "[]");
        ds.images.push_back(std::move(rec));
        if (options.locate) ds.locations.push_back(SourceLocation{f.string(), {}});
      }
    }
  }
  return ds;
}

Result<Dataset> ReadImageNet(const std::string& path, const ReadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    fs::path dir = fs::path(path).parent_path();
    return ReadTxt({fs::path(path)}, dir.empty() ? fs::path(".") : dir, options);
  }
  // Lists without a single class index are still the txt variant beside a synsets.txt.
  if (!TxtFiles(path, true).empty() || (HasClassFile(path) && !TxtFiles(path, false).empty()))
    return ReadTxt(TxtFiles(path, false), path, options);
  return ReadFolders(path, options);
}

// ---- writing ----

std::vector<std::string> Labels(const Record& r) {
  std::vector<std::string> out;
  if (const std::string* raw = r.FindRaw("labels"))
    if (auto items = SplitJsonArray(*raw))
      for (std::string_view item : *items)
        if (auto s = DecodeJsonString(item)) out.push_back(*s);
  return out;
}

Status CheckName(const std::string& name, const std::string& what) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    return MakeError("unsafe-path", what + " \"" + name + "\" cannot be a folder name");
  return Status::Ok();
}

Status WriteImageNet(const Dataset& ds, const std::string& out, const WriteOptions& options, LossReport& losses) {
  std::string layout = options.layout.empty() ? "folder" : options.layout;
  if (layout != "folder" && layout != "symlink" && layout != "txt")
    return MakeError("usage", "imagenet: unknown --layout \"" + layout + "\" (folder, symlink or txt)");
  Support support;
  support.image_labels = true;
  support.boxes = false;  // a class folder holds whole images
  if (auto gathered = GatherForWrite(ds, support, options, losses, "imagenet"); !gathered) return gathered.error();

  std::vector<std::string> classes = ds.classes;
  for (const Record& r : ds.images)
    for (const std::string& l : Labels(r))
      if (std::find(classes.begin(), classes.end(), l) == classes.end()) classes.push_back(l);

  if (layout == "txt") {
    std::map<std::string, std::string> lists;
    for (size_t i = 0; i < ds.images.size(); ++i) {
      const Record& r = ds.images[i];
      std::string name = r.GetString("path").value_or("");
      if (name.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `path`");
      std::string prefix = (options.images_dir.empty() ? std::string("images") : options.images_dir) + "/";
      if (name.starts_with(prefix)) name = name.substr(prefix.size());
      std::string split = r.GetString("split").value_or("default");
      if (Status s = CheckName(split, "split"); !s) return s;
      std::string line;
      if (name.find_first_of(" \t") != std::string::npos) {
        std::string stem = StripExtension(name);
        line = Cat({"\"", stem, "\"", std::string_view(name).substr(stem.size())});
      } else {
        line = name;
      }
      for (const std::string& l : Labels(r)) {
        line.push_back(' ');
        line += std::to_string(std::find(classes.begin(), classes.end(), l) - classes.begin());
      }
      line.push_back('\n');
      lists[split] += line;
    }
    OutputFiles files;
    for (auto& [split, text] : lists) files.Add(split + ".txt", std::move(text));
    files.Add("synsets.txt", ClassListText(classes));
    return files.Commit(out);
  }

  // Folders: plan every (source, destination) first, so a bad name writes nothing.
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return MakeError("io", out + ": " + ec.message());
  std::vector<std::pair<fs::path, fs::path>> plan;
  std::set<fs::path> dests;
  std::set<std::string> class_dirs;
  for (const std::string& c : classes) {
    if (Status s = CheckName(c, "class"); !s) return s;
    class_dirs.insert(c);
  }
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    std::string path = r.GetString("path").value_or("");
    if (path.empty()) return MakeError("bad-record", RecordName(r, i) + ": no `path` (the image file to copy)");
    fs::path src = fs::path(path).is_absolute() || options.images_dir.empty() ? fs::path(path) : fs::path(options.images_dir) / path;
    if (!fs::is_regular_file(src, ec))
      return MakeError("io", RecordName(r, i) + ": image file " + src.string() +
                                 " not found (give --images DIR, the folder the paths are relative to)");
    std::string split = r.GetString("split").value_or("");
    if (!split.empty())
      if (Status s = CheckName(split, "split"); !s) return s;
    auto labels = Labels(r);
    if (labels.empty()) labels.push_back(kNoLabel);
    for (const std::string& l : labels) {
      if (Status s = CheckName(l, "class"); !s) return s;
      std::string rel = (split.empty() ? "" : split + "/") + l + "/" + Basename(path);
      auto dest = SafeJoin(out, rel);
      if (!dest) return dest.error();
      if (!dests.insert(*dest).second)
        return MakeError("bad-record", RecordName(r, i) + ": another image is already written to " + rel);
      plan.emplace_back(fs::absolute(src, ec), *dest);
    }
  }
  std::set<std::string> splits;
  for (const Record& r : ds.images) splits.insert(r.GetString("split").value_or(""));
  if (splits.empty()) splits.insert("");
  for (const std::string& split : splits)
    for (const std::string& c : class_dirs) {
      auto dir = SafeJoin(out, (split.empty() ? "" : split + "/") + c);
      if (!dir) return dir.error();
      fs::create_directories(*dir, ec);
      if (ec) return MakeError("io", dir->string() + ": " + ec.message());
    }
  for (const auto& [src, dest] : plan) {
    fs::create_directories(dest.parent_path(), ec);
    if (layout == "symlink") {
      fs::path tmp = dest.parent_path() / ("." + dest.filename().string() + ".tmp" + std::to_string(::getpid()));
      fs::remove(tmp, ec);
      fs::create_symlink(src, tmp, ec);
      if (!ec) fs::rename(tmp, dest, ec);
      if (ec) return MakeError("io", dest.string() + ": " + ec.message());
      continue;
    }
    auto bytes = ReadFileBytes(src.string(), 64ull << 30);
    if (!bytes) return bytes.error();
    if (Status s = WriteFileAtomic(dest, *bytes); !s) return s;
  }
  return Status::Ok();
}

}  // namespace

extern const Format kImageNetFormat{"imagenet",
                                    "ImageNet-style classification: a folder per class (torchvision "
                                    "ImageFolder), or <subset>.txt \"path class_index\" + synsets.txt",
                                    DetectImageNet, ReadImageNet, WriteImageNet};

}  // namespace imgpipe::labels
