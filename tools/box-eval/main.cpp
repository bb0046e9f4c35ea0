// box-eval: options -> BoxEvalConfig -> RunBoxEval -> exit code.
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "libcommon/cli.h"
#include "tools/box-eval/box_eval.h"

namespace {

using imgpipe::ToolCli;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

double ParseNumber(const ToolCli& cli, const std::string& flag, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    cli.UsageError("--" + flag + ": not a number: \"" + text + "\"");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imgpipe;
  using namespace imgpipe::box_eval;
  ToolCli cli({"box-eval",
               "Detection metrics: COCO's 12 summary numbers and per-class AP (pycocotools' "
               "COCOeval rules), or Pascal VOC AP, from GT + predictions.",
               "  box-eval --coco-gt instances_val2017.json --coco-dt detections.json\n"
               "  label-conv --from coco instances_val2017.json | box-eval --gt - --pred preds.ndjson --json\n"
               "  box-eval --gt gt.ndjson --pred preds.ndjson --metric voc07 --pr-curve pr.csv"},
              /*per_record=*/false);
  cli.Add("Input")
      ("coco-gt", "COCO instances GT file (with --coco-dt)", cxxopts::value<std::string>())
      ("coco-dt", "COCO results file [{image_id, category_id, bbox, score}]",
       cxxopts::value<std::string>())
      ("gt", "GT record stream (NDJSON or frames; - is stdin), joined to --pred by `id`",
       cxxopts::value<std::string>())
      ("pred", "prediction record stream (boxes with `score`; - is stdin)",
       cxxopts::value<std::string>())
      ("max-file-size", "largest COCO JSON file read", cxxopts::value<std::string>()->default_value("8G"));
  cli.Add("Metric")
      ("metric", "coco, voc07 (11-point AP) or voc10 (all-point AP)",
       cxxopts::value<std::string>()->default_value("coco"))
      ("iou-thr", "COCO: IoU thresholds, a list (0.5,0.75) or start:stop:step (default "
                  "0.5:0.95:0.05); VOC: the one threshold a TP must exceed (default 0.5)",
       cxxopts::value<std::string>())
      ("max-dets", "COCO: detections per image for AR, three ascending values; the last also "
                   "limits AP", cxxopts::value<std::string>()->default_value("1,10,100"))
      ("area-rng", "COCO: small/medium and medium/large area boundaries in pixels^2",
       cxxopts::value<std::string>()->default_value("1024,9216"));
  cli.Add("Output")
      ("json", "print JSON {stats, per_class_ap, per_class, params} instead of the text report")
      ("summary-only", "text report without the per-class table")
      ("timings", "print the CPU seconds of loading and of evaluating on stderr")
      ("pr-curve", "write precision-recall curves to this CSV file", cxxopts::value<std::string>())
      ("threads", "threads for the COCO metric (0: one per core)", cxxopts::value<int>()->default_value("0"))
      ("q,quiet", "nothing on stderr but errors");
  const auto& args = cli.Parse(argc, argv);

  BoxEvalConfig config;
  auto get = [&](const char* name) {
    return args.count(name) ? args[name].as<std::string>() : std::string();
  };
  config.coco_gt = get("coco-gt");
  config.coco_dt = get("coco-dt");
  config.gt = get("gt");
  config.pred = get("pred");
  bool coco_files = !config.coco_gt.empty() || !config.coco_dt.empty();
  bool streams = !config.gt.empty() || !config.pred.empty();
  if (coco_files && streams) cli.UsageError("give either --coco-gt/--coco-dt or --gt/--pred, not both");
  if (coco_files && (config.coco_gt.empty() || config.coco_dt.empty()))
    cli.UsageError("--coco-gt and --coco-dt go together");
  if (streams && (config.gt.empty() || config.pred.empty())) cli.UsageError("--gt and --pred go together");
  if (!coco_files && !streams) cli.UsageError("no input: give --coco-gt and --coco-dt, or --gt and --pred");
  if (config.gt == "-" && config.pred == "-") cli.UsageError("--gt and --pred cannot both be stdin");
  auto max_file = ParseByteSize(args["max-file-size"].as<std::string>());
  if (!max_file) cli.UsageError("--max-file-size: " + max_file.error().message);
  config.max_file_bytes = *max_file;

  std::string metric = args["metric"].as<std::string>();
  if (metric == "coco") config.metric = Metric::kCoco;
  else if (metric == "voc07") config.metric = Metric::kVoc07;
  else if (metric == "voc10" || metric == "voc12") config.metric = Metric::kVoc10;
  else cli.UsageError("--metric must be coco, voc07 or voc10, not \"" + metric + "\"");

  std::string iou = get("iou-thr");
  if (!iou.empty()) {
    if (config.metric != Metric::kCoco) {
      config.voc.ovthresh = ParseNumber(cli, "iou-thr", iou);
      if (config.voc.ovthresh < 0 || config.voc.ovthresh > 1) cli.UsageError("--iou-thr must be in [0, 1]");
    } else if (iou.find(':') != std::string::npos) {
      auto parts = Split(iou, ':');
      if (parts.size() != 3) cli.UsageError("--iou-thr: use start:stop:step, e.g. 0.5:0.95:0.05");
      double start = ParseNumber(cli, "iou-thr", parts[0]), stop = ParseNumber(cli, "iou-thr", parts[1]),
             step = ParseNumber(cli, "iou-thr", parts[2]);
      if (step <= 0 || stop < start) cli.UsageError("--iou-thr: need start <= stop and step > 0");
      // pycocotools' own idiom: np.linspace(start, stop, round((stop - start) / step) + 1)
      config.coco.iou_thrs = NumpyLinspace(start, stop, size_t(std::nearbyint((stop - start) / step)) + 1);
    } else {
      config.coco.iou_thrs.clear();
      for (const std::string& s : Split(iou, ',')) config.coco.iou_thrs.push_back(ParseNumber(cli, "iou-thr", s));
    }
    for (double t : config.coco.iou_thrs)
      if (t < 0 || t > 1) cli.UsageError("--iou-thr: thresholds must be in [0, 1]");
    if (config.coco.iou_thrs.empty()) cli.UsageError("--iou-thr: no threshold");
  }

  auto md = Split(args["max-dets"].as<std::string>(), ',');
  if (md.size() != 3) cli.UsageError("--max-dets takes three values, e.g. 1,10,100");
  config.coco.max_dets.clear();
  for (const std::string& s : md) {
    double v = ParseNumber(cli, "max-dets", s);
    if (v < 1 || v != std::floor(v) || v > 1e9) cli.UsageError("--max-dets: positive integers only");
    config.coco.max_dets.push_back(int(v));
  }
  if (!(config.coco.max_dets[0] <= config.coco.max_dets[1] && config.coco.max_dets[1] <= config.coco.max_dets[2]))
    cli.UsageError("--max-dets: values must be ascending");

  auto ar = Split(args["area-rng"].as<std::string>(), ',');
  if (ar.size() != 2) cli.UsageError("--area-rng takes two boundaries, e.g. 1024,9216");
  double a1 = ParseNumber(cli, "area-rng", ar[0]), a2 = ParseNumber(cli, "area-rng", ar[1]);
  if (a1 < 0 || a2 < a1) cli.UsageError("--area-rng: need 0 <= small/medium <= medium/large");
  config.coco.area_rngs = {{"all", 0, 1e10}, {"small", 0, a1}, {"medium", a1, a2}, {"large", a2, 1e10}};

  config.json = args.count("json") > 0;
  config.summary_only = args.count("summary-only") > 0;
  config.timings = args.count("timings") > 0;
  config.pr_curve = get("pr-curve");
  config.coco.threads = args["threads"].as<int>();
  if (config.coco.threads < 0 || config.coco.threads > 1024) cli.UsageError("--threads must be 0..1024");
  config.quiet = args.count("quiet") > 0;
  config.reader = cli.Reader();
  return RunBoxEval(config);
}
