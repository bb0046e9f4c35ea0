// box-iou per record: parse both box lists into SoA arrays, run the IoU kernel, then write the
// matrix, the matching, or the boxes that survive (soft-)NMS, leaving every other key alone.
#include "tools/box-iou/box_iou_tool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <numeric>

#include "libcommon/diagnostics.h"
#include "libcommon/json.h"
#include "tools/box-iou/matching.h"

namespace imgpipe {

bool ParseBoxFormat(std::string_view name, BoxFormat* format) {
  if (name == "xyxy") *format = BoxFormat::kXyxy;
  else if (name == "xywh") *format = BoxFormat::kXywh;
  else if (name == "cxcywh") *format = BoxFormat::kCxcywh;
  else return false;
  return true;
}

namespace {

const char* const kKeys[3][4] = {
    {"x0", "y0", "x1", "y1"}, {"x", "y", "w", "h"}, {"cx", "cy", "w", "h"}};
const char* const kFormatNames[3] = {"xyxy", "xywh", "cxcywh"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A label as text: strings decoded, numbers (YOLO class ids) kept as written.
std::string LabelText(std::string_view raw) {
  if (auto s = DecodeJsonString(raw)) return *s;
  if (raw == "null") return "";
  return std::string(raw);
}

std::string RecordKey(const Record& record) {
  if (auto s = record.GetString("id")) return *s;
  const std::string* raw = record.FindRaw("id");
  return raw ? *raw : std::string();
}

}  // namespace

Result<std::vector<ParsedBox>> ParseBoxes(std::string_view array_raw, std::string_view where,
                                          const BoxReadOptions& options) {
  std::vector<ParsedBox> boxes;
  array_raw = Trim(array_raw);
  if (array_raw.empty() || array_raw == "null") return boxes;
  auto items = SplitJsonArray(array_raw);
  if (!items) return MakeError("bad-record", "`" + std::string(where) + "` is not an array of boxes");
  const int f = int(options.format);
  boxes.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string at = std::string(where) + "[" + std::to_string(i) + "]";
    std::string_view item = Trim((*items)[i]);
    ParsedBox box;
    box.raw = std::string(item);
    double v[4];
    if (!item.empty() && item.front() == '[') {
      box.is_array = true;
      auto parts = SplitJsonArray(item);
      if (!parts || parts->size() < 4)
        return MakeError("bad-record", at + ": an array box needs 4 numbers (" + kFormatNames[f] +
                                           "), then optionally score and label");
      for (int k = 0; k < 4; ++k) {
        auto n = DecodeJsonNumber((*parts)[k]);
        if (!n || !std::isfinite(*n))
          return MakeError("bad-record", at + "[" + std::to_string(k) + "] (" + kKeys[f][k] +
                                             ") is not a finite number");
        v[k] = *n;
      }
      if (parts->size() > 4) {
        auto s = DecodeJsonNumber((*parts)[4]);
        if (!s || !std::isfinite(*s))
          return MakeError("bad-record", at + "[4] (score) is not a finite number");
        box.has_score = true;
        box.score = *s;
      }
      if (parts->size() > 5) box.label = LabelText((*parts)[5]);
    } else {
      auto obj = Record::FromJson(item);
      if (!obj) return MakeError("bad-record", at + " is neither an object nor an array");
      for (int k = 0; k < 4; ++k) {
        const std::string* raw = obj->FindRaw(kKeys[f][k]);
        if (!raw)
          return MakeError("bad-record", at + ": missing `" + kKeys[f][k] + "` (--format " +
                                             kFormatNames[f] + " reads " + kKeys[f][0] + ", " +
                                             kKeys[f][1] + ", " + kKeys[f][2] + ", " +
                                             kKeys[f][3] + ")");
        auto n = DecodeJsonNumber(*raw);
        if (!n || !std::isfinite(*n))
          return MakeError("bad-record", at + "." + kKeys[f][k] + " is not a finite number");
        v[k] = *n;
      }
      if (const std::string* s = obj->FindRaw("score")) {
        auto n = DecodeJsonNumber(*s);
        if (!n || !std::isfinite(*n))
          return MakeError("bad-record", at + ".score is not a finite number");
        box.has_score = true;
        box.score = *n;
      }
      if (const std::string* l = obj->FindRaw("label")) box.label = LabelText(*l);
    }
    if (options.normalized) {
      // Positions 0 and 2 are horizontal in every format (x0,x1 / x,w / cx,w), 1 and 3 vertical.
      v[0] *= options.width, v[2] *= options.width;
      v[1] *= options.height, v[3] *= options.height;
    }
    switch (options.format) {
      case BoxFormat::kXyxy: box.x0 = v[0], box.y0 = v[1], box.x1 = v[2], box.y1 = v[3]; break;
      case BoxFormat::kXywh:
        box.x0 = v[0], box.y0 = v[1], box.x1 = v[0] + v[2], box.y1 = v[1] + v[3];
        break;
      case BoxFormat::kCxcywh:
        box.x0 = v[0] - v[2] / 2, box.y0 = v[1] - v[3] / 2;
        box.x1 = v[0] + v[2] / 2, box.y1 = v[1] + v[3] / 2;
        break;
    }
    boxes.push_back(std::move(box));
  }
  return boxes;
}

namespace {

BoxArrays<double> ToArrays(const std::vector<ParsedBox>& boxes, const std::vector<int>* order = nullptr) {
  BoxArrays<double> a;
  const size_t n = order ? order->size() : boxes.size();
  a.Reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const ParsedBox& b = boxes[order ? size_t((*order)[k]) : k];
    a.Push(b.x0, b.y0, b.x1, b.y1);
  }
  return a;
}

Result<BoxReadOptions> SizeFor(const BoxIouConfig& config, const Record& record,
                               const Record* fallback) {
  BoxReadOptions o;
  o.format = config.format;
  o.normalized = config.normalized;
  if (!config.normalized && !(config.rewrite && config.out_normalized)) return o;
  auto w = record.GetNumber("width"), h = record.GetNumber("height");
  if ((!w || !h) && fallback) w = fallback->GetNumber("width"), h = fallback->GetNumber("height");
  if (!w || !h || !(*w > 0) || !(*h > 0) || !std::isfinite(*w) || !std::isfinite(*h))
    return MakeError("bad-record", std::string(config.normalized ? "--normalized" : "--out-normalized") +
                                       " needs positive `width` and `height` in the record");
  o.width = *w;
  o.height = *h;
  return o;
}

// Rewrites the box list at `key` (when the record has it) in the output convention.
void RewriteList(Record& record, const std::string& key, const std::vector<ParsedBox>& boxes,
                 const BoxIouConfig& config, const BoxReadOptions& size) {
  if (!config.rewrite || !record.FindRaw(key)) return;
  std::string out = "[";
  for (size_t k = 0; k < boxes.size(); ++k) {
    if (k) out += ",";
    out += BoxOutputText(boxes[k], config, size);
  }
  record.SetRaw(key, out + "]");
}

}  // namespace

std::string BoxOutputText(const ParsedBox& box, const BoxIouConfig& config,
                          const BoxReadOptions& size, const double* new_score) {
  if (!config.rewrite && !new_score) return box.raw;
  double v[4] = {box.x0, box.y0, box.x1, box.y1};
  if (config.rewrite) {
    switch (config.out_format) {
      case BoxFormat::kXyxy: break;
      case BoxFormat::kXywh: v[2] = box.x1 - box.x0, v[3] = box.y1 - box.y0; break;
      case BoxFormat::kCxcywh:
        v[0] = (box.x0 + box.x1) / 2, v[1] = (box.y0 + box.y1) / 2;
        v[2] = box.x1 - box.x0, v[3] = box.y1 - box.y0;
        break;
    }
    if (config.out_normalized) {
      // Positions 0 and 2 are horizontal in every format, 1 and 3 vertical.
      v[0] /= size.width, v[2] /= size.width;
      v[1] /= size.height, v[3] /= size.height;
    }
  }
  if (box.is_array) {
    auto parts = SplitJsonArray(box.raw);  // parsed once already, so it splits
    std::string out = "[";
    for (size_t k = 0; k < parts->size(); ++k) {
      if (k) out += ",";
      if (k < 4 && config.rewrite) out += JsonNumber(v[k]);
      else if (k == 4 && new_score) out += JsonNumber(*new_score);
      else out += std::string((*parts)[k]);
    }
    return out + "]";
  }
  auto obj = Record::FromJson(box.raw);
  if (config.rewrite) {
    for (const char* key : kKeys[int(config.format)]) obj->Erase(key);
    for (int k = 0; k < 4; ++k) obj->SetNumber(kKeys[int(config.out_format)][k], v[k]);
  }
  if (new_score) obj->SetNumber("score", *new_score);
  return obj->ToJson();
}

Result<NmsResult> RunNms(const std::vector<ParsedBox>& boxes, const BoxIouConfig& config) {
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (!boxes[i].has_score)
      return MakeError("bad-record", "`" + config.a_key + "[" + std::to_string(i) +
                                         "]` has no score; NMS ranks boxes by `score`");
  }
  // Groups of candidates (class-aware: one per label), each in descending score order.
  std::map<std::string, std::vector<int>> groups;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].score < config.score_thr) continue;
    groups[config.class_agnostic ? std::string() : boxes[i].label].push_back(int(i));
  }
  std::vector<double> new_score(boxes.size(), 0);
  std::vector<char> keep(boxes.size(), 0);
  std::vector<double> row;
  for (auto& [label, order] : groups) {
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return boxes[x].score > boxes[y].score; });
    const size_t G = order.size();
    BoxArrays<double> s = ToArrays(boxes, &order);
    if (Status st = CheckFiniteBoxes(s.View(), config.a_key); !st) return st.error();
    row.resize(G);
    if (config.soft == SoftNms::kNone) {
      std::vector<char> suppressed(G, 0);
      for (size_t k = 0; k < G; ++k) {
        if (suppressed[k]) continue;
        keep[order[k]] = 1;
        new_score[order[k]] = boxes[order[k]].score;
        if (k + 1 == G) break;
        BoxView<double> one = s.View().Tail(k);
        one.n = 1;
        IouMatrixUnchecked(config.kind, one, s.View().Tail(k + 1), row.data());
        for (size_t j = 0; j + k + 1 < G; ++j)
          if (row[j] > config.nms_iou) suppressed[k + 1 + j] = 1;
      }
    } else {
      // Bodla et al. 2017: take the best remaining box, decay the others by their overlap with
      // it, drop those that fall below the score threshold, repeat.
      std::vector<double> sc(G);
      std::vector<char> alive(G, 1);
      for (size_t k = 0; k < G; ++k) sc[k] = boxes[order[k]].score;
      for (;;) {
        size_t best = G;
        for (size_t k = 0; k < G; ++k)
          if (alive[k] && (best == G || sc[k] > sc[best])) best = k;
        if (best == G) break;
        alive[best] = 0;
        keep[order[best]] = 1;
        new_score[order[best]] = sc[best];
        BoxView<double> one = s.View().Tail(best);
        one.n = 1;
        IouMatrixUnchecked(config.kind, one, s.View(), row.data());
        for (size_t k = 0; k < G; ++k) {
          if (!alive[k]) continue;
          const double iou = row[k];
          if (config.soft == SoftNms::kLinear) {
            if (iou > config.nms_iou) sc[k] *= 1 - iou;
          } else {
            sc[k] *= std::exp(-(iou * iou) / config.sigma);
          }
          if (sc[k] < config.score_thr) alive[k] = 0;
        }
      }
    }
  }
  NmsResult r;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (!keep[i]) continue;
    r.kept.push_back(int(i));
    r.scores.push_back(new_score[i]);
  }
  return r;
}

Status BoxIouRecord(const BoxIouConfig& config, const GtIndex* gt, Record& record) {
  auto a_opts = SizeFor(config, record, nullptr);
  if (!a_opts) return a_opts.error();
  const std::string* a_raw = record.FindRaw(config.a_key);
  auto a = ParseBoxes(a_raw ? *a_raw : "null", config.a_key, *a_opts);
  if (!a) return a.error();

  if (config.mode == BoxIouMode::kNms) {
    if (!a_raw) return Status::Ok();  // nothing to filter; the record keeps its shape
    auto nms = RunNms(*a, config);
    if (!nms) return nms.error();
    std::string out = "[";
    for (size_t k = 0; k < nms->kept.size(); ++k) {
      const ParsedBox& box = (*a)[nms->kept[k]];
      if (k) out += ",";
      const double* rescored = config.soft == SoftNms::kNone ? nullptr : &nms->scores[k];
      out += BoxOutputText(box, config, *a_opts, rescored);
    }
    out += "]";
    record.SetRaw(config.a_key, std::move(out));
    return Status::Ok();
  }
  if (config.mode == BoxIouMode::kConvert) {
    RewriteList(record, config.a_key, *a, config, *a_opts);
    if (const std::string* b_raw = record.FindRaw(config.b_key)) {
      auto b = ParseBoxes(*b_raw, config.b_key, *a_opts);
      if (!b) return b.error();
      RewriteList(record, config.b_key, *b, config, *a_opts);
    }
    return Status::Ok();
  }

  std::vector<ParsedBox> b;
  std::string b_name = config.b_key;
  if (gt) {
    const std::string id = RecordKey(record);
    if (id.empty()) return MakeError("bad-record", "record has no `id` to join with --gt");
    auto it = gt->by_id.find(id);
    if (it == gt->by_id.end()) {
      if (!config.missing_gt_empty)
        return MakeError("no-gt", "id " + JsonString(id) + " is not in " + gt->source +
                                      " (--missing-gt empty treats it as no boxes)");
    } else {
      BoxReadOptions b_opts = *a_opts;
      if (config.normalized && it->second.width > 0 && it->second.height > 0)
        b_opts.width = it->second.width, b_opts.height = it->second.height;
      b_name = gt->source + " id " + JsonString(id) + " `" + config.gt_key + "`";
      auto parsed = ParseBoxes(it->second.boxes_raw, b_name, b_opts);
      if (!parsed) return parsed.error();
      b = std::move(parsed.value());
    }
  } else {
    const std::string* b_raw = record.FindRaw(config.b_key);
    auto parsed = ParseBoxes(b_raw ? *b_raw : "null", config.b_key, *a_opts);
    if (!parsed) return parsed.error();
    b = std::move(parsed.value());
  }

  BoxArrays<double> A = ToArrays(*a), B = ToArrays(b);
  if (Status s = CheckFiniteBoxes(A.View(), config.a_key); !s) return s;
  if (Status s = CheckFiniteBoxes(B.View(), b_name); !s) return s;
  const size_t n = A.size(), m = B.size();
  std::vector<double> iou(n * m);
  IouMatrixUnchecked(config.kind, A.View(), B.View(), iou.data());

  if (config.mode == BoxIouMode::kMatrix) {
    std::string out = "[";
    out.reserve(n * m * 20 + 2 * n + 2);
    for (size_t i = 0; i < n; ++i) {
      out += i ? ",[" : "[";
      for (size_t j = 0; j < m; ++j) {
        if (j) out += ",";
        out += JsonNumber(iou[i * m + j]);
      }
      out += "]";
    }
    out += "]";
    record.SetRaw(config.out_key.empty() ? IouKindName(config.kind) : config.out_key, std::move(out));
    RewriteList(record, config.a_key, *a, config, *a_opts);
    if (!gt) RewriteList(record, config.b_key, b, config, *a_opts);
    return Status::Ok();
  }

  MatchAllowed allowed;
  if (config.same_label) allowed = [&](int i, int j) { return (*a)[i].label == b[j].label; };
  MatchResult r;
  if (config.match == MatchMethod::kGreedy) {
    std::vector<double> scores;
    bool any_score = std::any_of(a->begin(), a->end(), [](const ParsedBox& x) { return x.has_score; });
    if (any_score) {
      for (const ParsedBox& x : *a) scores.push_back(x.has_score ? x.score : -HUGE_VAL);
    }
    r = GreedyMatch(iou.data(), int(n), int(m), scores, config.thr, allowed);
  } else {
    r = HungarianMatch(iou.data(), int(n), int(m), config.thr, allowed);
  }
  std::string out = "{\"pairs\":[";
  for (size_t k = 0; k < r.pairs.size(); ++k) {
    if (k) out += ",";
    out += "{\"a\":" + std::to_string(r.pairs[k].a) + ",\"b\":" + std::to_string(r.pairs[k].b) +
           ",\"" + IouKindName(config.kind) + "\":" + JsonNumber(r.pairs[k].iou) + "}";
  }
  out += "],\"unmatched_a\":[";
  for (size_t k = 0; k < r.unmatched_a.size(); ++k) out += (k ? "," : "") + std::to_string(r.unmatched_a[k]);
  out += "],\"unmatched_b\":[";
  for (size_t k = 0; k < r.unmatched_b.size(); ++k) out += (k ? "," : "") + std::to_string(r.unmatched_b[k]);
  out += "]}";
  record.SetRaw(config.out_key.empty() ? "match" : config.out_key, std::move(out));
  RewriteList(record, config.a_key, *a, config, *a_opts);
  if (!gt) RewriteList(record, config.b_key, b, config, *a_opts);
  return Status::Ok();
}

Result<GtIndex> LoadGtIndex(const std::string& path, const std::string& key,
                            const ReaderOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("io", path + ": cannot open: " + std::strerror(errno));
  GtIndex index;
  index.source = path;
  RecordReader reader(fd, path, options);
  Record record;
  std::map<std::string, uint64_t> first_seen;
  for (uint64_t k = 1;; ++k) {
    auto more = reader.Next(&record);
    if (!more) {
      ::close(fd);
      return more.error();
    }
    if (!*more) break;
    if (record.Has("error")) {
      ::close(fd);
      return MakeError("bad-record", path + ": record " + std::to_string(k) + " carries `error`");
    }
    const std::string id = RecordKey(record);
    if (id.empty()) {
      ::close(fd);
      return MakeError("bad-record", path + ": record " + std::to_string(k) + " has no `id`");
    }
    auto [it, fresh] = first_seen.emplace(id, k);
    if (!fresh) {
      ::close(fd);
      return MakeError("bad-record", path + ": id " + JsonString(id) + " appears twice (records " +
                                         std::to_string(it->second) + " and " + std::to_string(k) + ")");
    }
    GtIndex::Entry e;
    const std::string* raw = record.FindRaw(key);
    e.boxes_raw = raw ? *raw : "null";
    e.width = record.GetNumber("width").value_or(0);
    e.height = record.GetNumber("height").value_or(0);
    index.by_id.emplace(id, std::move(e));
  }
  ::close(fd);
  return index;
}

int RunBoxIou(const BoxIouConfig& config) {
  std::unique_ptr<GtIndex> gt;
  if (!config.gt_file.empty()) {
    auto loaded = LoadGtIndex(config.gt_file, config.gt_key, config.reader);
    if (!loaded) {
      ReportError("box-iou", loaded.error().message);
      return kExitUsage;
    }
    gt = std::make_unique<GtIndex>(std::move(loaded.value()));
  }
  return RunStdinMap(config.driver, config.reader,
                     [&](Record& record) { return BoxIouRecord(config, gt.get(), record); });
}

}  // namespace imgpipe
