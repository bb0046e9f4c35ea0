// img-decode: options -> DecodeToolConfig -> RunDecode -> exit code.
#include "libcommon/cli.h"
#include "tools/img-decode/decode_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-decode", "Decode encoded images (JPEG, PNG, GIF, BMP, TGA, PSD, WebP) to pixels.",
               "  img-cat photos/*.jpg | img-decode --max-side 256 | img-save -o thumbs/\n"
               "  img-cat scan.png | img-decode --channels 1 --keep-16bit | img-cat --headers"});
  cli.Add("Decoding")
      ("max-side", "shrink so the long side is at most N (0: full size)",
       cxxopts::value<int>()->default_value("0"))
      ("channels", "output channels: 1 gray, 3 RGB, 4 RGBA", cxxopts::value<int>()->default_value("3"))
      ("keep-16bit", "keep 16-bit samples (u16) instead of reducing to 8 bits")
      ("orientation", "EXIF orientation: apply or ignore",
       cxxopts::value<std::string>()->default_value("apply"))
      ("boxes-oriented", "`boxes` already refer to the upright (EXIF-oriented) image")
      ("max-pixels", "refuse images with more pixels (checked before decoding)",
       cxxopts::value<int64_t>()->default_value("178956970"))
      ("allow-truncated", "decode what is there of a truncated image instead of failing")
      ("max-file-size", "largest image file read for records with `path`",
       cxxopts::value<std::string>()->default_value("1G"));
  const auto& args = cli.Parse(argc, argv);

  DecodeToolConfig config;
  config.max_side = args["max-side"].as<int>();
  if (config.max_side < 0) cli.UsageError("--max-side must be >= 0");
  config.decode.channels = args["channels"].as<int>();
  if (config.decode.channels != 1 && config.decode.channels != 3 && config.decode.channels != 4)
    cli.UsageError("--channels must be 1, 3 or 4");
  config.decode.keep_16bit = args.count("keep-16bit") > 0;
  std::string orientation = args["orientation"].as<std::string>();
  if (orientation != "apply" && orientation != "ignore")
    cli.UsageError("--orientation must be apply or ignore");
  config.apply_orientation = orientation == "apply";
  config.boxes_oriented = args.count("boxes-oriented") > 0;
  config.decode.max_pixels = args["max-pixels"].as<int64_t>();
  if (config.decode.max_pixels <= 0) cli.UsageError("--max-pixels must be > 0");
  config.decode.allow_truncated = args.count("allow-truncated") > 0;
  auto max_file = ParseByteSize(args["max-file-size"].as<std::string>());
  if (!max_file) cli.UsageError("--max-file-size: " + max_file.error().message);
  config.max_file_bytes = *max_file;
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunDecode(config);
}
