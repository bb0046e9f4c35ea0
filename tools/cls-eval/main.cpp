// cls-eval: options -> ClsEvalConfig -> RunClsEval -> exit code.
#include <cmath>

#include "libcommon/cli.h"
#include "tools/cls-eval/cls_eval.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"cls-eval",
               "Classification metrics (log loss, accuracy, top-k, P/R/F1, confusion matrix, ECE) "
               "with scikit-learn's exact semantics.",
               "  cls-eval preds.ndjson          # {\"label\":\"cat\",\"probs\":{\"cat\":0.9,\"dog\":0.1}} per line\n"
               "  label-conv --from imagenet-txt val.txt --to ndjson | my-model | cls-eval --json | jq .accuracy\n"
               "  cls-eval --classes classes.txt --top-k 3 logits.ndjson"},
              /*per_record=*/false);
  cli.Add("Evaluation")
      ("classes", "class order from FILE (one name per line, or a JSON array); default: the key "
                  "order of the first record's probs/logits", cxxopts::value<std::string>())
      ("eps", "log-loss clipping epsilon; auto = 2.220446049250313e-16 (double machine "
              "epsilon, scikit-learn >= 1.2); 1e-15 for sklearn < 1.2",
       cxxopts::value<std::string>()->default_value("auto"))
      ("top-k", "k of the top-k accuracy", cxxopts::value<int>()->default_value("5"))
      ("threshold", "multi-label: a class is predicted when p >= THRESHOLD",
       cxxopts::value<double>()->default_value("0.5"))
      ("ece-bins", "equal-width confidence bins of the expected calibration error",
       cxxopts::value<int>()->default_value("15"))
      ("json", "print the metrics as one JSON object instead of a table")
      ("skip-bad", "skip records that cannot be read (warn, exit 1) instead of stopping (exit 2)")
      ("q,quiet", "nothing on stderr but errors")
      ("input", "prediction files (NDJSON or frames); none or -: stdin",
       cxxopts::value<std::vector<std::string>>());
  cli.Positional("input", "[FILE...]");
  const auto& args = cli.Parse(argc, argv);

  ClsEvalConfig config;
  if (args.count("input")) config.inputs = args["input"].as<std::vector<std::string>>();
  if (args.count("classes")) config.classes_file = args["classes"].as<std::string>();
  const std::string eps = args["eps"].as<std::string>();
  if (eps != "auto") {
    char* end = nullptr;
    double v = std::strtod(eps.c_str(), &end);
    if (end == eps.c_str() || *end || !(v > 0 && v < 0.5))
      cli.UsageError("--eps must be auto or a number in (0, 0.5), not \"" + eps + "\"");
    config.options.eps = v;
  }
  config.options.top_k = args["top-k"].as<int>();
  if (config.options.top_k < 1) cli.UsageError("--top-k must be >= 1");
  config.options.threshold = args["threshold"].as<double>();
  if (!std::isfinite(config.options.threshold)) cli.UsageError("--threshold must be a number");
  config.options.ece_bins = args["ece-bins"].as<int>();
  if (config.options.ece_bins < 1 || config.options.ece_bins > 10000)
    cli.UsageError("--ece-bins must be 1..10000");
  config.json = args.count("json") > 0;
  config.skip_bad = args.count("skip-bad") > 0;
  config.quiet = args.count("quiet") > 0;
  return RunClsEval(config);
}
