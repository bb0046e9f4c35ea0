// Shared helpers of the label formats (see conventions_io.h).
#include "formats/labels/conventions_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "formats/codec/decode.h"
#include "libcommon/files.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace fs = std::filesystem;

void JsonObjectWriter::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(out_, key);
  out_->push_back(':');
}
void JsonObjectWriter::Raw(std::string_view key, std::string_view raw) {
  Key(key);
  out_->append(raw);
}
void JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(out_, value);
}
void JsonObjectWriter::Number(std::string_view key, double value) {
  Key(key);
  out_->append(FormatShortest(value));
}
void JsonObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_->append(std::to_string(value));
}
void JsonObjectWriter::Members(std::string_view members) {
  if (members.empty()) return;
  if (!first_) out_->push_back(',');
  first_ = false;
  out_->append(members);
}

void BeginBox(JsonObjectWriter& w, std::string_view label, const BoxXYXY& b) {
  w.String("label", label);
  w.Number("x0", b.x0);
  w.Number("y0", b.y0);
  w.Number("x1", b.x1);
  w.Number("y1", b.y1);
}

Status Problem(const ReadOptions& options, const std::string& where, const std::string& code,
               const std::string& message) {
  if (options.issues) {
    options.issues->push_back(Issue{where, code, message});
    return Status::Ok();
  }
  return MakeError("bad-labels", where + ": " + message);
}

ClassTable::ClassTable(Dataset& dataset, const ReadOptions& options)
    : dataset_(dataset), options_(options), fixed_(options.classes.has_value()) {
  if (fixed_) dataset_.classes = *options.classes;
}

Result<int> ClassTable::Resolve(const std::string& label, const std::string& where) {
  if (auto id = ClassIndex(dataset_, label, !fixed_)) return *id;
  Status s = Problem(options_, where, "unknown-label",
                     "unknown label \"" + label + "\" (not in the --classes list)");
  if (!s) return s.error();
  return -1;
}

Result<std::string> ReadTextFile(const std::string& path, uint64_t max_bytes) {
  auto bytes = ReadFileBytes(path, max_bytes);
  if (!bytes) return bytes.error();
  return std::string(bytes->begin(), bytes->end());
}

std::string ReadHead(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string out(n, '\0');
  in.read(out.data(), std::streamsize(n));
  out.resize(size_t(in.gcount()));
  return out;
}

size_t LineOf(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A YAML scalar: quotes removed ('it''s' and "a\"b" handled simply), trailing comment dropped.
std::string YamlScalar(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && (s.front() == '\'' || s.front() == '"')) {
    char q = s.front();
    std::string out;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == q) {
        if (q == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          out.push_back('\'');
          ++i;
          continue;
        }
        return out;
      }
      if (q == '"' && s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    return out;
  }
  size_t hash = s.find(" #");
  if (hash != std::string_view::npos) s = Trim(s.substr(0, hash));
  return std::string(s);
}

// Splits a flow list's inside "a, 'b, c', d" at top-level commas.
std::vector<std::string> SplitFlow(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  char q = 0;
  for (char c : s) {
    if (q) {
      if (c == q) q = 0;
      cur.push_back(c);
    } else if (c == '\'' || c == '"') {
      q = c;
      cur.push_back(c);
    } else if (c == ',') {
      out.push_back(YamlScalar(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!Trim(cur).empty()) out.push_back(YamlScalar(cur));
  return out;
}

}  // namespace

Result<std::vector<std::string>> ParseYamlNames(std::string_view text, const std::string& source) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.starts_with("names:")) continue;
    std::string_view rest = Trim(line.substr(6));
    if (!rest.empty() && rest.front() == '[') {
      // Flow list, possibly over several lines.
      std::string flow(rest.substr(1));
      size_t j = i;
      while (flow.find(']') == std::string::npos && ++j < lines.size()) flow += " " + std::string(lines[j]);
      size_t close = flow.rfind(']');
      if (close == std::string::npos)
        return MakeError("bad-labels", source + ":" + std::to_string(i + 1) + ": unclosed names list");
      return SplitFlow(std::string_view(flow).substr(0, close));
    }
    if (!rest.empty() && rest.front() != '#')
      return MakeError("bad-labels", source + ":" + std::to_string(i + 1) +
                                         ": names must be a list or a {id: name} map");
    // Block: "- name" items or "0: name" entries, indented.
    std::vector<std::string> names;
    std::vector<std::pair<long, std::string>> numbered;
    for (size_t j = i + 1; j < lines.size(); ++j) {
      std::string_view l = lines[j];
      std::string_view t = Trim(l);
      if (t.empty() || t.front() == '#') continue;
      if (l.front() != ' ' && l.front() != '\t' && l.front() != '-') break;  // next top-level key
      if (t.front() == '-') {
        names.push_back(YamlScalar(t.substr(1)));
        continue;
      }
      size_t colon = t.find(':');
      long id = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + (colon == std::string_view::npos ? 0 : colon), id);
      if (colon == std::string_view::npos || ec != std::errc() || p != t.data() + colon || id < 0 || id > 1000000)
        return MakeError("bad-labels", source + ":" + std::to_string(j + 1) + ": expected \"- name\" or \"<id>: name\"");
      numbered.emplace_back(id, YamlScalar(t.substr(colon + 1)));
    }
    if (!numbered.empty()) {
      long max_id = 0;
      for (auto& [id, n] : numbered) max_id = std::max(max_id, id);
      std::vector<std::string> out(size_t(max_id) + 1);
      std::vector<bool> seen(out.size());
      for (auto& [id, n] : numbered) {
        out[size_t(id)] = n;
        seen[size_t(id)] = true;
      }
      for (size_t k = 0; k < out.size(); ++k)
        if (!seen[k])
          return MakeError("bad-labels", source + ": names map has no entry for id " + std::to_string(k));
      return out;
    }
    return names;
  }
  return MakeError("bad-labels", source + ": no `names:` list");
}

Result<std::vector<std::string>> ReadClassesFile(const std::string& path) {
  auto text = ReadTextFile(path, 64u << 20);
  if (!text) return text.error();
  if (path.ends_with(".yaml") || path.ends_with(".yml")) return ParseYamlNames(*text, path);
  std::vector<std::string> names;
  std::string_view t = *text;
  if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
  ForEachLine(t, /*skip_blank=*/true, [&](std::string_view line, size_t) {
    names.emplace_back(Trim(line));
    return true;
  });
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (names[i] == names[j])
        return MakeError("bad-labels", path + ": class \"" + names[i] + "\" is listed twice");
  return names;
}

std::string ClassListText(const std::vector<std::string>& classes) {
  std::string out;
  for (const std::string& c : classes) out += c + "\n";
  return out;
}

std::string RootOf(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path;
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::vector<std::string> NamesIn(const std::string& dir, bool folders) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (folders ? e.is_directory() : e.is_regular_file()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> FilesBelow(const std::string& path, std::string_view ext) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ext) out.push_back(it->path().string());
  // Path order (component by component), not string order: "a/b" before "a-c".
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return fs::path(a) < fs::path(b); });
  return out;
}

const std::vector<std::string>& ImageExtensions() {
  static const std::vector<std::string> exts = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff"};
  return exts;
}

bool IsImageFile(std::string_view name) {
  size_t slash = name.find_last_of('/');
  size_t dot = name.find_last_of('.');
  // As std::filesystem's extension(): a name's leading dot (".png") starts no extension.
  if (dot == std::string_view::npos || dot == (slash == std::string_view::npos ? 0 : slash + 1) ||
      (slash != std::string_view::npos && dot < slash))
    return false;
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return std::find(ImageExtensions().begin(), ImageExtensions().end(), ext) != ImageExtensions().end();
}

std::optional<std::pair<int, int>> ProbeImageSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  // Headers sit near the start; a JPEG with big EXIF/ICC segments may need more.
  for (size_t want : {size_t(64) << 10, size_t(4) << 20, size_t(64) << 20}) {
    std::vector<uint8_t> buf(want);
    in.clear();
    in.seekg(0);
    in.read(reinterpret_cast<char*>(buf.data()), std::streamsize(want));
    buf.resize(size_t(in.gcount()));
    auto info = ReadImageInfo(buf);
    if (info && info->width > 0 && info->height > 0) return std::pair{info->width, info->height};
    if (buf.size() < want) return std::nullopt;  // whole file read: not an image
  }
  return std::nullopt;
}

Status OutputFiles::Commit(const std::string& root) const {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return MakeError("io", root + ": " + ec.message());
  std::vector<fs::path> paths;
  paths.reserve(files_.size());
  for (const auto& [rel, content] : files_) {
    auto p = SafeJoin(root, rel);
    if (!p) return p.error();
    paths.push_back(std::move(p.value()));
  }
  for (size_t i = 0; i < files_.size(); ++i) {
    const std::string& c = files_[i].second;
    Status s = WriteFileAtomic(paths[i], std::span(reinterpret_cast<const uint8_t*>(c.data()), c.size()));
    if (!s) return s;
  }
  return Status::Ok();
}

Status WriteSingleFile(const std::string& path, std::string_view content) {
  return WriteFileAtomic(path, std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size()));
}

bool Truthy(const std::string* raw) {
  if (!raw) return false;
  if (*raw == "true") return true;
  if (auto n = DecodeJsonNumber(*raw)) return *n != 0;
  if (auto s = DecodeJsonString(*raw)) return *s == "1" || *s == "true" || *s == "yes";
  return false;
}

namespace {

bool NonEmptyContainer(const std::string* raw) {
  if (!raw) return false;
  std::string_view s = *raw;
  if (s == "null" || s == "[]" || s == "{}") return false;
  if (auto items = SplitJsonArray(s)) return !items->empty();
  return s.size() > 2;
}

size_t CountItems(const std::string* raw) {
  if (!raw) return 0;
  if (auto items = SplitJsonArray(*raw)) return items->size();
  return 0;
}

// The items of record[key][member] (a private key's list), 0 when absent.
size_t CountPrivateItems(const Record& record, std::string_view key, std::string_view member) {
  const std::string* raw = record.FindRaw(key);
  if (!raw || raw->empty() || raw->front() != '{') return 0;
  auto obj = Record::FromJson(*raw);
  return obj ? CountItems(obj->FindRaw(member)) : 0;
}

}  // namespace

bool IsDroppedCrowd(const BoxRecord& box, const Support& support) {
  return !support.crowd && Truthy(box.fields.FindRaw("iscrowd"));
}

void CountLosses(const Record& record, const std::vector<BoxRecord>& boxes, const Support& s,
                 LossReport& losses) {
  if (!s.polygons) {
    if (size_t n = CountItems(record.FindRaw("polygons"))) losses.Add("polygon", n);
  }
  if (!s.points) {
    if (size_t n = CountItems(record.FindRaw("points"))) losses.Add("point set", n);
  }
  if (!s.image_labels) {
    if (size_t n = CountItems(record.FindRaw("labels"))) losses.Add("image-level label", n);
  }
  if (!s.boxes) {
    if (!boxes.empty()) losses.Add("box", boxes.size());
    return;
  }
  for (const BoxRecord& b : boxes) {
    if (IsDroppedCrowd(b, s)) {
      losses.Add("crowd region");
      continue;
    }
    for (const Field& f : b.fields.fields()) {
      const std::string& k = f.key;
      if (k == "label" || k == "x0" || k == "y0" || k == "x1" || k == "y1" || k == "id" ||
          k == "category_id" || k == "area" || k == "iscrowd")
        continue;
      bool kept = false;
      for (std::string_view o : s.other_box_keys) kept |= k == o;
      if (kept) continue;
      if (k == "difficult" || k == "truncated" || k == "occluded") {
        bool held = k == "difficult" ? s.difficult : k == "truncated" ? s.truncated : s.occluded;
        if (!held && Truthy(&f.raw)) losses.Add(k + " flag");
      } else if (k == "pose") {
        auto p = DecodeJsonString(f.raw);
        if (!s.pose && p && !p->empty() && *p != "Unspecified") losses.Add("pose");
      } else if (k == "attrs") {
        if (!s.attrs && NonEmptyContainer(&f.raw)) losses.Add("attribute");
      } else if (k == "segmentation") {
        if (!s.segmentation && NonEmptyContainer(&f.raw)) losses.Add("segmentation (polygon/RLE)");
      } else if (k == "score") {
        if (!s.score) losses.Add("score");
      } else if (k == "parts") {
        if (!s.parts && NonEmptyContainer(&f.raw)) losses.Add("part box", CountItems(&f.raw));
      } else if (k == "actions") {
        if (!s.actions && NonEmptyContainer(&f.raw)) losses.Add("action flags");
      } else if (f.raw != "null") {
        losses.Add("box key \"" + k + "\"");
      }
    }
  }
}

std::string DescribeLosses(const LossReport& losses) {
  std::string out;
  for (const auto& [what, n] : losses.counts()) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " x " + what;
  }
  return out;
}

Status SettleLosses(const LossReport& local, const WriteOptions& options, LossReport& total,
                    std::string_view format) {
  if (local.empty()) return Status::Ok();
  if (!options.allow_lossy)
    return MakeError("lossy", std::string(format) + " cannot hold everything: it would drop " +
                                  DescribeLosses(local) + " (add --allow-lossy to convert anyway)");
  for (const auto& [what, n] : local.counts()) total.Add(what, n);
  return Status::Ok();
}

void CountUnheldShapes(const Record& record, const Support& s, LossReport& losses) {
  if (!s.polylines) {
    if (size_t n = CountItems(record.FindRaw("polylines"))) losses.Add("polyline", n);
  }
  // The same name coco.cpp gives them.
  if (!s.cvat_shapes) {
    if (size_t n = CountPrivateItems(record, "cvat", "xml")) losses.Add("other shape", n);
  }
  if (!s.labelme_shapes) {
    if (size_t n = CountPrivateItems(record, "labelme", "shapes")) losses.Add("other shape", n);
  }
}

Result<std::vector<std::vector<BoxRecord>>> GatherForWrite(const Dataset& ds, const Support& support,
                                                           const WriteOptions& options, LossReport& losses,
                                                           std::string_view format, ExtraLosses extra) {
  LossReport local;
  std::vector<std::vector<BoxRecord>> all(ds.images.size());
  for (size_t i = 0; i < ds.images.size(); ++i) {
    auto boxes = RecordBoxes(ds.images[i], i);
    if (!boxes) return boxes.error();
    CountLosses(ds.images[i], *boxes, support, local);
    CountUnheldShapes(ds.images[i], support, local);
    if (extra) extra(ds.images[i], *boxes, local);
    all[i] = std::move(boxes.value());
  }
  if (Status s = SettleLosses(local, options, losses, format); !s) return s.error();
  return all;
}

std::string RecordName(const Record& record, size_t index) {
  std::string name = "record " + std::to_string(index + 1);
  if (auto id = record.GetString("id")) name += " (id \"" + *id + "\")";
  else if (const std::string* raw = record.FindRaw("id")) name += " (id " + *raw + ")";
  return name;
}

Result<std::vector<BoxRecord>> RecordBoxes(const Record& record, size_t index) {
  auto boxes = ReadBoxes(record);
  if (!boxes) return MakeError(boxes.error().code, RecordName(record, index) + ": " + boxes.error().message);
  return boxes;
}

std::string FormatDecimal(double v, int decimals) {
  // std::to_chars with a precision is specified as printf's "%.*f" in the C locale (same text),
  // without printf's per-call overhead, which showed in profiles of the YOLO writer. The buffer
  // holds any finite double in fixed notation (309 integer digits) plus the decimals.
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return FormatShortest(v);  // cannot happen with this buffer; be safe
  std::string s(buf, end);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string FormatShortest(double v) { return JsonNumber(v); }

std::string Basename(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}
std::string StripExtension(std::string_view path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash) ||
      dot == (slash == std::string_view::npos ? 0 : slash + 1))
    return std::string(path);
  return std::string(path.substr(0, dot));
}
std::string Dirname(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

}  // namespace imgpipe::labels
