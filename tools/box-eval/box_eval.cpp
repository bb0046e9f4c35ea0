// box-eval's run: load, evaluate, report on stdout, curves to a file.
#include "tools/box-eval/box_eval.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <ctime>
#include <cstring>
#include <span>

#include "formats/coco/coco_json.h"
#include "libcommon/diagnostics.h"
#include "libcommon/files.h"
#include "libcommon/json.h"
#include "tools/box-eval/eval_input.h"

namespace imgpipe::box_eval {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string NumberArray(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += JsonNumber(v[i]);
  }
  return out + "]";
}

// Writes everything; false when stdout is closed (EPIPE) or failing.
bool WriteStdout(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += size_t(n);
  }
  return true;
}

}  // namespace

Result<EvalDataset> LoadDataset(const BoxEvalConfig& config) {
  if (!config.coco_gt.empty()) {
    coco::ParseOptions options;
    options.keep_segmentation = false;
    options.max_file_bytes = config.max_file_bytes;
    auto gt = coco::ReadInstancesFile(config.coco_gt, options);
    if (!gt) return gt.error();
    auto dt = coco::ReadResultsFile(config.coco_dt, options);
    if (!dt) return dt.error();
    return DatasetFromCoco(*gt, *dt, config.coco_dt);
  }
  return DatasetFromStreams(config.gt, config.pred, config.reader);
}

std::string CocoText(const CocoEval& ev, const EvalDataset& data, bool per_class) {
  std::string out;
  auto labels = StatLabels(ev.params);
  for (size_t i = 0; i < 12; ++i) out += labels[i] + " = " + Fixed(ev.stats[i], 3) + "\n";
  if (!per_class) return out;
  size_t name_w = 8;
  for (const EvalCategory& c : data.categories) name_w = std::max(name_w, c.name.size());
  name_w = std::min<size_t>(name_w, 40);
  const int last = ev.params.max_dets.empty() ? 0 : ev.params.max_dets.back();
  out += "\nper-class AP (area=all, maxDets=" + std::to_string(last) + ")\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%10s  %-*s %8s %8s %8s %8s %8s\n", "id", int(name_w), "category",
                "AP", "AP50", "AP75", "gt", "dets");
  out += buf;
  for (size_t k = 0; k < data.categories.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%10lld  %-*.*s %8.3f %8.3f %8.3f %8zu %8zu\n",
                  (long long)data.categories[k].id, int(name_w), int(name_w),
                  data.categories[k].name.c_str(), ev.ClassAp(k), ev.ClassAp(k, 0.5),
                  ev.ClassAp(k, 0.75), ev.gt_count[k], ev.dt_count[k]);
    out += buf;
  }
  return out;
}

std::string CocoJson(const CocoEval& ev, const EvalDataset& data) {
  std::string out = "{\"metric\":\"coco\",\"stats\":[";
  for (size_t i = 0; i < 12; ++i) {
    if (i) out += ',';
    out += JsonNumber(ev.stats[i]);
  }
  out += "],\"stat_names\":[";
  auto labels = StatLabels(ev.params);
  for (size_t i = 0; i < 12; ++i) {
    std::string l = labels[i];
    l.erase(0, l.find_first_not_of(' '));
    if (i) out += ',';
    out += JsonString(l);
  }
  out += "],\"per_class_ap\":{";
  for (size_t k = 0; k < data.categories.size(); ++k) {
    if (k) out += ',';
    out += JsonString(data.categories[k].key) + ":" + JsonNumber(ev.ClassAp(k));
  }
  out += "},\"per_class\":{";
  for (size_t k = 0; k < data.categories.size(); ++k) {
    if (k) out += ',';
    out += JsonString(data.categories[k].key) +
           ":{\"name\":" + JsonString(data.categories[k].name) + ",\"ap\":" + JsonNumber(ev.ClassAp(k)) +
           ",\"ap50\":" + JsonNumber(ev.ClassAp(k, 0.5)) + ",\"ap75\":" + JsonNumber(ev.ClassAp(k, 0.75)) +
           ",\"gt\":" + std::to_string(ev.gt_count[k]) + ",\"detections\":" +
           std::to_string(ev.dt_count[k]) + "}";
  }
  std::vector<double> md(ev.params.max_dets.begin(), ev.params.max_dets.end());
  out += "},\"params\":{\"iou_thrs\":" + NumberArray(ev.params.iou_thrs) +
         ",\"max_dets\":" + NumberArray(md) + ",\"area_rng\":{";
  for (size_t a = 0; a < ev.params.area_rngs.size(); ++a) {
    if (a) out += ',';
    out += JsonString(ev.params.area_rngs[a].label) + ":" +
           NumberArray({ev.params.area_rngs[a].lo, ev.params.area_rngs[a].hi});
  }
  out += "},\"images\":" + std::to_string(data.images.size()) + "}}\n";
  return out;
}

std::string CocoPrCsv(const CocoEval& ev, const EvalDataset& data) {
  std::string out = "category_id,category,iou_thr,recall,precision,score\n";
  if (ev.A == 0 || ev.M == 0) return out;
  for (size_t k = 0; k < ev.K; ++k) {
    std::string head = std::to_string(data.categories[k].id) + "," + CsvField(data.categories[k].name) + ",";
    for (size_t t = 0; t < ev.T; ++t) {
      if (ev.Precision(t, 0, k, 0, ev.M - 1) <= -1) continue;  // no GT: no curve
      for (size_t r = 0; r < ev.R; ++r)
        out += head + JsonNumber(ev.params.iou_thrs[t]) + "," + JsonNumber(ev.params.rec_thrs[r]) + "," +
               JsonNumber(ev.Precision(t, r, k, 0, ev.M - 1)) + "," +
               JsonNumber(ev.Score(t, r, k, 0, ev.M - 1)) + "\n";
    }
  }
  return out;
}

std::string VocText(const VocEval& ev, const EvalDataset& data) {
  std::string out = ev.params.use_07_metric ? "VOC2007 11-point AP" : "VOC2010+ all-point AP";
  out += " (TP: IoU > " + JsonNumber(ev.params.ovthresh) + ", +1-pixel boxes)\n";
  size_t name_w = 8;
  for (const EvalCategory& c : data.categories) name_w = std::max(name_w, c.name.size());
  name_w = std::min<size_t>(name_w, 40);
  char buf[256];
  std::snprintf(buf, sizeof buf, "%10s  %-*s %8s %8s %8s\n", "id", int(name_w), "category", "AP", "npos",
                "dets");
  out += buf;
  for (size_t k = 0; k < data.categories.size(); ++k) {
    const VocClass& c = ev.classes[k];
    std::snprintf(buf, sizeof buf, "%10lld  %-*.*s %8.4f %8zu %8zu\n", (long long)data.categories[k].id,
                  int(name_w), int(name_w), data.categories[k].name.c_str(), c.ap, c.npos, c.ndet);
    out += buf;
  }
  out += "mAP = " + Fixed(ev.map, 4) + "\n";
  return out;
}

std::string VocJson(const VocEval& ev, const EvalDataset& data) {
  std::string out = std::string("{\"metric\":\"") + (ev.params.use_07_metric ? "voc07" : "voc10") +
                    "\",\"map\":" + JsonNumber(ev.map) + ",\"per_class_ap\":{";
  for (size_t k = 0; k < data.categories.size(); ++k) {
    if (k) out += ',';
    out += JsonString(data.categories[k].key) + ":" + JsonNumber(ev.classes[k].ap);
  }
  out += "},\"per_class\":{";
  for (size_t k = 0; k < data.categories.size(); ++k) {
    if (k) out += ',';
    out += JsonString(data.categories[k].key) + ":{\"name\":" +
           JsonString(data.categories[k].name) + ",\"ap\":" + JsonNumber(ev.classes[k].ap) +
           ",\"npos\":" + std::to_string(ev.classes[k].npos) +
           ",\"detections\":" + std::to_string(ev.classes[k].ndet) + "}";
  }
  out += "},\"params\":{\"ovthresh\":" + JsonNumber(ev.params.ovthresh) +
         ",\"images\":" + std::to_string(data.images.size()) + "}}\n";
  return out;
}

std::string VocPrCsv(const VocEval& ev, const EvalDataset& data) {
  std::string out = "category_id,category,rank,score,recall,precision\n";
  for (size_t k = 0; k < data.categories.size(); ++k) {
    const VocClass& c = ev.classes[k];
    if (c.npos == 0) continue;
    std::string head = std::to_string(data.categories[k].id) + "," + CsvField(data.categories[k].name) + ",";
    for (size_t i = 0; i < c.recall.size(); ++i)
      out += head + std::to_string(i + 1) + "," + JsonNumber(c.score[i]) + "," + JsonNumber(c.recall[i]) +
             "," + JsonNumber(c.precision[i]) + "\n";
  }
  return out;
}

namespace {

// CPU seconds (user + system, all threads) this process has used so far.
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

}  // namespace

int RunBoxEval(const BoxEvalConfig& config) {
  std::signal(SIGPIPE, SIG_IGN);
  const double cpu_start = ProcessCpuSeconds();
  auto data = LoadDataset(config);
  const double cpu_loaded = ProcessCpuSeconds();
  if (!data) {
    ReportError(config.tool, data.error().message);
    return kExitUsage;
  }
  if (!config.quiet)
    for (const std::string& w : data->warnings) ReportWarning(config.tool, w);
  if (data->failed_records > 0)
    ReportWarning(config.tool, std::to_string(data->failed_records) +
                                   " input records carried `error` and were not evaluated");

  std::string report, curves;
  if (config.metric == Metric::kCoco) {
    CocoEval ev = EvaluateCoco(*data, config.coco);
    report = config.json ? CocoJson(ev, *data) : CocoText(ev, *data, !config.summary_only);
    if (!config.pr_curve.empty()) curves = CocoPrCsv(ev, *data);
  } else {
    VocParams vp = config.voc;
    vp.use_07_metric = config.metric == Metric::kVoc07;
    VocEval ev = EvaluateVoc(*data, vp);
    report = config.json ? VocJson(ev, *data) : VocText(ev, *data);
    if (!config.pr_curve.empty()) curves = VocPrCsv(ev, *data);
  }
  if (config.timings) {
    // The split pycocotools reports: loading (COCO() + loadRes()) apart from evaluate() +
    // accumulate() (+ summarize(), which is negligible).
    char line[160];
    std::snprintf(line, sizeof line, "CPU seconds: load %.3f, evaluate %.3f",
                  cpu_loaded - cpu_start, ProcessCpuSeconds() - cpu_loaded);
    Report(config.tool, Severity::kNote, line);
  }
  if (!config.pr_curve.empty()) {
    Status s = WriteFileAtomic(config.pr_curve, std::span<const uint8_t>(
                                                    reinterpret_cast<const uint8_t*>(curves.data()),
                                                    curves.size()));
    if (!s) {
      ReportError(config.tool, config.pr_curve + ": " + s.error().message);
      return kExitUsage;
    }
  }
  if (!WriteStdout(report) && errno != EPIPE) {
    ReportError(config.tool, std::string("stdout: ") + std::strerror(errno));
    return kExitUsage;
  }
  return data->failed_records > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace imgpipe::box_eval
