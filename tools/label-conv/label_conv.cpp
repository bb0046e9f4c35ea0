// label-conv's library: read one format into a Dataset, check it, write another.
#include "tools/label-conv/label_conv.h"

#include <unistd.h>

#include <map>

#include "formats/labels/check.h"
#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "formats/labels/detect.h"
#include "libcommon/diagnostics.h"
#include "libcommon/json.h"
#include "libcommon/stream_writer.h"

namespace imgpipe::label_conv {
namespace {

using namespace imgpipe::labels;
constexpr const char* kTool = "label-conv";

int Fail(const Error& e) {
  if (e.code == "closed") return kExitOk;  // the reader of stdout went away: end quietly
  ReportError(kTool, e.message);
  return kExitUsage;
}

size_t CountBoxes(const Dataset& ds) {
  size_t n = 0;
  for (const Record& r : ds.images)
    if (const std::string* raw = r.FindRaw("boxes"))
      if (auto items = SplitJsonArray(*raw)) n += items->size();
  return n;
}

}  // namespace

std::string FormatList() {
  std::string out;
  for (const Format* f : AllFormats()) {
    std::string name = f->name;
    out += "  " + name + std::string(name.size() < 11 ? 11 - name.size() : 1, ' ') + f->description + "\n";
  }
  return out;
}

int RunLabelConv(const LabelConvConfig& config) {
  PrepareStandardStreams();
  const Format* from = nullptr;
  if (config.from == "auto") {
    from = DetectInput(config.input);
    if (!from) {
      ReportError(kTool, config.input + ": cannot tell which label format this is (give --from; see --help)");
      return kExitUsage;
    }
  } else {
    from = FindFormat(config.from);
    if (!from) {
      ReportError(kTool, "unknown --from format \"" + config.from + "\" (see --help)");
      return kExitUsage;
    }
  }
  const Format* to = nullptr;
  if (!config.to.empty()) {
    to = FindFormat(config.to);
    if (!to) {
      ReportError(kTool, "unknown --to format \"" + config.to + "\" (see --help)");
      return kExitUsage;
    }
    if (!to->write) {
      ReportError(kTool, std::string(to->name) + " cannot be written");
      return kExitUsage;
    }
  }

  ReadOptions ro;
  ro.images_dir = config.images_dir;
  ro.max_file_bytes = config.max_file_bytes;
  std::vector<Issue> issues;
  if (config.check) {
    ro.issues = &issues;
    ro.locate = true;
  }
  if (!config.classes_file.empty()) {
    auto classes = ReadClassesFile(config.classes_file);
    if (!classes) return Fail(classes.error());
    ro.classes = std::move(classes.value());
  }
  auto ds = from->read(config.input, ro);
  if (!ds) return Fail(ds.error());

  if (config.check) {
    CheckOptions co;
    co.images_dir = config.images_dir;
    for (Issue& i : CheckDataset(*ds, co)) issues.push_back(std::move(i));
    std::map<std::string, size_t> by_code;
    for (const Issue& i : issues) {
      ReportError(kTool, i.where + ": " + i.code + ": " + i.message);
      ++by_code[i.code];
    }
    if (!config.quiet || !issues.empty()) {
      std::string summary = "check: " + std::to_string(ds->images.size()) + " images, " +
                            std::to_string(CountBoxes(*ds)) + " boxes, " + std::to_string(issues.size()) +
                            " issue" + (issues.size() == 1 ? "" : "s");
      std::string sep = ": ";
      for (const auto& [code, n] : by_code) {
        summary += sep + std::to_string(n) + " " + code;
        sep = ", ";
      }
      Report(kTool, issues.empty() ? Severity::kNote : Severity::kWarning, summary);
    }
  }

  if (to) {
    std::string out = config.output;
    if (out.empty() && std::string(to->name) != "ndjson") {
      ReportError(kTool, std::string("--to ") + to->name + " needs -o/--output (a folder or file)");
      return kExitUsage;
    }
    WriteOptions wo;
    wo.allow_lossy = config.allow_lossy;
    wo.layout = config.layout;
    LossReport losses;
    if (Status s = to->write(*ds, out, wo, losses); !s) return Fail(s.error());
    if (!losses.empty())
      ReportWarning(kTool, std::string("--allow-lossy: ") + to->name + " dropped " + DescribeLosses(losses));
    if (!config.quiet)
      Report(kTool, Severity::kNote,
             std::string(from->name) + " -> " + to->name + ": " + std::to_string(ds->images.size()) + " images, " +
                 std::to_string(CountBoxes(*ds)) + " boxes, " + std::to_string(ds->classes.size()) + " classes");
  }
  return issues.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace imgpipe::label_conv
