// COCO JSON reader: instances files streamed in batches (the Scanner below), results files on
// simdjson's DOM; errors named by JSON path.
#include "formats/coco/coco_json.h"

#include <simdjson.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "formats/coco/json_split.h"
#include "libcommon/json.h"

namespace imgpipe::coco {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Where a value is: "annotations[17].bbox". Built only when an error is reported.
struct Where {
  std::string_view source;
  const char* array;  // "" for the top level
  size_t index;       // SIZE_MAX: the array itself
  std::string Path(std::string_view key) const {
    std::string p(array);
    if (index != SIZE_MAX) p += "[" + std::to_string(index) + "]";
    if (!key.empty()) {
      if (!p.empty()) p += ".";
      p += key;
    }
    return p;
  }
  Error Fail(std::string_view key, std::string_view what) const {
    std::string path = Path(key);
    return MakeError("bad-coco", std::string(source) + ": " + (path.empty() ? "" : path + ": ") +
                                     std::string(what));
  }
};

// Line and column (1-based) of byte offset `pos`.
std::string LineColumn(std::string_view text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') ++line, col = 1;
    else ++col;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// simdjson says only what went wrong; the project's validator also says where.
Error MalformedJson(std::string_view json, std::string_view source, simdjson::error_code code) {
  std::string msg = std::string(source) + ": malformed JSON";
  Status v = ValidateJson(json, JsonLimits{size_t(1) << 30});
  if (v.ok()) {
    // Well-formed but not representable: a number out of double/int64 range.
    return MakeError("bad-json", msg + ": " + simdjson::error_message(code));
  }
  const std::string& m = v.error().message;  // "<what> at byte N"
  size_t at = m.rfind(" at byte ");
  if (at == std::string::npos) return MakeError("bad-json", msg + ": " + m);
  size_t byte = std::strtoull(m.c_str() + at + 9, nullptr, 10);
  size_t pos = byte ? byte - 1 : 0;
  // The validator stops at the token's first byte, or just after a sign.
  std::string_view rest = json.substr(std::min(pos, json.size()));
  size_t back = (pos > 0 && json[pos - 1] == '-') ? pos - 1 : pos;
  std::string what = m.substr(0, at);
  if (rest.starts_with("NaN") || rest.starts_with("Infinity") || rest.starts_with("-Infinity") ||
      rest.starts_with("nan") || rest.starts_with("inf"))
    what = "NaN and Infinity are not JSON numbers (write finite numbers)";
  return MakeError("bad-json", msg + " at " + LineColumn(json, back) + " (byte " +
                                   std::to_string(back + 1) + "): " + what);
}

Result<int64_t> GetId(element e, const Where& w, std::string_view key) {
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) && d == std::floor(d) &&
      std::fabs(d) < 9e15)
    return int64_t(d);
  return w.Fail(key, "expected an integer id");
}

Result<double> GetFinite(element e, const Where& w, std::string_view key) {
  double d;
  if (e.get_double().get(d) != simdjson::SUCCESS) return w.Fail(key, "expected a number");
  if (!std::isfinite(d)) return w.Fail(key, "expected a finite number");
  return d;
}

// 0/1 (any number: non-zero is true) or true/false.
Result<bool> GetFlag(element e, const Where& w, std::string_view key) {
  bool b;
  if (e.get_bool().get(b) == simdjson::SUCCESS) return b;
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d)) return d != 0;
  return w.Fail(key, "expected 0, 1, true or false");
}

Status GetBbox(element obj_field, const Where& w, double out[4]) {
  simdjson::dom::array a;
  if (obj_field.get_array().get(a) != simdjson::SUCCESS || a.size() != 4)
    return w.Fail("bbox", "expected 4 numbers [x, y, w, h]");
  int k = 0;
  for (element v : a) {
    double d;
    if (v.get_double().get(d) != simdjson::SUCCESS)
      return w.Fail("bbox", "expected 4 numbers [x, y, w, h]");
    if (!std::isfinite(d)) return w.Fail("bbox", "expected finite numbers");
    out[k++] = d;
  }
  return Status::Ok();
}

Result<std::string> GetStringField(element e, const Where& w, std::string_view key) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return w.Fail(key, "expected a string");
  return std::string(s);
}

// Fills `*dst` from `obj[key]` with `get`; a missing key is an error only when `required`.
template <typename T, typename Get>
Status Field(simdjson::dom::object obj, std::string_view key, const Where& w, bool required,
             Get get, T* dst, bool* present = nullptr) {
  element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) {
    if (present) *present = false;
    if (required) return w.Fail(key, "missing");
    return Status::Ok();
  }
  auto v = get(e, w, key);
  if (!v) return v.error();
  *dst = std::move(v.value());
  if (present) *present = true;
  return Status::Ok();
}

// Appends the members of `obj` not named in `known` to `*extra` as `"key":value`, comma-joined.
template <size_t N>
void KeepExtra(simdjson::dom::object obj, const std::string_view (&known)[N], std::string* extra) {
  for (auto field : obj) {
    bool is_known = false;
    for (std::string_view k : known) is_known |= field.key == k;
    if (is_known) continue;
    if (!extra->empty()) extra->push_back(',');
    AppendJsonString(extra, field.key);
    extra->push_back(':');
    *extra += simdjson::to_string(field.value);
  }
}

constexpr std::string_view kImageKeys[] = {"id", "file_name", "width", "height"};
constexpr std::string_view kCategoryKeys[] = {"id", "name", "supercategory"};
constexpr std::string_view kAnnotationKeys[] = {"id",   "image_id", "category_id", "bbox",
                                                "area", "iscrowd",  "difficult",   "segmentation"};

Result<simdjson::dom::object> AsObject(element e, const Where& w) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return w.Fail("", "expected an object");
  return o;
}

Result<simdjson::padded_string> LoadFile(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return MakeError("io", path + ": " + ec.message());
  if (size > max_bytes)
    return MakeError("too-large", path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                                      std::to_string(max_bytes));
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS)
    return MakeError("io", path + ": cannot read: " + std::strerror(errno));
  return text;
}

Result<element> ParseRoot(simdjson::dom::parser& parser, std::string_view json,
                          std::string_view source, bool already_padded) {
  element root;
  simdjson::error_code err = already_padded ? parser.parse(json.data(), json.size(), false).get(root)
                                            : parser.parse(json.data(), json.size(), true).get(root);
  if (err) return MalformedJson(json, source, err);
  return root;
}

// One element of `images`, `categories` or `annotations`, each read from its batch's DOM.
Status ReadImage(element e, const Where& w, const ParseOptions& options, Instances& out) {
  auto o = AsObject(e, w);
  if (!o) return o.error();
  Image im;
  if (Status s = Field(*o, "id", w, true, GetId, &im.id); !s) return s;
  if (Status s = Field(*o, "file_name", w, false, GetStringField, &im.file_name); !s) return s;
  if (Status s = Field(*o, "width", w, false, GetId, &im.width); !s) return s;
  if (Status s = Field(*o, "height", w, false, GetId, &im.height); !s) return s;
  if (options.keep_extra) KeepExtra(*o, kImageKeys, &im.extra);
  out.images.push_back(std::move(im));
  return Status::Ok();
}

Status ReadCategory(element e, const Where& w, const ParseOptions& options, Instances& out) {
  auto o = AsObject(e, w);
  if (!o) return o.error();
  Category c;
  if (Status s = Field(*o, "id", w, true, GetId, &c.id); !s) return s;
  if (Status s = Field(*o, "name", w, false, GetStringField, &c.name); !s) return s;
  if (Status s = Field(*o, "supercategory", w, false, GetStringField, &c.supercategory); !s) return s;
  if (options.keep_extra) KeepExtra(*o, kCategoryKeys, &c.extra);
  out.categories.push_back(std::move(c));
  return Status::Ok();
}

// `seg` is where the scanner saw the element's "segmentation" text, `base` the start of the
// whole text (span offsets are from there).
Status ReadAnnotation(element e, const Where& w, const ParseOptions& options, const MemberSpan& seg,
                      const char* base, Instances& out) {
  auto o = AsObject(e, w);
  if (!o) return o.error();
  Annotation a;
  if (Status s = Field(*o, "id", w, true, GetId, &a.id); !s) return s;
  if (Status s = Field(*o, "image_id", w, true, GetId, &a.image_id); !s) return s;
  if (Status s = Field(*o, "category_id", w, true, GetId, &a.category_id); !s) return s;
  element b;
  if (o->at_key("bbox").get(b) != simdjson::SUCCESS) return w.Fail("bbox", "missing");
  if (Status s = GetBbox(b, w, a.bbox); !s) return s;
  if (Status s = Field(*o, "area", w, false, GetFinite, &a.area, &a.has_area); !s) return s;
  if (!a.has_area) a.area = a.bbox[2] * a.bbox[3];
  if (Status s = Field(*o, "iscrowd", w, false, GetFlag, &a.iscrowd); !s) return s;
  if (Status s = Field(*o, "difficult", w, false, GetFlag, &a.difficult); !s) return s;
  if (options.keep_segmentation) {
    element value;
    if (o->at_key("segmentation").get(value) == simdjson::SUCCESS) {
      // The raw text where the scanner found it; a key the scanner could not match (written
      // with escapes) falls back to a copy.
      if (options.segmentation_spans && seg.begin && seg.end - seg.begin <= int64_t(UINT32_MAX))
        a.segmentation_at = TextSpan{uint64_t(seg.begin - base), uint32_t(seg.end - seg.begin)};
      else
        a.segmentation = simdjson::to_string(value);
    }
  }
  if (options.keep_extra) KeepExtra(*o, kAnnotationKeys, &a.extra);
  out.annotations.push_back(std::move(a));
  return Status::Ok();
}

// The streaming reader: the top-level object is walked by the byte scanner (json_split.h); each
// of the three arrays is cut into batches of whole elements (about ParseOptions::batch_bytes
// each) that simdjson's DOM parses one at a time, into one reused parser. Nothing holds more
// than a batch of parsed JSON; the text itself is only read. Members come in any order.
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view source, const ParseOptions& options)
      : text_(text), source_(source), options_(options) {}

  Result<Instances> Run() {
    const char* p = text_.data();
    const char* end = p + text_.size();
    p = SkipJsonSpace(p, end);
    if (p == end || *p != '{') return NotAnObject(p < end && *p == '[');
    p = SkipJsonSpace(p + 1, end);
    bool seen[3] = {false, false, false};
    if (p < end && *p == '}') {
      p = SkipJsonSpace(p + 1, end);
    } else {
      for (;;) {
        if (p >= end || *p != '"') return Malformed();
        const char* key_end = SkipJsonString(p + 1, end);
        if (!key_end) return Malformed();
        auto key = DecodeJsonString(std::string_view(p, size_t(key_end - p)));
        if (!key) return Malformed();
        p = SkipJsonSpace(key_end, end);
        if (p >= end || *p != ':') return Malformed();
        p = SkipJsonSpace(p + 1, end);
        if (p == end) return Malformed();
        int which = *key == "images" ? 0 : *key == "categories" ? 1 : *key == "annotations" ? 2 : -1;
        // As the DOM's at_key: the first member of a name counts; later ones are only checked.
        Result<const char*> after = which >= 0 && !seen[which] ? Array(which, p) : Other(*key, p);
        if (!after) return after.error();
        if (which >= 0) seen[which] = true;
        p = SkipJsonSpace(*after, end);
        if (p < end && *p == ',') {
          p = SkipJsonSpace(p + 1, end);
          continue;
        }
        if (p < end && *p == '}') {
          p = SkipJsonSpace(p + 1, end);
          break;
        }
        return Malformed();
      }
    }
    if (p != end) return Malformed();
    Where top{source_, "", SIZE_MAX};
    if (!seen[0]) return top.Fail("images", "missing");
    if (!seen[1]) return top.Fail("categories", "missing");
    out_.has_annotations = seen[2];
    return std::move(out_);
  }

 private:
  Error Malformed() { return MalformedJson(text_, source_, simdjson::TAPE_ERROR); }

  Error NotAnObject(bool is_array) {
    if (Status v = ValidateJson(text_, JsonLimits{size_t(1) << 30}); !v) return Malformed();
    return MakeError("bad-coco", std::string(source_) +
                                     ": expected a COCO instances object {\"images\", "
                                     "\"annotations\", \"categories\"}" +
                                     (is_array ? " (this is an array: a results file?)" : ""));
  }

  // Parses text[b, e) (whole elements with their commas) as one array.
  Result<simdjson::dom::array> Batch(const char* b, const char* e) {
    size_t n = size_t(e - b) + 2;
    if (buffer_.size() < n + simdjson::SIMDJSON_PADDING) buffer_.resize(n + simdjson::SIMDJSON_PADDING);
    buffer_[0] = '[';
    std::memcpy(buffer_.data() + 1, b, n - 2);
    buffer_[n - 1] = ']';
    element root;
    if (auto err = parser_.parse(buffer_.data(), n, false).get(root)) return MalformedJson(text_, source_, err);
    simdjson::dom::array a;
    if (root.get_array().get(a) != simdjson::SUCCESS) return Malformed();
    return a;
  }

  // A top-level member other than the first of each array: checked, kept when keep_extra (as
  // its compact text, like every other unknown member).
  Result<const char*> Other(const std::string& key, const char* p) {
    const char* end = text_.data() + text_.size();
    const char* after = SkipJsonValue(p, end);
    if (!after) return Malformed();
    auto parsed = Batch(p, after);
    if (!parsed) return parsed.error();
    bool known = key == "images" || key == "categories" || key == "annotations";
    if (options_.keep_extra && !known) {
      if (!out_.extra.empty()) out_.extra.push_back(',');
      AppendJsonString(&out_.extra, key);
      out_.extra.push_back(':');
      element value;
      if (parsed->at(0).get(value) != simdjson::SUCCESS) return Malformed();
      out_.extra += simdjson::to_string(value);
    }
    Progress(after);
    return after;
  }

  // `p` is where array `which` (0 images, 1 categories, 2 annotations) starts; reads its elements
  // batch by batch and returns the byte after the array.
  Result<const char*> Array(int which, const char* p) {
    static constexpr const char* kNames[] = {"images", "categories", "annotations"};
    const char* end = text_.data() + text_.size();
    if (*p != '[') {
      const char* after = SkipJsonValue(p, end);
      if (!after) return Malformed();
      if (auto checked = Batch(p, after); !checked) return checked.error();
      return Where{source_, "", SIZE_MAX}.Fail(kNames[which], "expected an array");
    }
    p = SkipJsonSpace(p + 1, end);
    if (p < end && *p == ']') return p + 1;
    const std::string_view member = which == 2 && options_.keep_segmentation ? "segmentation" : "";
    size_t index = 0;
    for (;;) {
      const char* batch_begin = p;
      const char* last_end = nullptr;
      spans_.clear();
      bool closed = false;
      for (;;) {
        MemberSpan span;
        const char* after = SkipJsonValue(p, end, member, &span);
        if (!after) return Malformed();
        spans_.push_back(span);
        last_end = after;
        p = SkipJsonSpace(after, end);
        if (p < end && *p == ']') {
          closed = true;
          ++p;
          break;
        }
        if (p >= end || *p != ',') return Malformed();
        p = SkipJsonSpace(p + 1, end);
        if (size_t(last_end - batch_begin) >= options_.batch_bytes) break;
      }
      auto batch = Batch(batch_begin, last_end);
      if (!batch) return batch.error();
      size_t k = 0;
      for (element e : *batch) {
        Where w{source_, kNames[which], index++};
        Status s = which == 0   ? ReadImage(e, w, options_, out_)
                   : which == 1 ? ReadCategory(e, w, options_, out_)
                                : ReadAnnotation(e, w, options_, spans_[k], text_.data(), out_);
        if (!s) return s.error();
        ++k;
      }
      Progress(last_end);
      if (closed) return p;
    }
  }

  void Progress(const char* done) {
    if (options_.on_progress) options_.on_progress(uint64_t(done - text_.data()));
  }

  std::string_view text_;
  std::string_view source_;
  const ParseOptions& options_;
  Instances out_;
  simdjson::dom::parser parser_;
  std::vector<char> buffer_;
  std::vector<MemberSpan> spans_;
};

Result<Instances> ParseInstancesImpl(std::string_view json, std::string_view source,
                                     const ParseOptions& options) {
  return Scanner(json, source, options).Run();
}

Result<std::vector<Detection>> ParseResultsImpl(std::string_view json, std::string_view source,
                                                bool padded) {
  simdjson::dom::parser parser;
  auto root = ParseRoot(parser, json, source, padded);
  if (!root) return root.error();
  simdjson::dom::array arr;
  if (root->get_array().get(arr) != simdjson::SUCCESS)
    return MakeError("bad-coco", std::string(source) +
                                     ": expected a COCO results array [{\"image_id\", "
                                     "\"category_id\", \"bbox\", \"score\"}, ...]" +
                                     (root->is_object() ? " (this is an object: a GT file?)" : ""));
  std::vector<Detection> out;
  out.reserve(arr.size());
  size_t i = 0;
  for (element e : arr) {
    Where w{source, "", i++};
    auto o = AsObject(e, w);
    if (!o) return o.error();
    Detection d;
    if (Status s = Field(*o, "image_id", w, true, GetId, &d.image_id); !s) return s.error();
    if (Status s = Field(*o, "category_id", w, true, GetId, &d.category_id); !s) return s.error();
    element b;
    if (o->at_key("bbox").get(b) != simdjson::SUCCESS) return w.Fail("bbox", "missing");
    if (Status s = GetBbox(b, w, d.bbox); !s) return s.error();
    if (Status s = Field(*o, "score", w, true, GetFinite, &d.score); !s) return s.error();
    out.push_back(d);
  }
  return out;
}

}  // namespace

Result<Instances> ParseInstances(std::string_view json, std::string_view source,
                                 const ParseOptions& options) {
  return ParseInstancesImpl(json, source, options);
}

Result<Instances> ReadInstancesFile(const std::string& path, const ParseOptions& options) {
  auto text = LoadFile(path, options.max_file_bytes);
  if (!text) return text.error();
  return ParseInstancesImpl(std::string_view(text->data(), text->size()), path, options);
}

Result<std::vector<Detection>> ParseResults(std::string_view json, std::string_view source) {
  return ParseResultsImpl(json, source, false);
}

Result<std::vector<Detection>> ReadResultsFile(const std::string& path, const ParseOptions& options) {
  auto text = LoadFile(path, options.max_file_bytes);
  if (!text) return text.error();
  return ParseResultsImpl(std::string_view(text->data(), text->size()), path, true);
}

}  // namespace imgpipe::coco
