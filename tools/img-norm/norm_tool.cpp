// img-norm: builds the geometry, runs the fused kernel, moves the boxes and describes the tensor.
#include "tools/img-norm/norm_tool.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "libcommon/boxes.h"
#include "libcommon/files.h"
#include "libcommon/json.h"

namespace imgpipe {
namespace {

const char* ResizeName(NormResize r) {
  switch (r) {
    case NormResize::kNone: return "none";
    case NormResize::kStretch: return "stretch";
    case NormResize::kShortSide: return "short-side";
    case NormResize::kLetterbox: return "letterbox";
  }
  return "?";
}

std::string JsonArray3(const std::array<double, 3>& v) {
  return "[" + JsonNumber(v[0]) + "," + JsonNumber(v[1]) + "," + JsonNumber(v[2]) + "]";
}

Result<std::array<double, 3>> Numbers3(std::string_view raw, const std::string& what) {
  auto items = SplitJsonArray(raw);
  if (!items || items->size() != 3) return MakeError("usage", what + " is not an array of 3 numbers");
  std::array<double, 3> out;
  for (int i = 0; i < 3; ++i) {
    auto v = DecodeJsonNumber((*items)[i]);
    if (!v || !std::isfinite(*v)) return MakeError("usage", what + "[" + std::to_string(i) + "] is not a number");
    out[i] = *v;
  }
  return out;
}

}  // namespace

Result<std::array<double, 3>> ParseMeanStd(const std::string& text, bool is_std) {
  if (text == "imagenet")
    return is_std ? std::array<double, 3>{0.229, 0.224, 0.225}
                  : std::array<double, 3>{0.485, 0.456, 0.406};
  if (text == "clip")
    return is_std ? std::array<double, 3>{0.26862954, 0.26130258, 0.27577711}
                  : std::array<double, 3>{0.48145466, 0.4578275, 0.40821073};
  if (text == "unit") return is_std ? std::array<double, 3>{1, 1, 1} : std::array<double, 3>{0, 0, 0};
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    double d = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(d))
      return MakeError("usage", "\"" + text + "\" is not imagenet, clip, unit or numbers like 0.5,0.5,0.5");
    v.push_back(d);
  }
  if (v.size() == 1) v = {v[0], v[0], v[0]};
  if (v.size() != 3) return MakeError("usage", "give 1 or 3 numbers, not " + std::to_string(v.size()));
  if (is_std)
    for (double d : v)
      if (!(d > 0)) return MakeError("usage", "std values must be > 0");
  return std::array<double, 3>{v[0], v[1], v[2]};
}

Status LoadStatsFile(const std::string& path, std::array<double, 3>* mean,
                     std::array<double, 3>* std) {
  auto bytes = ReadFileBytes(path, 16u << 20);
  if (!bytes) return bytes.error();
  std::string text(bytes->begin(), bytes->end());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  auto rec = Record::FromJson(text);
  if (!rec) return MakeError("usage", path + ": not an img-stats JSON object: " + rec.error().message);
  const std::string* m = rec->FindRaw("mean");
  const std::string* s = rec->FindRaw("std");
  if (!m || !s) return MakeError("usage", path + ": no `mean` and `std` (is it img-stats output?)");
  auto mv = Numbers3(*m, path + ": mean");
  if (!mv) return mv.error();
  auto sv = Numbers3(*s, path + ": std");
  if (!sv) return sv.error();
  for (double d : *sv)
    if (!(d > 0)) return MakeError("usage", path + ": std values must be > 0");
  *mean = *mv;
  *std = *sv;
  return Status::Ok();
}

Result<std::pair<int, int>> ParseSize(const std::string& text) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  int n = std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra);
  if (n == 1) h = w;
  else if (n != 3 || (x != 'x' && x != 'X'))
    return MakeError("usage", "size \"" + text + "\" is not N or WxH");
  if (w <= 0 || h <= 0 || w > 65535 || h > 65535)
    return MakeError("usage", "size \"" + text + "\" must be 1..65535 on each side");
  return std::pair{w, h};
}

Status NormRecord(const NormToolConfig& config, Record& record) {
  if (record.payload_info.kind != PayloadKind::kPixels)
    return MakeError("bad-record", std::string("payload is ") +
                                       PayloadKindName(record.payload_info.kind) +
                                       ", not pixels (run img-decode first)");
  const PayloadInfo& pi = record.payload_info;
  Image src;
  src.width = pi.width;
  src.height = pi.height;
  src.channels = pi.channels;
  src.type = pi.dtype == "u16" ? SampleType::kU16 : SampleType::kU8;
  if (src.channels < 1 || src.channels > 4)
    return MakeError("unsupported", "pixels with " + std::to_string(src.channels) + " channels");
  const NormSpec& spec = config.spec;
  auto g = PlanNormGeometry(src.width, src.height, spec);
  if (!g) return g.error();

  // Boxes refer to the record's width x height (when given), scaled to the pixels first.
  const int ref_w = int(record.GetInt("width").value_or(src.width));
  const int ref_h = int(record.GetInt("height").value_or(src.height));
  int dropped = 0;
  if (record.Has("boxes")) {
    auto boxes = ReadBoxes(record);
    if (!boxes) return boxes.error();
    std::vector<BoxRecord> kept;
    for (BoxRecord& b : *boxes) {
      BoxXYXY box = ScaleBox(b.box, double(src.width) / std::max(ref_w, 1),
                             double(src.height) / std::max(ref_h, 1));
      box = g->MapBox(box);
      box.x0 = std::clamp(box.x0, 0.0, double(g->out_w));
      box.x1 = std::clamp(box.x1, 0.0, double(g->out_w));
      box.y0 = std::clamp(box.y0, 0.0, double(g->out_h));
      box.y1 = std::clamp(box.y1, 0.0, double(g->out_h));
      if (!(box.x1 > box.x0) || !(box.y1 > box.y0)) {
        ++dropped;
        continue;
      }
      b.box = box;
      kept.push_back(std::move(b));
    }
    WriteBoxes(record, kept);
  }

  src.data = std::move(record.payload);
  // The tensor goes into the previous record's pixel buffer on this thread when that is large
  // enough: a vector only zero-fills what it grows by, and the kernel writes every byte anyway
  // (a fresh 3x224x224 f32 buffer would be 600 KB of zeroes per record).
  static thread_local std::vector<uint8_t> spare;
  std::vector<uint8_t> out = std::move(spare);
  spare = {};
  out.resize(NormOutputBytes(*g, spec));
  NormalizeImage(src, spec, *g, out.data());
  spare = std::move(src.data);

  PayloadInfo info;
  info.kind = PayloadKind::kTensor;
  info.dtype = NormDtypeName(spec.dtype);
  info.layout = spec.chw ? "chw" : "hwc";
  info.shape = spec.chw ? std::vector<int64_t>{kNormChannels, g->out_h, g->out_w}
                        : std::vector<int64_t>{g->out_h, g->out_w, kNormChannels};
  record.payload_info = info;
  record.payload = std::move(out);
  record.SetInt("width", g->out_w);
  record.SetInt("height", g->out_h);

  std::array<double, 3> mean = spec.mean, stdv = spec.std;
  if (spec.bgr) std::swap(mean[0], mean[2]), std::swap(stdv[0], stdv[2]);
  std::string norm = "{\"resize\":\"" + std::string(ResizeName(spec.resize)) + "\"";
  norm += ",\"src_width\":" + std::to_string(src.width) + ",\"src_height\":" + std::to_string(src.height);
  norm += ",\"scale\":[" + JsonNumber(g->scale_x) + "," + JsonNumber(g->scale_y) + "]";
  norm += ",\"offset\":[" + JsonNumber(g->offset_x) + "," + JsonNumber(g->offset_y) + "]";
  if (spec.resize == NormResize::kLetterbox) norm += ",\"pad\":" + JsonNumber(spec.pad);
  norm += ",\"channels\":\"" + std::string(spec.bgr ? "bgr" : "rgb") + "\"";
  if (spec.dtype == NormDtype::kU8) {
    norm += ",\"mean\":null,\"std\":null";
  } else {
    norm += ",\"mean\":" + JsonArray3(mean) + ",\"std\":" + JsonArray3(stdv);
    norm += ",\"mean_preset\":" + JsonString(config.mean_name) +
            ",\"std_preset\":" + JsonString(config.std_name);
  }
  if (dropped) norm += ",\"boxes_dropped\":" + std::to_string(dropped);
  norm += "}";
  record.SetRaw("norm", std::move(norm));
  return Status::Ok();
}

int RunNorm(const NormToolConfig& config) {
  return RunStdinMap(config.driver, config.reader,
                     [&](Record& record) { return NormRecord(config, record); });
}

}  // namespace imgpipe
