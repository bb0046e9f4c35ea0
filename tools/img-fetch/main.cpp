// img-fetch: options -> FetchConfig -> RunFetch -> exit code.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libcommon/cli.h"
#include "libcommon/stream_writer.h"
#include "tools/img-fetch/fetch_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-fetch", "Download images (or crawl pages for them) politely, fast and safely.",
               "  img-fetch < urls.txt > images.ipf\n"
               "  jq -c '{url, labels}' meta.ndjson | img-fetch --rate 5 --journal run.journal --save imgs/ > index.ndjson\n"
               "  echo https://example.org/gallery.html | img-fetch --crawl --depth 1 | img-decode --max-side 512"},
              /*per_record=*/false);
  cli.Add("Engine")
      ("concurrency", "transfers at once, all hosts together", cxxopts::value<int>()->default_value("256"))
      ("per-host", "transfers at once to one host", cxxopts::value<int>()->default_value("8"))
      ("rate", "requests per second to one host (0: no limit)", cxxopts::value<double>()->default_value("10"))
      ("cacert", "trust the CA certificates in FILE (PEM) instead of the system's", cxxopts::value<std::string>())
      ("user-agent", "User-Agent header (its first word is the name robots.txt rules are matched against)",
       cxxopts::value<std::string>()->default_value(FetchConfig().user_agent));
  cli.Add("Limits")
      ("timeout", "seconds for one whole transfer", cxxopts::value<double>()->default_value("60"))
      ("connect-timeout", "seconds to connect", cxxopts::value<double>()->default_value("10"))
      ("low-speed-limit", "bytes/s below which a transfer counts as stalled",
       cxxopts::value<long>()->default_value("1024"))
      ("low-speed-time", "seconds a transfer may stay stalled before it times out",
       cxxopts::value<long>()->default_value("30"))
      ("max-bytes", "largest image body, counted as it arrives", cxxopts::value<std::string>()->default_value("64M"))
      ("max-page-bytes", "largest HTML page in crawl mode", cxxopts::value<std::string>()->default_value("8M"))
      ("max-redirects", "redirects followed per URL", cxxopts::value<int>()->default_value("5"))
      ("max-pixels", "refuse images whose header claims more pixels (checked while streaming)",
       cxxopts::value<int64_t>()->default_value("178956970"));
  cli.Add("Retries")
      ("retries", "extra attempts after 429, 5xx, timeouts and network errors",
       cxxopts::value<int>()->default_value("3"))
      ("backoff", "first retry delay in seconds (doubled per attempt, with jitter)",
       cxxopts::value<double>()->default_value("1"))
      ("max-backoff", "longest retry delay in seconds", cxxopts::value<double>()->default_value("60"))
      ("max-retry-after", "a longer Retry-After fails the record instead of waiting (seconds)",
       cxxopts::value<double>()->default_value("300"))
      ("breaker", "consecutive failures that make img-fetch skip a host for a while (0: never)",
       cxxopts::value<int>()->default_value("20"))
      ("breaker-cooldown", "seconds a host is skipped after --breaker failures",
       cxxopts::value<double>()->default_value("60"));
  cli.Add("Politeness and safety")
      ("ignore-robots", "do not fetch or obey robots.txt")
      ("ignore-x-robots-tag", "do not honour X-Robots-Tag noai/noimageai/none/noindex")
      ("allow-private", "allow redirects and crawled links to private/loopback/link-local addresses")
      ("deny-private", "refuse private addresses for the input URLs too");
  cli.Add("Crawl")
      ("crawl", "input URLs are HTML pages: fetch the images they show")
      ("depth", "follow page links this many levels (crawl mode)", cxxopts::value<int>()->default_value("0"))
      ("any-host", "follow page links to other hosts too (crawl mode)");
  cli.Add("Output")
      ("o,output", "write to FILE instead of standard output (with --journal: resumed, not emptied)",
       cxxopts::value<std::string>())
      ("save", "write images to DIR (named by sha256) and print NDJSON with `path`",
       cxxopts::value<std::string>())
      ("journal", "append each outcome to FILE; a rerun skips what is settled there",
       cxxopts::value<std::string>())
      ("dedup", "drop images whose content an earlier record already had")
      ("shard", "fetch only shard i of N (by a hash of the URL), as i/N", cxxopts::value<std::string>())
      ("on-error", "a failed record: pass (with `error`), drop, or fail (stop the run)",
       cxxopts::value<std::string>()->default_value("pass"))
      ("progress", "progress line on stderr")
      ("q,quiet", "nothing on stderr but errors");
  cli.Add("Stream limits")
      ("max-line", "longest NDJSON input line", cxxopts::value<std::string>()->default_value("64M"))
      ("max-json-depth", "deepest JSON nesting", cxxopts::value<size_t>()->default_value("64"));
  const auto& args = cli.Parse(argc, argv);

  auto size_flag = [&](const char* name) {
    auto v = ParseByteSize(args[name].as<std::string>());
    if (!v) cli.UsageError(std::string("--") + name + ": " + v.error().message);
    return *v;
  };
  FetchConfig c;
  c.concurrency = args["concurrency"].as<int>();
  if (c.concurrency < 1 || c.concurrency > 65536) cli.UsageError("--concurrency must be 1..65536");
  c.host.per_host = args["per-host"].as<int>();
  if (c.host.per_host < 1) cli.UsageError("--per-host must be >= 1");
  c.host.rate = args["rate"].as<double>();
  if (!(c.host.rate >= 0)) cli.UsageError("--rate must be >= 0");
  c.host.breaker_failures = args["breaker"].as<int>();
  if (c.host.breaker_failures < 0) cli.UsageError("--breaker must be >= 0");
  c.host.breaker_cooldown = args["breaker-cooldown"].as<double>();
  if (!(c.host.breaker_cooldown >= 0)) cli.UsageError("--breaker-cooldown must be >= 0");
  if (args.count("cacert")) {
    c.cacert = args["cacert"].as<std::string>();
    if (access(c.cacert.c_str(), R_OK) != 0)
      cli.UsageError("--cacert " + c.cacert + ": " + std::strerror(errno));
  }
  c.user_agent = args["user-agent"].as<std::string>();
  if (c.user_agent.empty() || c.user_agent.find_first_of("\r\n") != std::string::npos)
    cli.UsageError("--user-agent must be one non-empty line");
  c.timeout = args["timeout"].as<double>();
  c.connect_timeout = args["connect-timeout"].as<double>();
  if (!(c.timeout > 0) || !(c.connect_timeout > 0)) cli.UsageError("timeouts must be > 0");
  c.low_speed_limit = args["low-speed-limit"].as<long>();
  c.low_speed_time = args["low-speed-time"].as<long>();
  if (c.low_speed_limit < 0 || c.low_speed_time < 0) cli.UsageError("--low-speed-* must be >= 0");
  c.max_bytes = size_flag("max-bytes");
  c.max_page_bytes = size_flag("max-page-bytes");
  c.max_redirects = args["max-redirects"].as<int>();
  if (c.max_redirects < 0) cli.UsageError("--max-redirects must be >= 0");
  c.max_pixels = args["max-pixels"].as<int64_t>();
  if (c.max_pixels <= 0) cli.UsageError("--max-pixels must be > 0");
  c.retries = args["retries"].as<int>();
  if (c.retries < 0) cli.UsageError("--retries must be >= 0");
  c.backoff_base = args["backoff"].as<double>();
  c.backoff_max = args["max-backoff"].as<double>();
  c.max_retry_after = args["max-retry-after"].as<double>();
  if (!(c.backoff_base >= 0) || !(c.backoff_max >= 0) || !(c.max_retry_after >= 0))
    cli.UsageError("--backoff, --max-backoff and --max-retry-after must be >= 0");
  c.robots = args.count("ignore-robots") == 0;
  c.x_robots_tag = args.count("ignore-x-robots-tag") == 0;
  c.allow_private = args.count("allow-private") > 0;
  c.deny_private = args.count("deny-private") > 0;
  if (c.allow_private && c.deny_private) cli.UsageError("--allow-private and --deny-private exclude each other");
  c.crawl = args.count("crawl") > 0;
  c.depth = args["depth"].as<int>();
  if (c.depth < 0) cli.UsageError("--depth must be >= 0");
  if (c.depth > 0 && !c.crawl) cli.UsageError("--depth needs --crawl");
  c.any_host = args.count("any-host") > 0;
  if (args.count("save")) c.save_dir = args["save"].as<std::string>();
  if (args.count("journal")) c.journal = args["journal"].as<std::string>();
  c.dedup = args.count("dedup") > 0;
  if (args.count("shard") && !ParseShard(args["shard"].as<std::string>(), &c.shard_index, &c.shard_count))
    cli.UsageError("--shard must be i/N with 0 <= i < N");

  c.driver = cli.Driver();
  std::string on_error = args["on-error"].as<std::string>();
  if (on_error == "pass") c.driver.on_error = OnError::kPass;
  else if (on_error == "drop") c.driver.on_error = OnError::kDrop;
  else if (on_error == "fail") c.driver.on_error = OnError::kFail;
  else cli.UsageError("--on-error must be pass, drop or fail, not \"" + on_error + "\"");
  c.driver.quiet = args.count("quiet") > 0;
  c.driver.progress = args.count("progress") > 0 || (!c.driver.quiet && isatty(STDERR_FILENO) == 1);
  c.reader = cli.Reader();
  c.reader.plain_line_key = "url";
  c.reader.max_line = size_flag("max-line");
  c.reader.json.max_depth = args["max-json-depth"].as<size_t>();

  int out_fd = STDOUT_FILENO;
  if (args.count("output")) {
    c.output_path = args["output"].as<std::string>();
    // With a journal the file is kept: RunFetch cuts it back to the journal's last commit.
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (c.journal.empty() ? O_TRUNC : 0);
    out_fd = open(c.output_path.c_str(), flags, 0644);
    if (out_fd < 0) cli.UsageError("-o " + c.output_path + ": " + std::strerror(errno));
  } else if (c.save_dir.empty() && isatty(STDOUT_FILENO) == 1) {
    // Frames of image bytes are not for a terminal; an NDJSON index (--save) is.
    cli.UsageError("refusing to write binary frames to a terminal (redirect stdout, or use --save DIR)");
  }
  PrepareStandardStreams();
  int rc = RunFetch(c, STDIN_FILENO, out_fd).summary.ExitCode();
  if (out_fd != STDOUT_FILENO && close(out_fd) != 0 && rc == 0) rc = 2;
  return rc;
}
