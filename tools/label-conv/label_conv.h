// label-conv: annotation formats to and from the record stream, and --check.
#pragma once

#include <cstdint>
#include <string>

namespace imgpipe::label_conv {

struct LabelConvConfig {
  std::string from = "auto";  // a format name or "auto"
  std::string to;             // "" with check: only check
  std::string input = "-";    // file or folder; "-" is stdin (ndjson)
  std::string output;         // file or folder; "" or "-" is stdout for ndjson
  bool allow_lossy = false;
  bool check = false;
  std::string classes_file;
  std::string images_dir;
  std::string layout;
  uint64_t max_file_bytes = 8ull << 30;
  bool quiet = false;
};

// Runs one conversion and/or check; returns the exit code (0 ok, 1 --check found issues, 2
// usage, input or output error, or a lossy conversion refused). Diagnostics go to stderr.
int RunLabelConv(const LabelConvConfig& config);

// The --help list of formats: "  coco      description\n" lines.
std::string FormatList();

}  // namespace imgpipe::label_conv
