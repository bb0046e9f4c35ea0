// img-cat: options -> CatConfig -> RunCat / RunValidate -> exit code.
#include "libcommon/cli.h"
#include "tools/img-cat/cat.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-cat", "Turn image files and record streams into one record stream.",
               "  img-cat photos/*.jpg | img-decode --max-side 256 | img-save -o small/\n"
               "  img-cat shard1.ipf shard2.ipf --headers | jq .sha256\n"
               "  img-cat --validate < frames.ipf"});
  cli.Add()
      ("headers", "write every record as NDJSON; frames become their header (for jq)")
      ("head", "stop after N records", cxxopts::value<int64_t>()->default_value("-1"))
      ("validate", "check every frame and CRC and every line; report the first bad one")
      ("extract", "write payloads as files into DIR; emit NDJSON with `path`",
       cxxopts::value<std::string>())
      ("max-file-size", "largest image file read", cxxopts::value<std::string>()->default_value("1G"))
      ("inputs", "files", cxxopts::value<std::vector<std::string>>());
  cli.Positional("inputs", "[FILE|STREAM|-]...");
  const auto& args = cli.Parse(argc, argv);

  CatConfig config;
  if (args.count("inputs")) config.inputs = args["inputs"].as<std::vector<std::string>>();
  config.headers = args.count("headers") > 0;
  config.head = args["head"].as<int64_t>();
  if (args.count("extract")) config.extract_dir = args["extract"].as<std::string>();
  auto max_file = ParseByteSize(args["max-file-size"].as<std::string>());
  if (!max_file) cli.UsageError("--max-file-size: " + max_file.error().message);
  config.max_file_bytes = *max_file;
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return args.count("validate") ? RunValidate(config) : RunCat(config);
}
