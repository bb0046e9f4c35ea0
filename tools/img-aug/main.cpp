// img-aug: options -> AugToolConfig -> RunAug -> exit code.
#include <fstream>
#include <iostream>
#include <sstream>

#include "libcommon/cli.h"
#include "tools/img-aug/aug_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-aug", "Augment pixels records: geometric and colour operations, boxes moved with the pixels, "
                          "reproducible from --seed.",
               "  img-cat photos/*.jpg | img-decode --max-side 512 \\\n"
               "    | img-aug --ops 'rrc=224,scale=0.08:1;hflip=0.5;jitter=0.4,0.4,0.4,0.1' --seed 7 | img-save -o aug/\n"
               "  img-aug --ops 'rotate=30,border=reflect;blur=0.5:1.5,p=0.3' --print-ops"});
  cli.Add("Operations")
      ("ops", "the operations, e.g. 'rrc=224;hflip=0.5;jitter=0.4,0.4,0.4,0.1' (see man img-aug)",
       cxxopts::value<std::string>())
      ("ops-file", "the operations as JSON (the form --print-ops writes)", cxxopts::value<std::string>())
      ("print-ops", "print the operations as canonical JSON and exit")
      ("seed", "the run's seed; each record's draws are keyed by (seed, id, copy)",
       cxxopts::value<uint64_t>()->default_value("0"))
      ("copies", "augmented variants per input record", cxxopts::value<int>()->default_value("1"))
      ("replay", "apply the `aug` recorded in FILE's records (matched by aug.key) instead of drawing",
       cxxopts::value<std::string>());
  cli.Add("Resampling")
      ("interp", "nearest, bilinear or bicubic", cxxopts::value<std::string>()->default_value("bilinear"))
      ("border", "outside the image: constant, reflect or replicate",
       cxxopts::value<std::string>()->default_value("constant"))
      ("fill", "constant border colour: V or R,G,B[,A]", cxxopts::value<std::string>()->default_value("0"));
  cli.Add("Boxes")
      ("box-rotate", "box after rotation: corners (bounding box of the corners) or ellipse (of the inscribed ellipse)",
       cxxopts::value<std::string>()->default_value("corners"))
      ("min-visibility", "drop boxes with less of their area left in the image (0..1)",
       cxxopts::value<double>()->default_value("0"))
      ("min-area", "drop boxes smaller than this (square pixels)", cxxopts::value<double>()->default_value("0"))
      ("swap-labels", "labels exchanged when the image is mirrored: left:right,...",
       cxxopts::value<std::string>()->default_value(""));
  const auto& args = cli.Parse(argc, argv);

  AugToolConfig config;
  const bool has_ops = args.count("ops") > 0, has_file = args.count("ops-file") > 0;
  config.replay_file = args.count("replay") ? args["replay"].as<std::string>() : "";
  if (has_ops && has_file) cli.UsageError("give --ops or --ops-file, not both");
  if (has_ops) {
    auto ops = aug::ParseOpsSpec(args["ops"].as<std::string>());
    if (!ops) cli.UsageError(ops.error().message);
    config.ops = std::move(*ops);
  } else if (has_file) {
    std::ifstream in(args["ops-file"].as<std::string>());
    if (!in) cli.UsageError("--ops-file: cannot read " + args["ops-file"].as<std::string>());
    std::stringstream text;
    text << in.rdbuf();
    auto ops = aug::ParseOpsJson(text.str());
    if (!ops) cli.UsageError(ops.error().message);
    config.ops = std::move(*ops);
  } else if (config.replay_file.empty()) {
    cli.UsageError("no operations: give --ops, --ops-file or --replay");
  }
  if (args.count("print-ops")) {
    if (!has_ops && !has_file) cli.UsageError("--print-ops needs --ops or --ops-file");
    std::cout << aug::OpsToJson(config.ops) << "\n";
    return 0;
  }
  config.seed = args["seed"].as<uint64_t>();
  config.copies = args["copies"].as<int>();
  if (config.copies < 1 || config.copies > 10000) cli.UsageError("--copies must be 1..10000");
  if (!config.replay_file.empty() && config.copies != 1) cli.UsageError("--copies comes from the log with --replay");

  const std::string interp = args["interp"].as<std::string>();
  if (interp == "nearest") config.apply.interp = Interp::kNearest;
  else if (interp == "bilinear") config.apply.interp = Interp::kBilinear;
  else if (interp == "bicubic") config.apply.interp = Interp::kBicubic;
  else cli.UsageError("--interp must be nearest, bilinear or bicubic");
  const std::string border = args["border"].as<std::string>();
  if (border == "constant") config.apply.border = BorderMode::kConstant;
  else if (border == "reflect") config.apply.border = BorderMode::kReflect;
  else if (border == "replicate") config.apply.border = BorderMode::kReplicate;
  else cli.UsageError("--border must be constant, reflect or replicate");
  {
    std::vector<int> fill;
    std::stringstream ss(args["fill"].as<std::string>());
    std::string part;
    while (std::getline(ss, part, ',')) {
      char* end = nullptr;
      const long v = std::strtol(part.c_str(), &end, 10);
      if (part.empty() || *end || v < 0 || v > 255) cli.UsageError("--fill takes 0..255 values: V or R,G,B[,A]");
      fill.push_back(int(v));
    }
    if (fill.empty() || fill.size() > 4) cli.UsageError("--fill takes 1 to 4 values");
    for (int c = 0; c < 4; ++c) config.apply.fill[c] = uint8_t(fill[std::min<size_t>(c, fill.size() - 1)]);
    if (fill.size() == 3) config.apply.fill[3] = 255;
  }
  const std::string box_rotate = args["box-rotate"].as<std::string>();
  if (box_rotate == "corners") config.apply.box_rotate = aug::BoxRotate::kCorners;
  else if (box_rotate == "ellipse") config.apply.box_rotate = aug::BoxRotate::kEllipse;
  else cli.UsageError("--box-rotate must be corners or ellipse");
  config.apply.min_visibility = args["min-visibility"].as<double>();
  if (!(config.apply.min_visibility >= 0 && config.apply.min_visibility <= 1))
    cli.UsageError("--min-visibility must be within 0..1");
  config.apply.min_area = args["min-area"].as<double>();
  if (!(config.apply.min_area >= 0)) cli.UsageError("--min-area must be >= 0");
  {
    std::stringstream ss(args["swap-labels"].as<std::string>());
    std::string part;
    while (std::getline(ss, part, ',')) {
      const size_t colon = part.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == part.size())
        cli.UsageError("--swap-labels takes left:right pairs separated by commas");
      config.apply.swap_labels.emplace_back(part.substr(0, colon), part.substr(colon + 1));
    }
  }
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunAug(config);
}
