// img-norm: options -> NormToolConfig -> RunNorm -> exit code.
#include "libcommon/cli.h"
#include "tools/img-norm/norm_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-norm", "Turn pixels into model-ready tensors: resize, crop/letterbox, "
                           "normalise, channel order, layout and dtype in one pass.",
               "  ... | img-decode | img-norm --resize short-side --size 224 --mean imagenet --std imagenet --dtype f16\n"
               "  ... | img-norm --resize letterbox --size 640 --pad 114 --layout hwc --dtype u8\n"
               "  ... | img-norm --size 224 --stats train-stats.json"});
  cli.Add("Tensor")
      ("resize", "none, stretch, short-side (then centre crop) or letterbox",
       cxxopts::value<std::string>()->default_value(""))
      ("size", "target N or WxH (with --resize; alone it implies --resize short-side)",
       cxxopts::value<std::string>()->default_value(""))
      ("filter", "auto (area to shrink, bilinear to enlarge), area or bilinear",
       cxxopts::value<std::string>()->default_value("auto"))
      ("pad", "letterbox border value, 0..255", cxxopts::value<double>()->default_value("0"))
      ("mean", "imagenet, clip, unit, or numbers (0..1 units)",
       cxxopts::value<std::string>()->default_value(""))
      ("std", "imagenet, clip, unit, or numbers (0..1 units)",
       cxxopts::value<std::string>()->default_value(""))
      ("stats", "take mean and std from an img-stats JSON file", cxxopts::value<std::string>())
      ("channel-order", "rgb or bgr", cxxopts::value<std::string>()->default_value("rgb"))
      ("layout", "chw or hwc", cxxopts::value<std::string>()->default_value("chw"))
      ("dtype", "f32, f16, bf16 or u8 (u8: resized samples, no mean/std)",
       cxxopts::value<std::string>()->default_value("f32"));
  const auto& args = cli.Parse(argc, argv);

  NormToolConfig config;
  NormSpec& spec = config.spec;
  std::string resize = args["resize"].as<std::string>();
  std::string size = args["size"].as<std::string>();
  if (resize.empty()) resize = size.empty() ? "none" : "short-side";
  if (resize == "none") spec.resize = NormResize::kNone;
  else if (resize == "stretch") spec.resize = NormResize::kStretch;
  else if (resize == "short-side") spec.resize = NormResize::kShortSide;
  else if (resize == "letterbox") spec.resize = NormResize::kLetterbox;
  else cli.UsageError("--resize must be none, stretch, short-side or letterbox, not \"" + resize + "\"");
  if (spec.resize != NormResize::kNone) {
    if (size.empty()) cli.UsageError("--resize " + resize + " needs --size N or WxH");
    auto wh = ParseSize(size);
    if (!wh) cli.UsageError("--size: " + wh.error().message);
    spec.width = wh->first;
    spec.height = wh->second;
  } else if (!size.empty()) {
    cli.UsageError("--size has no effect with --resize none");
  }
  std::string filter = args["filter"].as<std::string>();
  if (filter == "auto") spec.filter = NormFilter::kAuto;
  else if (filter == "area") spec.filter = NormFilter::kArea;
  else if (filter == "bilinear") spec.filter = NormFilter::kBilinear;
  else cli.UsageError("--filter must be auto, area or bilinear");
  spec.pad = args["pad"].as<double>();
  if (!(spec.pad >= 0 && spec.pad <= 255)) cli.UsageError("--pad must be 0..255");
  std::string order = args["channel-order"].as<std::string>();
  if (order != "rgb" && order != "bgr") cli.UsageError("--channel-order must be rgb or bgr");
  spec.bgr = order == "bgr";
  std::string layout = args["layout"].as<std::string>();
  if (layout != "chw" && layout != "hwc") cli.UsageError("--layout must be chw or hwc");
  spec.chw = layout == "chw";
  std::string dtype = args["dtype"].as<std::string>();
  if (dtype == "f32") spec.dtype = NormDtype::kF32;
  else if (dtype == "f16") spec.dtype = NormDtype::kF16;
  else if (dtype == "bf16") spec.dtype = NormDtype::kBF16;
  else if (dtype == "u8") spec.dtype = NormDtype::kU8;
  else cli.UsageError("--dtype must be f32, f16, bf16 or u8");

  std::string mean = args["mean"].as<std::string>(), stdv = args["std"].as<std::string>();
  const bool has_stats = args.count("stats") > 0;
  if (spec.dtype == NormDtype::kU8 && (!mean.empty() || !stdv.empty() || has_stats))
    cli.UsageError("--dtype u8 stores resized samples: --mean, --std and --stats do not apply");
  if (has_stats) {
    if (!mean.empty() || !stdv.empty()) cli.UsageError("--stats replaces --mean and --std");
    std::string path = args["stats"].as<std::string>();
    if (Status s = LoadStatsFile(path, &spec.mean, &spec.std); !s) cli.UsageError("--stats: " + s.error().message);
    config.mean_name = config.std_name = "stats:" + path;
  } else {
    if (mean.empty()) mean = "unit";
    if (stdv.empty()) stdv = "unit";
    auto m = ParseMeanStd(mean, false);
    if (!m) cli.UsageError("--mean: " + m.error().message);
    auto s = ParseMeanStd(stdv, true);
    if (!s) cli.UsageError("--std: " + s.error().message);
    spec.mean = *m;
    spec.std = *s;
    config.mean_name = mean;
    config.std_name = stdv;
  }
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunNorm(config);
}
