// label-conv: options -> LabelConvConfig -> RunLabelConv -> exit code.
#include "libcommon/cli.h"
#include "tools/label-conv/label_conv.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  using namespace imgpipe::label_conv;
  ToolCli cli({"label-conv",
               "Annotation formats (COCO, VOC, YOLO, Create ML, ...) to and from the record stream, "
               "and checks of label files.",
               "  label-conv --from coco --to yolo instances_val2017.json -o yolo/\n"
               "  label-conv --from voc VOCdevkit/VOC2012 | jq -c '.boxes | length'\n"
               "  label-conv --to coco -o ann.json < records.ndjson\n"
               "  label-conv --check --images images/ ann.json\n\n"
               "Formats:\n" + FormatList()},
              /*per_record=*/false);
  cli.Add("Conversion")
      ("from", "input format, or auto (detect from the input)", cxxopts::value<std::string>()->default_value("auto"))
      ("to", "output format (ndjson: the record stream, on stdout without -o)", cxxopts::value<std::string>())
      ("o,output", "output folder or file (- is stdout, for ndjson)", cxxopts::value<std::string>())
      ("allow-lossy", "convert even when the output format cannot hold everything (drops are counted on stderr)")
      ("classes", "class list file (one name per line, or a data.yaml names list): fixes names and "
                  "order; labels not in it are errors", cxxopts::value<std::string>())
      ("layout", "output folder layout: voc: voc (default) or labelimg; yolo: flat (default) or "
                 "ultralytics, plus `segment` for polygon lines (segment, ultralytics,segment)",
       cxxopts::value<std::string>())
      ("images", "folder the images live in (YOLO sizes, --check's missing-image test)",
       cxxopts::value<std::string>())
      ("check", "report problems (boxes outside the image, zero area, NaN, unknown ids, duplicates, "
                "missing images) with their location; exit 1 when any")
      ("max-file-size", "largest label file read", cxxopts::value<std::string>()->default_value("8G"))
      ("q,quiet", "nothing on stderr but errors")
      ("input", "input file or folder (- is stdin)", cxxopts::value<std::vector<std::string>>());
  cli.Positional("input", "[INPUT]");
  const auto& args = cli.Parse(argc, argv);

  LabelConvConfig config;
  auto get = [&](const char* name) { return args.count(name) ? args[name].as<std::string>() : std::string(); };
  config.from = args["from"].as<std::string>();
  config.to = get("to");
  config.output = get("output");
  config.allow_lossy = args.count("allow-lossy") > 0;
  config.check = args.count("check") > 0;
  config.classes_file = get("classes");
  config.images_dir = get("images");
  config.layout = get("layout");
  config.quiet = args.count("quiet") > 0;
  if (args.count("input")) {
    auto inputs = args["input"].as<std::vector<std::string>>();
    if (inputs.size() > 1) cli.UsageError("one input at a time (got " + std::to_string(inputs.size()) + ")");
    config.input = inputs[0];
  }
  auto max_file = ParseByteSize(args["max-file-size"].as<std::string>());
  if (!max_file) cli.UsageError("--max-file-size: " + max_file.error().message);
  config.max_file_bytes = *max_file;
  if (config.to.empty() && !config.check) cli.UsageError("nothing to do: give --to FORMAT and/or --check");
  if (config.input == "-" && config.from == "auto") config.from = "ndjson";
  return RunLabelConv(config);
}
