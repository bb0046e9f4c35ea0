// img-stats: options -> StatsToolConfig -> RunStats -> exit code.
#include "libcommon/cli.h"
#include "tools/img-stats/stats_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-stats", "Per-channel mean and std (exact, mergeable) and size / aspect "
                            "histograms of a pixel stream, as JSON that img-norm --stats reads.",
               "  img-cat train/*.jpg | img-decode | img-stats > stats.json\n"
               "  img-stats --merge part-*.json > stats.json\n"
               "  ... | img-norm --size 224 --stats stats.json"});
  cli.Add("Statistics")
      ("merge", "merge img-stats JSON files (given as arguments) instead of reading stdin")
      ("o,output", "write the JSON here (atomically) instead of stdout",
       cxxopts::value<std::string>()->default_value("-"))
      ("files", "files for --merge", cxxopts::value<std::vector<std::string>>());
  cli.Positional("files", "[--merge FILE...]");
  const auto& args = cli.Parse(argc, argv);

  StatsToolConfig config;
  const bool merge = args.count("merge") > 0;
  if (args.count("files")) config.merge_files = args["files"].as<std::vector<std::string>>();
  if (merge && config.merge_files.empty()) cli.UsageError("--merge needs one or more JSON files");
  if (!merge && !config.merge_files.empty())
    cli.UsageError("file arguments are only for --merge (records come on stdin)");
  config.output = args["output"].as<std::string>();
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  return RunStats(config);
}
