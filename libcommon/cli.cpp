// ToolCli: cxxopts with imgpipe's conventions on top.
#include "libcommon/cli.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "libcommon/diagnostics.h"

namespace imgpipe {

Result<uint64_t> ParseByteSize(const std::string& text) {
  if (text.empty() || !isdigit(static_cast<unsigned char>(text[0])))
    return MakeError("usage", "not a size: \"" + text + "\" (use e.g. 4096, 64k, 16M, 1G)");
  size_t end = 0;
  unsigned long long v = std::stoull(text, &end);
  std::string unit = text.substr(end);
  uint64_t mult = 1;
  if (unit == "k" || unit == "K" || unit == "KiB") mult = 1ull << 10;
  else if (unit == "M" || unit == "MiB") mult = 1ull << 20;
  else if (unit == "G" || unit == "GiB") mult = 1ull << 30;
  else if (!unit.empty())
    return MakeError("usage", "unknown size unit in \"" + text + "\" (use k, M or G)");
  if (v > (~0ull) / mult) return MakeError("usage", "size too large: \"" + text + "\"");
  return uint64_t(v) * mult;
}

ToolCli::ToolCli(ToolInfo info, bool per_record)
    : info_(std::move(info)), per_record_(per_record), options_(info_.name, info_.summary) {
  options_.set_width(100);
  options_.add_options()("h,help", "print this help and exit")("version",
                                                                 "print the version and exit");
  if (per_record_) {
    options_.add_options("Records")
        ("threads", "worker threads (0: one per core)", cxxopts::value<int>()->default_value("0"))
        ("unordered", "write records as they finish instead of in input order")
        ("max-inflight", "records read but not yet written (0: 4 per thread)",
         cxxopts::value<size_t>()->default_value("0"))
        ("max-inflight-bytes", "bytes of records in flight", cxxopts::value<std::string>()->default_value("1G"))
        ("on-error", "a failed record: pass (with `error`), drop, or fail (stop the run)",
         cxxopts::value<std::string>()->default_value("pass"))
        ("progress", "progress line on stderr")
        ("q,quiet", "nothing on stderr but errors");
    options_.add_options("Stream limits")
        ("max-line", "longest NDJSON line", cxxopts::value<std::string>()->default_value("64M"))
        ("max-header", "largest frame header", cxxopts::value<std::string>()->default_value("16M"))
        ("max-payload", "largest frame payload", cxxopts::value<std::string>()->default_value("1G"))
        ("max-json-depth", "deepest JSON nesting", cxxopts::value<size_t>()->default_value("64"));
  }
}

cxxopts::OptionAdder ToolCli::Add(const std::string& group) { return options_.add_options(group); }

void ToolCli::Positional(const std::string& name, const std::string& help_text) {
  options_.parse_positional({name});
  options_.positional_help(help_text);
}

void ToolCli::UsageError(const std::string& message) const {
  ReportError(info_.name, message + " (see --help)");
  std::exit(kExitUsage);
}

const cxxopts::ParseResult& ToolCli::Parse(int argc, char** argv) {
  try {
    result_ = options_.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    UsageError(e.what());
  }
  if (result_.count("help")) {
    std::cout << "Example:\n" << info_.example << "\n\n" << options_.help() << "\n"
              << "Exit status: 0 all records processed; 1 some records failed (they carry "
                 "`error`);\n2 usage or stream error. See man " << info_.name << ".\n";
    std::exit(kExitOk);
  }
  if (result_.count("version")) {
    std::cout << info_.name << " (imgpipe) " << IMGPIPE_VERSION << "\n";
    std::exit(kExitOk);
  }
  if (!result_.unmatched().empty()) UsageError("unexpected argument \"" + result_.unmatched()[0] + "\"");
  return result_;
}

DriverConfig ToolCli::Driver() const {
  DriverConfig c;
  c.tool = info_.name;
  if (!per_record_) return c;
  c.threads = result_["threads"].as<int>();
  if (c.threads < 0 || c.threads > 1024) UsageError("--threads must be 0..1024");
  c.unordered = result_.count("unordered") > 0;
  c.max_inflight = result_["max-inflight"].as<size_t>();
  auto bytes = ParseByteSize(result_["max-inflight-bytes"].as<std::string>());
  if (!bytes) UsageError("--max-inflight-bytes: " + bytes.error().message);
  c.max_inflight_bytes = *bytes;
  std::string on_error = result_["on-error"].as<std::string>();
  if (on_error == "pass") c.on_error = OnError::kPass;
  else if (on_error == "drop") c.on_error = OnError::kDrop;
  else if (on_error == "fail") c.on_error = OnError::kFail;
  else UsageError("--on-error must be pass, drop or fail, not \"" + on_error + "\"");
  c.quiet = result_.count("quiet") > 0;
  // A progress line by default only when a person is watching stderr.
  c.progress = result_.count("progress") > 0 || (!c.quiet && isatty(STDERR_FILENO) == 1);
  return c;
}

ReaderOptions ToolCli::Reader() const {
  ReaderOptions r;
  r.tool = info_.name;
  if (!per_record_) return r;
  auto size_flag = [&](const char* name) {
    auto v = ParseByteSize(result_[name].as<std::string>());
    if (!v) UsageError(std::string("--") + name + ": " + v.error().message);
    return *v;
  };
  r.max_line = size_flag("max-line");
  uint64_t header = size_flag("max-header");
  if (header > 0xFFFFFFFFull) UsageError("--max-header must be below 4G");
  r.frame.max_header = uint32_t(header);
  r.frame.max_payload = size_flag("max-payload");
  r.json.max_depth = result_["max-json-depth"].as<size_t>();
  return r;
}

}  // namespace imgpipe
