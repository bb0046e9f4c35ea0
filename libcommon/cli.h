// ToolCli: the command-line conventions every program shares (help, version, driver and stream
// flags, usage errors with exit code 2).
#pragma once

#include <cxxopts.hpp>
#include <string>

#include "libcommon/driver.h"
#include "libcommon/result.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

struct ToolInfo {
  std::string name;     // "img-decode"
  std::string summary;  // one line: what it does
  std::string example;  // shown first in --help: one or more command lines
};

class ToolCli {
 public:
  // `per_record` adds the driver flags (--threads, --on-error, ...) and the stream limits.
  explicit ToolCli(ToolInfo info, bool per_record = true);

  cxxopts::OptionAdder Add(const std::string& group = "");
  // Positional arguments collect into the option named `name` (a std::vector<std::string>).
  void Positional(const std::string& name, const std::string& help_text);

  // Parses argv. --help and --version print to stdout and exit 0; a bad flag prints
  // "<tool>: error: ..." and exits 2.
  const cxxopts::ParseResult& Parse(int argc, char** argv);

  DriverConfig Driver() const;
  ReaderOptions Reader() const;
  const std::string& name() const { return info_.name; }

  // Prints "<tool>: error: <message>" and exits 2.
  [[noreturn]] void UsageError(const std::string& message) const;

 private:
  ToolInfo info_;
  bool per_record_;
  cxxopts::Options options_;
  cxxopts::ParseResult result_;
};

// "64M", "1G", "4096", "16k" -> bytes.
Result<uint64_t> ParseByteSize(const std::string& text);

}  // namespace imgpipe
