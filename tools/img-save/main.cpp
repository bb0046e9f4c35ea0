// img-save: options -> SaveToolConfig -> RunSave -> exit code.
#include "libcommon/cli.h"
#include "tools/img-save/save_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-save", "Write records' images to files; print the index (NDJSON with `path`).",
               "  img-cat raw/*.png | img-decode --max-side 512 | img-save -o out/ --format jpeg > index.ndjson\n"
               "  ... | img-save -o dataset/ --name '{split}/{label}/{id}.{ext}'"});
  cli.Add("Saving")
      ("o,output", "output folder (created if missing)", cxxopts::value<std::string>())
      ("name", "file name template: {id} {sha256} {split} {label} {ext} or any record key",
       cxxopts::value<std::string>()->default_value("{id}.{ext}"))
      ("format", "keep (encoded as they are; pixels to PNG with alpha/16-bit, else JPEG), jpeg, png, webp",
       cxxopts::value<std::string>()->default_value("keep"))
      ("quality", "JPEG / lossy WebP quality 1..100", cxxopts::value<int>()->default_value("90"))
      ("progressive", "progressive JPEG")
      ("subsampling", "JPEG chroma subsampling: 420, 422, 444", cxxopts::value<int>()->default_value("420"))
      ("lossless", "lossless WebP");
  const auto& args = cli.Parse(argc, argv);

  SaveToolConfig config;
  if (!args.count("output")) cli.UsageError("--output DIR is required");
  config.output_dir = args["output"].as<std::string>();
  config.name_template = args["name"].as<std::string>();
  if (Status s = ValidateNameTemplate(config.name_template); !s) cli.UsageError(s.error().message);
  std::string format = args["format"].as<std::string>();
  if (format != "keep") {
    config.format = FormatFromName(format);
    if (config.format != ImageFormat::kJpeg && config.format != ImageFormat::kPng &&
        config.format != ImageFormat::kWebp)
      cli.UsageError("--format must be keep, jpeg, png or webp, not \"" + format + "\"");
  }
  config.encode.quality = args["quality"].as<int>();
  if (config.encode.quality < 1 || config.encode.quality > 100) cli.UsageError("--quality must be 1..100");
  config.encode.progressive = args.count("progressive") > 0;
  config.encode.subsampling = args["subsampling"].as<int>();
  if (config.encode.subsampling != 420 && config.encode.subsampling != 422 &&
      config.encode.subsampling != 444)
    cli.UsageError("--subsampling must be 420, 422 or 444");
  config.encode.lossless = args.count("lossless") > 0;
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunSave(config);
}
