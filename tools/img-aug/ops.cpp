// The op table (names, parameters, defaults), the --ops parser, the JSON reader and the canonical writer.
#include "tools/img-aug/ops.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "libcommon/json.h"

namespace imgpipe::aug {
namespace {

enum class PType { kNum, kRange, kSize, kList, kStr };
// How one number given for a range becomes [lo, hi].
enum class Single { kFixed, kSym, kJitter };

struct PDef {
  std::string key;
  PType type;
  std::vector<double> def;  // default numbers (already in final form)
  std::string def_str;
  Single single = Single::kFixed;
  bool positional = false;
  bool integer = false;
  std::string meaning;
};

struct ODef {
  std::string op;
  std::vector<std::string> aliases;
  bool geometric = false;
  bool p_positional = false;  // the first positional value is p (flag-like ops)
  double p_default = 1.0;
  bool needs_positional = false;  // the first positional parameter has no default
  std::vector<PDef> params;
  std::string summary;
};

PDef Num(std::string k, double d, bool pos, std::string m, bool integer = false) {
  return {std::move(k), PType::kNum, {d}, "", Single::kFixed, pos, integer, std::move(m)};
}
PDef Range(std::string k, double lo, double hi, Single s, bool pos, std::string m, bool integer = false) {
  return {std::move(k), PType::kRange, {lo, hi}, "", s, pos, integer, std::move(m)};
}
PDef Size(std::string m) { return {"size", PType::kSize, {0, 0}, "", Single::kFixed, true, true, std::move(m)}; }
PDef Str(std::string k, std::string d, std::string m) {
  return {std::move(k), PType::kStr, {}, std::move(d), Single::kFixed, false, false, std::move(m)};
}

const std::vector<ODef>& Table() {
  static const std::vector<ODef> table = {
      {"crop", {}, true, false, 1, true,
       {Num("x", 0, true, "left edge (pixels)", true), Num("y", 0, true, "top edge (pixels)", true),
        Num("w", 0, true, "width (pixels)", true), Num("h", 0, true, "height (pixels)", true)},
       "a fixed crop; parts outside the image are border"},
      {"center_crop", {"ccrop"}, true, false, 1, true, {Size("output width[,height]")},
       "the central w x h (larger than the image: bordered)"},
      {"random_crop", {"rcrop"}, true, false, 1, true, {Size("output width[,height]")},
       "a w x h crop at a uniformly random position (larger than the image: bordered, image placed at random)"},
      {"rrc", {"random_resized_crop"}, true, false, 1, true,
       {Size("output width[,height]"),
        Range("scale", 0.08, 1.0, Single::kFixed, false, "crop area as a fraction of the image's"),
        Range("ratio", 0.75, 4.0 / 3.0, Single::kFixed, false, "crop aspect ratio w/h (drawn log-uniformly)")},
       "torchvision RandomResizedCrop: 10 attempts, then a centre crop at the nearest allowed ratio"},
      {"resize", {}, true, false, 1, true,
       {Size("width[,height]"), Str("mode", "", "exact (w,h), short (shorter side = w) or long (longer side = w); "
                                               "default exact with two numbers, short with one")},
       "resize (bilinear by default, see --interp)"},
      {"pad", {}, true, false, 1, false,
       {{"pad", PType::kList, {0, 0, 0, 0}, "", Single::kFixed, true, true, "left,top,right,bottom (one value: all; two: x,y)"}},
       "add a border"},
      {"letterbox", {}, true, false, 1, true, {Size("output width[,height]")},
       "fit inside w x h keeping the aspect ratio, centred, the rest border"},
      {"hflip", {}, true, true, 0.5, false, {}, "mirror left-right"},
      {"vflip", {}, true, true, 0.5, false, {}, "mirror top-bottom"},
      {"rot90", {}, true, true, 1, false,
       {Range("k", 0, 3, Single::kFixed, false, "quarter turns counter-clockwise, drawn from lo..hi", true)},
       "rotate by a multiple of 90 degrees (exact)"},
      {"rotate", {}, true, false, 1, false,
       {Range("angle", -15, 15, Single::kSym, true, "degrees counter-clockwise (one value a: -a..a)"),
        Num("expand", 0, false, "1: grow the output to hold the whole rotated image")},
       "rotate about the centre by any angle"},
      {"affine", {}, true, false, 1, false,
       {Range("angle", 0, 0, Single::kSym, true, "rotation, degrees"),
        Range("translate", 0, 0, Single::kSym, false, "shift as a fraction of the size (both axes)"),
        Range("scale", 1, 1, Single::kFixed, false, "zoom factor"),
        Range("shear", 0, 0, Single::kSym, false, "x shear, degrees")},
       "torchvision RandomAffine about the centre"},
      {"perspective", {}, true, false, 1, false,
       {Num("scale", 0.5, true, "distortion: each corner moves up to scale * half the size inward")},
       "torchvision RandomPerspective"},
      {"brightness", {}, false, false, 1, false,
       {Range("factor", 0.8, 1.2, Single::kJitter, true, "multiplier (one value b: max(0,1-b)..1+b)")},
       "x * factor"},
      {"contrast", {}, false, false, 1, false,
       {Range("factor", 0.8, 1.2, Single::kJitter, true, "blend factor with the mean luma")},
       "mean + factor * (x - mean)"},
      {"saturation", {}, false, false, 1, false,
       {Range("factor", 0.8, 1.2, Single::kJitter, true, "blend factor with the pixel's luma")},
       "luma + factor * (x - luma)"},
      {"hue", {}, false, false, 1, false,
       {Range("shift", -0.05, 0.05, Single::kSym, true, "hue rotation in turns, within -0.5..0.5")},
       "rotate the hue (HSV)"},
      {"jitter", {"color_jitter"}, false, false, 1, false,
       {Range("brightness", 1, 1, Single::kJitter, true, "as brightness"),
        Range("contrast", 1, 1, Single::kJitter, true, "as contrast"),
        Range("saturation", 1, 1, Single::kJitter, true, "as saturation"),
        Range("hue", 0, 0, Single::kSym, true, "as hue")},
       "torchvision ColorJitter: the four in a random order"},
      {"gamma", {}, false, false, 1, false,
       {Range("gamma", 0.8, 1.2, Single::kFixed, true, "255 * (x/255)^gamma")}, "gamma curve"},
      {"grayscale", {"gray"}, false, true, 1, false, {}, "luma into R, G and B (channels kept)"},
      {"channel_shuffle", {"shuffle"}, false, true, 1, false, {}, "random permutation of R, G, B"},
      {"equalize", {}, false, true, 1, false, {}, "per-channel histogram equalisation (PIL)"},
      {"posterize", {}, false, false, 1, false,
       {Range("bits", 4, 4, Single::kFixed, true, "bits kept per channel, 1..8", true)}, "keep the top bits"},
      {"solarize", {}, false, false, 1, false,
       {Range("threshold", 128, 128, Single::kFixed, true, "invert samples >= threshold")}, "invert the bright"},
      {"noise", {"gauss_noise"}, false, false, 1, false,
       {Range("std", 10, 10, Single::kFixed, true, "standard deviation, in 0..255 units"),
        Num("per_channel", 1, false, "0: the same noise on every channel of a pixel")},
       "additive Gaussian noise"},
      {"blur", {"gaussian_blur"}, false, false, 1, false,
       {Range("sigma", 0.1, 2.0, Single::kFixed, true, "standard deviation in pixels (radius ceil(3 sigma))")},
       "Gaussian blur"},
      {"jpeg", {"jpeg_compression"}, false, false, 1, false,
       {Range("quality", 50, 95, Single::kFixed, true, "JPEG quality 1..100", true)},
       "JPEG re-compression (4:2:0) at a random quality"},
      {"cutout", {"coarse_dropout"}, false, false, 1, false,
       {Range("holes", 1, 1, Single::kFixed, true, "number of squares", true),
        Range("size", 0.1, 0.1, Single::kFixed, true, "square side as a fraction of the shorter side"),
        {"fill", PType::kList, {0}, "", Single::kFixed, false, false, "fill colour (one value or one per channel)"}},
       "fill random squares"},
  };
  return table;
}

const ODef* FindDef(std::string_view name) {
  for (const ODef& d : Table()) {
    if (d.op == name) return &d;
    for (const auto& a : d.aliases)
      if (a == name) return &d;
  }
  return nullptr;
}

Error Bad(const std::string& op, const std::string& what) {
  return MakeError("usage", "--ops: " + (op.empty() ? std::string() : op + ": ") + what);
}

Result<double> ParseNumber(const std::string& op, std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    return Bad(op, "not a number: \"" + s + "\"");
  return v;
}

// "a", "a:b", "a:b:c:d" (or "a x b" for sizes) -> numbers.
Result<std::vector<double>> ParseNumbers(const std::string& op, std::string_view text) {
  std::vector<double> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ':' || text[i] == 'x') {
      auto v = ParseNumber(op, text.substr(start, i - start));
      if (!v) return v.error();
      out.push_back(*v);
      start = i + 1;
    }
  }
  return out;
}

// Sets `value` from user numbers by the parameter's rules.
Status Assign(const std::string& op, const PDef& def, const std::vector<double>& nums, Value* value) {
  value->key = def.key;
  value->is_str = false;
  auto want = [&](size_t lo, size_t hi) {
    return nums.size() >= lo && nums.size() <= hi;
  };
  switch (def.type) {
    case PType::kNum:
      if (!want(1, 1)) return Bad(op, def.key + " takes one number");
      value->nums = nums;
      value->is_list = false;
      break;
    case PType::kRange:
      if (!want(1, 2)) return Bad(op, def.key + " takes a number or a range lo:hi");
      if (nums.size() == 2) {
        value->nums = nums;
      } else if (def.single == Single::kSym) {
        value->nums = {-std::abs(nums[0]), std::abs(nums[0])};
      } else if (def.single == Single::kJitter) {
        if (nums[0] < 0) return Bad(op, def.key + " must be >= 0");
        value->nums = {std::max(0.0, 1.0 - nums[0]), 1.0 + nums[0]};
      } else {
        value->nums = {nums[0], nums[0]};
      }
      if (value->nums[0] > value->nums[1]) return Bad(op, def.key + ": range lo > hi");
      value->is_list = true;
      break;
    case PType::kSize:
      if (!want(1, 2)) return Bad(op, "size takes w or w,h");
      value->nums = {nums[0], nums.size() == 2 ? nums[1] : nums[0]};
      value->is_list = true;
      for (double v : value->nums)
        if (!(v >= 1 && v <= 1 << 20)) return Bad(op, "size must be 1..1048576");
      break;
    case PType::kList:
      if (def.key == "pad") {
        if (nums.size() == 1) value->nums = {nums[0], nums[0], nums[0], nums[0]};
        else if (nums.size() == 2) value->nums = {nums[0], nums[1], nums[0], nums[1]};
        else if (nums.size() == 4) value->nums = nums;
        else return Bad(op, "pad takes 1, 2 or 4 numbers");
        for (double v : value->nums)
          if (v < 0 || v > 1 << 20) return Bad(op, "pad must be 0..1048576");
      } else {
        if (!want(1, 4)) return Bad(op, def.key + " takes 1 to 4 numbers");
        value->nums = nums;
        for (double v : nums)
          if (v < 0 || v > 255) return Bad(op, def.key + " must be 0..255");
      }
      value->is_list = true;
      break;
    case PType::kStr:
      return Bad(op, def.key + " takes a word");
  }
  if (def.integer)
    for (double& v : value->nums) v = std::round(v);
  return Status::Ok();
}

OpSpec Defaults(const ODef& d) {
  OpSpec s;
  s.op = d.op;
  s.p = d.p_default;
  for (const PDef& p : d.params) {
    Value v;
    v.key = p.key;
    if (p.type == PType::kStr) {
      v.is_str = true;
      v.str = p.def_str;
    } else {
      v.nums = p.def;
      v.is_list = p.type != PType::kNum;
    }
    s.params.push_back(v);
  }
  return s;
}

Value* FindMut(OpSpec& s, std::string_view key) {
  for (Value& v : s.params)
    if (v.key == key) return &v;
  return nullptr;
}

// Checks what single parameters cannot: sizes given, ranges in bounds, words known.
Status Finish(const ODef& d, OpSpec& s, bool size_given, size_t size_count) {
  if (!(s.p >= 0 && s.p <= 1)) return Bad(s.op, "p must be within 0..1");
  if (d.needs_positional && d.op != "crop" && !size_given) return Bad(s.op, "needs a size");
  if (d.op == "crop" && !(s.Num("w") >= 1 && s.Num("h") >= 1)) return Bad(s.op, "needs x,y,w,h with w,h >= 1");
  if (d.op == "resize") {
    Value* mode = FindMut(s, "mode");
    if (mode->str.empty()) mode->str = size_count == 2 ? "exact" : "short";
    if (mode->str != "exact" && mode->str != "short" && mode->str != "long")
      return Bad(s.op, "mode must be exact, short or long");
  }
  for (const Value& v : s.params) {
    if (v.key == "border" && v.str != "constant" && v.str != "reflect" && v.str != "replicate")
      return Bad(s.op, "border must be constant, reflect or replicate");
  }
  auto range = [&](const char* key, double lo, double hi) -> Status {
    const Value* v = s.Find(key);
    if (v && !v->nums.empty() && (v->nums.front() < lo || v->nums.back() > hi))
      return Bad(s.op, std::string(key) + " must be within " + JsonNumber(lo) + ".." + JsonNumber(hi));
    return Status::Ok();
  };
  Status st;
  if (d.op == "rrc" && !(st = range("scale", 1e-6, 1)) ) return st;
  if (d.op == "rrc" && !(st = range("ratio", 1e-3, 1e3))) return st;
  if (d.op == "rot90" && !(st = range("k", 0, 3))) return st;
  if (d.op == "affine" && !(st = range("scale", 1e-3, 1e3))) return st;
  if (d.op == "perspective" && !(st = range("scale", 0, 1))) return st;
  if (d.op == "hue" && !(st = range("shift", -0.5, 0.5))) return st;
  if (d.op == "jitter" && !(st = range("hue", -0.5, 0.5))) return st;
  if (d.op == "gamma" && !(st = range("gamma", 1e-3, 1e3))) return st;
  if (d.op == "posterize" && !(st = range("bits", 1, 8))) return st;
  if (d.op == "solarize" && !(st = range("threshold", 0, 256))) return st;
  if (d.op == "noise" && !(st = range("std", 0, 1e4))) return st;
  if (d.op == "blur" && !(st = range("sigma", 0, 100))) return st;
  if (d.op == "jpeg" && !(st = range("quality", 1, 100))) return st;
  if (d.op == "cutout" && !(st = range("holes", 0, 1000))) return st;
  if (d.op == "cutout" && !(st = range("size", 0, 1))) return st;
  return Status::Ok();
}

const PDef* FindParam(const ODef& d, std::string_view key) {
  for (const PDef& p : d.params)
    if (p.key == key) return &p;
  return nullptr;
}

// `border` and `fill` on geometric ops (kept only when given).
Status SetExtra(const ODef& d, OpSpec& s, const std::string& key, const std::vector<double>* nums,
                const std::string* word) {
  if (key == "border" && word) {
    Value v{"border", {}, *word, true, false};
    if (Value* old = FindMut(s, "border")) *old = v;
    else s.params.push_back(v);
    return Status::Ok();
  }
  if (key == "fill" && nums) {
    if (nums->empty() || nums->size() > 4) return Bad(s.op, "fill takes 1 to 4 numbers");
    for (double x : *nums)
      if (x < 0 || x > 255) return Bad(s.op, "fill must be 0..255");
    Value v{"fill", *nums, "", false, true};
    if (Value* old = FindMut(s, "fill")) *old = v;
    else s.params.push_back(v);
    return Status::Ok();
  }
  return Bad(s.op, "unknown parameter \"" + key + "\"");
}

std::vector<std::string> SplitTop(std::string_view text, char sep) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '(') ++depth;
    if (i < text.size() && text[i] == ')') --depth;
    if (i == text.size() || (text[i] == sep && depth == 0)) {
      out.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

Result<OpSpec> ParseOne(std::string_view text_in) {
  std::string text = Trim(text_in);
  // one_of(a|b|c)[,p=..]
  for (const char* prefix : {"one_of(", "oneof("}) {
    if (text.rfind(prefix, 0) != 0) continue;
    const size_t open = text.find('(');
    int depth = 0;
    size_t close = std::string::npos;
    for (size_t i = open; i < text.size(); ++i) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')' && --depth == 0) {
        close = i;
        break;
      }
    }
    if (close == std::string::npos) return Bad("one_of", "missing ')'");
    OpSpec s;
    s.op = "one_of";
    for (const std::string& part : SplitTop(std::string_view(text).substr(open + 1, close - open - 1), '|')) {
      auto child = ParseOne(part);
      if (!child) return child.error();
      s.children.push_back(std::move(*child));
    }
    if (s.children.empty()) return Bad("one_of", "needs at least one op");
    std::string rest = Trim(std::string_view(text).substr(close + 1));
    if (!rest.empty()) {
      if (rest.rfind(",p=", 0) != 0) return Bad("one_of", "only p=... may follow one_of(...)");
      auto p = ParseNumber("one_of", rest.substr(3));
      if (!p) return p.error();
      s.p = *p;
      if (!(s.p >= 0 && s.p <= 1)) return Bad("one_of", "p must be within 0..1");
    }
    return s;
  }
  std::vector<std::string> tokens = SplitTop(text, ',');
  std::string first = Trim(tokens[0]);
  std::string name = first, first_value;
  const size_t eq = first.find('=');
  if (eq != std::string::npos) {
    name = Trim(first.substr(0, eq));
    first_value = Trim(first.substr(eq + 1));
  }
  const ODef* d = FindDef(name);
  if (!d) return Bad("", "unknown op \"" + name + "\" (see man img-aug)");
  OpSpec s = Defaults(*d);
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> named;
  if (eq != std::string::npos) positional.push_back(first_value);
  for (size_t i = 1; i < tokens.size(); ++i) {
    std::string t = Trim(tokens[i]);
    if (t.empty()) return Bad(d->op, "empty parameter");
    const size_t e = t.find('=');
    if (e == std::string::npos) {
      if (!named.empty()) return Bad(d->op, "positional value \"" + t + "\" after key=value");
      positional.push_back(t);
    } else {
      named.emplace_back(Trim(t.substr(0, e)), Trim(t.substr(e + 1)));
    }
  }
  bool size_given = false;
  size_t size_count = 0;
  size_t pi = 0;
  if (d->p_positional && pi < positional.size()) {
    auto p = ParseNumber(d->op, positional[pi++]);
    if (!p) return p.error();
    s.p = *p;
  }
  for (const PDef& def : d->params) {
    if (!def.positional || pi >= positional.size()) continue;
    std::vector<double> nums;
    const size_t take = def.type == PType::kSize ? 2 : def.type == PType::kList ? 4 : 1;
    for (size_t k = 0; k < take && pi < positional.size(); ++k) {
      auto v = ParseNumbers(d->op, positional[pi]);
      if (!v) return v.error();
      if (def.type != PType::kSize && def.type != PType::kList && k == 0) {
        nums = *v;
        ++pi;
        break;
      }
      if (v->size() != 1) return Bad(d->op, "\"" + positional[pi] + "\": one number expected");
      nums.push_back((*v)[0]);
      ++pi;
    }
    if (def.type == PType::kSize) size_given = true, size_count = nums.size();
    if (Status st = Assign(d->op, def, nums, FindMut(s, def.key)); !st) return st.error();
  }
  if (pi < positional.size()) return Bad(d->op, "too many values (\"" + positional[pi] + "\")");
  for (const auto& [key, text_value] : named) {
    if (key == "p") {
      auto p = ParseNumber(d->op, text_value);
      if (!p) return p.error();
      s.p = *p;
      continue;
    }
    const PDef* def = FindParam(*d, key);
    if (def && def->type == PType::kStr) {
      FindMut(s, key)->str = text_value;
      continue;
    }
    if (!def && key == "border" && d->geometric) {
      if (Status st = SetExtra(*d, s, key, nullptr, &text_value); !st) return st.error();
      continue;
    }
    auto nums = ParseNumbers(d->op, text_value);
    if (!nums) return nums.error();
    if (!def) {
      if (!d->geometric) return Bad(d->op, "unknown parameter \"" + key + "\"");
      if (Status st = SetExtra(*d, s, key, &*nums, nullptr); !st) return st.error();
      continue;
    }
    if (def->type == PType::kSize) size_given = true, size_count = nums->size();
    if (Status st = Assign(d->op, *def, *nums, FindMut(s, key)); !st) return st.error();
  }
  if (Status st = Finish(*d, s, size_given, size_count); !st) return st.error();
  return s;
}

Result<OpSpec> FromJson(simdjson::dom::element el) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj)) return Bad("", "each op must be a JSON object");
  std::string_view name;
  if (obj["op"].get_string().get(name)) return Bad("", "an op without a string \"op\"");
  OpSpec s;
  if (name == "one_of") {
    s.op = "one_of";
    simdjson::dom::array arr;
    if (obj["ops"].get_array().get(arr)) return Bad("one_of", "needs \"ops\": [...]");
    for (auto child : arr) {
      auto c = FromJson(child);
      if (!c) return c.error();
      s.children.push_back(std::move(*c));
    }
    if (s.children.empty()) return Bad("one_of", "needs at least one op");
    double p = 1;
    if (!obj["p"].get_double().get(p)) s.p = p;
    for (auto [key, value] : obj)
      if (key != "op" && key != "p" && key != "ops") return Bad("one_of", "unknown key \"" + std::string(key) + "\"");
    if (!(s.p >= 0 && s.p <= 1)) return Bad("one_of", "p must be within 0..1");
    return s;
  }
  const ODef* d = FindDef(name);
  if (!d) return Bad("", "unknown op \"" + std::string(name) + "\"");
  s = Defaults(*d);
  bool size_given = false;
  size_t size_count = 0;
  for (auto [key_view, value] : obj) {
    std::string key(key_view);
    if (key == "op") continue;
    if (key == "p") {
      double p;
      if (value.get_double().get(p)) return Bad(d->op, "p must be a number");
      s.p = p;
      continue;
    }
    const PDef* def = FindParam(*d, key);
    std::string_view word;
    if (!value.get_string().get(word)) {
      std::string w(word);
      if (def && def->type == PType::kStr) {
        FindMut(s, key)->str = w;
        continue;
      }
      if (!def && d->geometric && key == "border") {
        if (Status st = SetExtra(*d, s, key, nullptr, &w); !st) return st.error();
        continue;
      }
      return Bad(d->op, key + " must be numbers");
    }
    std::vector<double> nums;
    double x;
    simdjson::dom::array arr;
    if (!value.get_double().get(x)) {
      nums.push_back(x);
    } else if (!value.get_array().get(arr)) {
      for (auto e : arr) {
        if (e.get_double().get(x)) return Bad(d->op, key + ": array of numbers expected");
        nums.push_back(x);
      }
    } else {
      return Bad(d->op, key + ": a number or an array of numbers expected");
    }
    if (!def) {
      if (!d->geometric) return Bad(d->op, "unknown parameter \"" + key + "\"");
      if (Status st = SetExtra(*d, s, key, &nums, nullptr); !st) return st.error();
      continue;
    }
    if (def->type == PType::kSize) size_given = true, size_count = nums.size();
    if (Status st = Assign(d->op, *def, nums, FindMut(s, key)); !st) return st.error();
  }
  if (d->op == "resize" && !FindMut(s, "mode")->str.empty()) size_count = 2;
  if (Status st = Finish(*d, s, size_given, size_count); !st) return st.error();
  return s;
}

void AppendOp(std::string* out, const OpSpec& s) {
  *out += "{\"op\":";
  AppendJsonString(out, s.op);
  *out += ",\"p\":" + JsonNumber(s.p);
  if (s.op == "one_of") {
    *out += ",\"ops\":[";
    for (size_t i = 0; i < s.children.size(); ++i) {
      if (i) *out += ",";
      AppendOp(out, s.children[i]);
    }
    *out += "]}";
    return;
  }
  if (!s.params.empty()) *out += ",";
  AppendValues(out, s.params);
  *out += "}";
}

}  // namespace

const Value* OpSpec::Find(std::string_view key) const {
  for (const Value& v : params)
    if (v.key == key) return &v;
  return nullptr;
}
double OpSpec::Num(std::string_view key, size_t i, double fallback) const {
  const Value* v = Find(key);
  return v && i < v->nums.size() ? v->nums[i] : fallback;
}
std::string OpSpec::Str(std::string_view key, std::string fallback) const {
  const Value* v = Find(key);
  return v && v->is_str ? v->str : fallback;
}

bool IsGeometric(std::string_view op) {
  const ODef* d = FindDef(op);
  return d && d->geometric;
}

void AppendValues(std::string* out, const std::vector<Value>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    if (i) *out += ",";
    AppendJsonString(out, v.key);
    *out += ":";
    if (v.is_str) {
      AppendJsonString(out, v.str);
    } else if (v.is_list || v.nums.size() != 1) {
      *out += "[";
      for (size_t k = 0; k < v.nums.size(); ++k) {
        if (k) *out += ",";
        *out += JsonNumber(v.nums[k]);
      }
      *out += "]";
    } else {
      *out += JsonNumber(v.nums[0]);
    }
  }
}

Result<OpList> ParseOpsSpec(std::string_view text) {
  OpList list;
  for (const std::string& part : SplitTop(text, ';')) {
    if (Trim(part).empty()) continue;
    auto op = ParseOne(part);
    if (!op) return op.error();
    list.ops.push_back(std::move(*op));
  }
  if (list.ops.empty()) return Bad("", "no operations");
  return list;
}

Result<OpList> ParseOpsJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string copy(text);
  if (auto e = parser.parse(copy).get(doc); e)
    return MakeError("usage", std::string("--ops-file: not valid JSON: ") + simdjson::error_message(e));
  simdjson::dom::array arr;
  simdjson::dom::object obj;
  if (!doc.get_object().get(obj)) {
    int64_t version = 1;
    if (!obj["version"].get_int64().get(version) && version != 1)
      return MakeError("usage", "--ops-file: unsupported version " + std::to_string(version));
    if (obj["ops"].get_array().get(arr)) return MakeError("usage", "--ops-file: needs \"ops\": [...]");
  } else if (doc.get_array().get(arr)) {
    return MakeError("usage", "--ops-file: expected {\"version\":1,\"ops\":[...]} or an array of ops");
  }
  OpList list;
  for (auto el : arr) {
    auto op = FromJson(el);
    if (!op) return MakeError("usage", "--ops-file: " + op.error().message.substr(7));
    list.ops.push_back(std::move(*op));
  }
  if (list.ops.empty()) return MakeError("usage", "--ops-file: no operations");
  return list;
}

std::string OpsToJson(const OpList& list) {
  std::string out = "{\"version\":1,\"ops\":[";
  for (size_t i = 0; i < list.ops.size(); ++i) {
    if (i) out += ",";
    AppendOp(&out, list.ops[i]);
  }
  out += "]}";
  return out;
}

const std::vector<OpDoc>& OpDocs() {
  static const std::vector<OpDoc> docs = [] {
    std::vector<OpDoc> out;
    for (const ODef& d : Table()) {
      OpDoc doc;
      doc.op = d.op;
      for (const auto& a : d.aliases) doc.aliases += (doc.aliases.empty() ? "" : ", ") + a;
      doc.summary = d.summary;
      doc.params.push_back({"p", JsonNumber(d.p_default), d.p_positional ? "probability (positional)" : "probability"});
      for (const PDef& p : d.params) {
        std::string def;
        if (p.type == PType::kStr) def = p.def_str.empty() ? "(see text)" : p.def_str;
        else if (p.type == PType::kSize) def = "(required)";
        else
          for (size_t i = 0; i < p.def.size(); ++i) def += (i ? ":" : "") + JsonNumber(p.def[i]);
        doc.params.push_back({p.key, def, p.meaning});
      }
      out.push_back(doc);
    }
    return out;
  }();
  return docs;
}

}  // namespace imgpipe::aug
