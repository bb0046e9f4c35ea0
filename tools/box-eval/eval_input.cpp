// Loading: maps ids to dense indices once, so the metrics work on flat arrays.
#include "tools/box-eval/eval_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <unordered_map>

#include "libcommon/boxes.h"
#include "libcommon/json.h"

namespace imgpipe::box_eval {

Result<EvalDataset> DatasetFromCoco(const coco::Instances& gt, const std::vector<coco::Detection>& dt,
                                    std::string_view dt_source) {
  EvalDataset out;
  std::vector<int64_t> image_ids;
  image_ids.reserve(gt.images.size());
  for (const coco::Image& im : gt.images) image_ids.push_back(im.id);
  std::sort(image_ids.begin(), image_ids.end());
  image_ids.erase(std::unique(image_ids.begin(), image_ids.end()), image_ids.end());
  std::unordered_map<int64_t, uint32_t> image_index;
  image_index.reserve(image_ids.size() * 2);
  for (size_t i = 0; i < image_ids.size(); ++i) {
    image_index.emplace(image_ids[i], uint32_t(i));
    out.images.push_back(std::to_string(image_ids[i]));
  }

  std::map<int64_t, std::string> cats;
  for (const coco::Category& c : gt.categories) cats[c.id] = c.name;
  std::unordered_map<int64_t, uint32_t> cat_index;
  for (const auto& [id, name] : cats) {
    cat_index.emplace(id, uint32_t(out.categories.size()));
    out.categories.push_back({id, std::to_string(id), name.empty() ? std::to_string(id) : name});
  }

  size_t skipped_gt = 0;
  out.gt.reserve(gt.annotations.size());
  for (const coco::Annotation& a : gt.annotations) {
    auto im = image_index.find(a.image_id);
    auto ct = cat_index.find(a.category_id);
    if (im == image_index.end() || ct == cat_index.end()) {
      ++skipped_gt;
      continue;
    }
    EvalBox b{};
    b.x = a.bbox[0], b.y = a.bbox[1], b.w = a.bbox[2], b.h = a.bbox[3];
    b.voc[0] = b.x, b.voc[1] = b.y, b.voc[2] = b.x + b.w, b.voc[3] = b.y + b.h;
    b.area = a.area;
    b.id = a.id;
    b.image = im->second;
    b.category = ct->second;
    b.crowd = a.iscrowd;
    b.difficult = a.difficult;
    out.gt.push_back(b);
  }
  if (skipped_gt)
    out.warnings.push_back(std::to_string(skipped_gt) +
                           " GT annotations name an image or category the GT file does not list; "
                           "they are not evaluated");

  size_t skipped_dt = 0;
  out.dt.reserve(dt.size());
  for (size_t i = 0; i < dt.size(); ++i) {
    const coco::Detection& d = dt[i];
    auto im = image_index.find(d.image_id);
    if (im == image_index.end())
      return MakeError("bad-coco", std::string(dt_source) + ": [" + std::to_string(i) +
                                       "].image_id: image " + std::to_string(d.image_id) +
                                       " is not in the GT's images");
    auto ct = cat_index.find(d.category_id);
    if (ct == cat_index.end()) {
      ++skipped_dt;
      continue;
    }
    EvalBox b{};
    b.x = d.bbox[0], b.y = d.bbox[1], b.w = d.bbox[2], b.h = d.bbox[3];
    b.voc[0] = b.x, b.voc[1] = b.y, b.voc[2] = b.x + b.w, b.voc[3] = b.y + b.h;
    b.area = b.w * b.h;
    b.score = d.score;
    b.id = int64_t(i) + 1;
    b.image = im->second;
    b.category = ct->second;
    out.dt.push_back(b);
  }
  if (skipped_dt)
    out.warnings.push_back(std::to_string(skipped_dt) +
                           " detections have a category_id the GT does not list; they are not "
                           "evaluated");
  return out;
}

namespace {

struct StreamBox {
  std::string label;
  BoxXYXY box;
  double area;
  double score;
  bool crowd, difficult;
};

struct StreamImage {
  std::string id;
  std::vector<StreamBox> gt, dt;
  bool has_gt = false;
};

// `true`/`false`, or a number (non-zero is true); absent is false.
std::optional<bool> GetFlag(const Record& r, std::string_view key) {
  const std::string* raw = r.FindRaw(key);
  if (!raw || *raw == "null" || *raw == "false") return false;
  if (*raw == "true") return true;
  auto n = DecodeJsonNumber(*raw);
  if (!n || !std::isfinite(*n)) return std::nullopt;
  return *n != 0;
}

bool IsInteger(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return false;
  *v = std::strtoll(s.c_str(), nullptr, 10);
  return true;
}

Status ReadStream(int fd, const std::string& name, const ReaderOptions& options, bool is_gt,
                  std::vector<StreamImage>& images,
                  std::unordered_map<std::string, size_t>& index, EvalDataset& out) {
  RecordReader reader(fd, name, options);
  Record record;
  uint64_t n = 0;
  for (;;) {
    auto more = reader.Next(&record);
    if (!more) return more.error();
    if (!*more) break;
    ++n;
    std::string where = name + ": record " + std::to_string(n);
    if (record.malformed_input || record.Has("error")) {
      ++out.failed_records;
      if (out.failed_records <= 5)
        out.warnings.push_back(where + " carries `error`; skipped");
      continue;
    }
    const std::string* raw_id = record.FindRaw("id");
    if (!raw_id) return MakeError("bad-record", where + ": no `id` (GT and predictions are joined by id)");
    std::string id = DecodeJsonString(*raw_id).value_or(*raw_id);
    where += " (id " + JsonString(id) + ")";
    auto boxes = ReadBoxes(record);
    if (!boxes) return MakeError("bad-record", where + ": " + boxes.error().message);
    auto [it, inserted] = index.emplace(id, images.size());
    if (inserted) {
      if (!is_gt) return MakeError("bad-record", where + ": no GT record has this id");
      images.push_back(StreamImage{id, {}, {}, false});
    }
    StreamImage& im = images[it->second];
    if (is_gt) {
      if (im.has_gt) return MakeError("bad-record", where + ": a second GT record with this id");
      im.has_gt = true;
    }
    for (size_t i = 0; i < boxes->size(); ++i) {
      const BoxRecord& br = (*boxes)[i];
      std::string bw = where + ": boxes[" + std::to_string(i) + "]";
      StreamBox sb;
      auto label = br.fields.GetString("label");
      if (!label) return MakeError("bad-record", bw + ".label: missing or not a string");
      sb.label = std::move(*label);
      sb.box = br.box;
      double w = sb.box.x1 - sb.box.x0, h = sb.box.y1 - sb.box.y0;
      sb.area = w * h;
      if (const std::string* a = br.fields.FindRaw("area"); a && *a != "null") {
        auto v = DecodeJsonNumber(*a);
        if (!v || !std::isfinite(*v)) return MakeError("bad-record", bw + ".area: not a finite number");
        sb.area = *v;
      }
      sb.score = 0;
      if (!is_gt) {
        auto s = br.Score();
        if (!s || !std::isfinite(*s))
          return MakeError("bad-record", bw + ".score: missing or not a finite number");
        sb.score = *s;
      }
      auto crowd = GetFlag(br.fields, "iscrowd");
      auto difficult = GetFlag(br.fields, "difficult");
      if (!crowd) return MakeError("bad-record", bw + ".iscrowd: expected true, false, 0 or 1");
      if (!difficult) return MakeError("bad-record", bw + ".difficult: expected true, false, 0 or 1");
      sb.crowd = *crowd;
      sb.difficult = *difficult;
      (is_gt ? im.gt : im.dt).push_back(std::move(sb));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<EvalDataset> DatasetFromStreamFds(int gt_fd, const std::string& gt_name, int pred_fd,
                                         const std::string& pred_name, const ReaderOptions& options) {
  EvalDataset out;
  std::vector<StreamImage> images;
  std::unordered_map<std::string, size_t> index;
  if (Status s = ReadStream(gt_fd, gt_name, options, true, images, index, out); !s) return s.error();
  if (Status s = ReadStream(pred_fd, pred_name, options, false, images, index, out); !s)
    return s.error();

  // Image order: by integer value when every id is one (as COCO ids), else by bytes.
  std::vector<int64_t> num(images.size());
  bool numeric = true;
  for (size_t i = 0; i < images.size() && numeric; ++i) numeric = IsInteger(images[i].id, &num[i]);
  std::vector<size_t> order(images.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (numeric && num[a] != num[b]) return num[a] < num[b];
    return images[a].id < images[b].id;
  });

  std::map<std::string, uint32_t> labels;
  for (const StreamImage& im : images) {
    for (const StreamBox& b : im.gt) labels.emplace(b.label, 0);
    for (const StreamBox& b : im.dt) labels.emplace(b.label, 0);
  }
  for (auto& [label, idx] : labels) {
    idx = uint32_t(out.categories.size());
    out.categories.push_back({int64_t(idx) + 1, label, label});
  }

  int64_t gt_id = 0, dt_id = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const StreamImage& im = images[order[rank]];
    out.images.push_back(im.id);
    for (int pass = 0; pass < 2; ++pass) {
      const auto& list = pass == 0 ? im.gt : im.dt;
      for (const StreamBox& sb : list) {
        EvalBox b{};
        b.x = sb.box.x0, b.y = sb.box.y0;
        b.w = sb.box.x1 - sb.box.x0, b.h = sb.box.y1 - sb.box.y0;
        b.voc[0] = sb.box.x0, b.voc[1] = sb.box.y0;
        b.voc[2] = sb.box.x1 - 1, b.voc[3] = sb.box.y1 - 1;
        b.area = sb.area;
        b.score = sb.score;
        b.image = uint32_t(rank);
        b.category = labels[sb.label];
        b.crowd = sb.crowd;
        b.difficult = sb.difficult;
        if (pass == 0) b.id = ++gt_id, out.gt.push_back(b);
        else b.id = ++dt_id, out.dt.push_back(b);
      }
    }
  }
  return out;
}

Result<EvalDataset> DatasetFromStreams(const std::string& gt_path, const std::string& pred_path,
                                       const ReaderOptions& options) {
  if (gt_path == "-" && pred_path == "-")
    return MakeError("usage", "--gt and --pred cannot both be stdin");
  auto open = [](const std::string& path) -> Result<int> {
    if (path == "-") return STDIN_FILENO;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return MakeError("io", path + ": " + std::strerror(errno));
    return fd;
  };
  auto g = open(gt_path);
  if (!g) return g.error();
  auto p = open(pred_path);
  if (!p) {
    if (*g != STDIN_FILENO) ::close(*g);
    return p.error();
  }
  auto r = DatasetFromStreamFds(*g, gt_path == "-" ? "stdin" : gt_path, *p,
                                pred_path == "-" ? "stdin" : pred_path, options);
  if (*g != STDIN_FILENO) ::close(*g);
  if (*p != STDIN_FILENO) ::close(*p);
  return r;
}

}  // namespace imgpipe::box_eval
