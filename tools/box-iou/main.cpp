// box-iou: options -> BoxIouConfig -> RunBoxIou -> exit code.
#include <cmath>

#include "libcommon/cli.h"
#include "tools/box-iou/box_iou_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"box-iou",
               "IoU / GIoU / DIoU / CIoU between box lists, one-to-one matching, and (soft-)NMS, "
               "per record.",
               "  label-conv --from coco instances_val.json --to ndjson > gt.ndjson\n"
               "  box-iou --gt gt.ndjson --match hungarian --thr 0.5 < preds.ndjson | jq -c .match\n"
               "  box-iou --nms 0.5 < preds.ndjson > kept.ndjson\n"
               "  box-iou --a boxes --b gt_boxes --metric giou < both.ndjson | jq -c .giou\n"
               "  box-iou --convert --format cxcywh --normalized --out-format xyxy < yolo.ndjson"});
  cli.Add("Boxes")
      ("a", "key of the first box list (rows; the list NMS filters)",
       cxxopts::value<std::string>()->default_value("boxes"))
      ("b", "key of the second box list in the same record (columns)",
       cxxopts::value<std::string>()->default_value("gt_boxes"))
      ("gt", "take the second list from this stream instead, joined by `id`",
       cxxopts::value<std::string>())
      ("gt-key", "key of the boxes in the --gt records", cxxopts::value<std::string>()->default_value("boxes"))
      ("missing-gt", "an id absent from --gt: error (code no-gt) or empty (no boxes)",
       cxxopts::value<std::string>()->default_value("error"))
      ("format", "box coordinates: xyxy (x0,y0,x1,y1), xywh (x,y,w,h) or cxcywh (cx,cy,w,h); "
                 "object keys or the first 4 numbers of an array box",
       cxxopts::value<std::string>()->default_value("xyxy"))
      ("normalized", "coordinates are fractions of the record's `width` and `height`")
      ("out-format", "write the box lists (--a, --b when in the record, the boxes NMS keeps) as "
                     "xyxy, xywh or cxcywh (default: as read; otherwise boxes keep their exact text)",
       cxxopts::value<std::string>())
      ("out-normalized", "write box coordinates as fractions of `width` and `height`")
      ("out-absolute", "write box coordinates in pixels")
      ("convert", "only rewrite the box lists (with --out-format / --out-normalized / --out-absolute)");
  cli.Add("Output")
      ("metric", "iou, giou, diou or ciou", cxxopts::value<std::string>()->default_value("iou"))
      ("key", "output key (default: the metric's name for the matrix, `match` with --match)",
       cxxopts::value<std::string>())
      ("match", "one-to-one matching instead of the matrix: greedy (score order) or hungarian "
                "(maximum total IoU)", cxxopts::value<std::string>())
      ("thr", "matching threshold: a pair needs IoU >= THR (and > 0)",
       cxxopts::value<double>()->default_value("0.5"))
      ("same-label", "match only boxes with the same `label`");
  cli.Add("Suppression")
      ("nms", "non-maximum suppression of the --a boxes: drop a box whose IoU with a higher-scored "
              "kept box is > IOU", cxxopts::value<double>())
      ("class-agnostic", "suppress across labels (default: only within the same `label`)")
      ("soft-nms", "decay scores instead of dropping: linear (by 1-IoU when IoU > --nms, default "
                   "0.3) or gaussian (by exp(-IoU^2/sigma))", cxxopts::value<std::string>())
      ("sigma", "gaussian soft-NMS sigma", cxxopts::value<double>()->default_value("0.5"))
      ("score-thr", "drop boxes scored below this (default 0.001 with --soft-nms, else 0)",
       cxxopts::value<double>());
  const auto& args = cli.Parse(argc, argv);

  BoxIouConfig config;
  config.a_key = args["a"].as<std::string>();
  config.b_key = args["b"].as<std::string>();
  if (args.count("gt")) config.gt_file = args["gt"].as<std::string>();
  config.gt_key = args["gt-key"].as<std::string>();
  const std::string missing = args["missing-gt"].as<std::string>();
  if (missing != "error" && missing != "empty") cli.UsageError("--missing-gt must be error or empty");
  config.missing_gt_empty = missing == "empty";
  if (!ParseBoxFormat(args["format"].as<std::string>(), &config.format))
    cli.UsageError("--format must be xyxy, xywh or cxcywh");
  config.normalized = args.count("normalized") > 0;
  config.out_format = config.format;
  if (args.count("out-format") && !ParseBoxFormat(args["out-format"].as<std::string>(), &config.out_format))
    cli.UsageError("--out-format must be xyxy, xywh or cxcywh");
  if (args.count("out-normalized") && args.count("out-absolute"))
    cli.UsageError("--out-normalized and --out-absolute do not go together");
  config.out_normalized = args.count("out-normalized") ? true
                          : args.count("out-absolute")  ? false
                                                        : config.normalized;
  config.rewrite = config.out_format != config.format || config.out_normalized != config.normalized;
  if (!ParseIouKind(args["metric"].as<std::string>(), &config.kind))
    cli.UsageError("--metric must be iou, giou, diou or ciou");
  if (args.count("key")) config.out_key = args["key"].as<std::string>();
  config.thr = args["thr"].as<double>();
  if (!std::isfinite(config.thr)) cli.UsageError("--thr must be a number");
  config.same_label = args.count("same-label") > 0;
  if (args.count("match")) {
    const std::string m = args["match"].as<std::string>();
    if (m == "greedy") config.match = MatchMethod::kGreedy;
    else if (m == "hungarian") config.match = MatchMethod::kHungarian;
    else cli.UsageError("--match must be greedy or hungarian");
    config.mode = BoxIouMode::kMatch;
  }
  if (args.count("soft-nms")) {
    const std::string s = args["soft-nms"].as<std::string>();
    if (s == "linear") config.soft = SoftNms::kLinear;
    else if (s == "gaussian") config.soft = SoftNms::kGaussian;
    else cli.UsageError("--soft-nms must be linear or gaussian");
    config.nms_iou = 0.3;  // Bodla et al.'s N_t
  }
  if (args.count("nms")) config.nms_iou = args["nms"].as<double>();
  if (args.count("nms") || args.count("soft-nms")) {
    if (config.mode == BoxIouMode::kMatch) cli.UsageError("--match and --nms do not go together");
    if (!config.gt_file.empty()) cli.UsageError("--gt and --nms do not go together");
    if (!(config.nms_iou >= 0 && config.nms_iou <= 1)) cli.UsageError("--nms must be in [0, 1]");
    config.mode = BoxIouMode::kNms;
  }
  if (args.count("convert")) {
    if (config.mode != BoxIouMode::kMatrix) cli.UsageError("--convert does not go with --match or --nms");
    if (!config.rewrite)
      cli.UsageError("--convert needs an output convention that differs from the input: "
                     "--out-format, --out-normalized or --out-absolute");
    config.mode = BoxIouMode::kConvert;
  }
  config.class_agnostic = args.count("class-agnostic") > 0;
  config.sigma = args["sigma"].as<double>();
  if (!(config.sigma > 0)) cli.UsageError("--sigma must be > 0");
  config.score_thr = args.count("score-thr") ? args["score-thr"].as<double>()
                                             : (config.soft != SoftNms::kNone ? 0.001 : 0.0);
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunBoxIou(config);
}
