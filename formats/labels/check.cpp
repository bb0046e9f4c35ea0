// Dataset checks for label-conv --check (see check.h).
#include "formats/labels/check.h"

#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "formats/labels/conventions_io.h"
#include "libcommon/boxes.h"
#include "libcommon/files.h"
#include "libcommon/json.h"

namespace imgpipe::labels {
namespace fs = std::filesystem;

std::vector<Issue> CheckDataset(const Dataset& ds, const CheckOptions& options) {
  std::vector<Issue> issues;
  std::unordered_map<std::string, size_t> seen_ids;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const Record& r = ds.images[i];
    const SourceLocation* loc = i < ds.locations.size() ? &ds.locations[i] : nullptr;
    std::string where = loc && !loc->image.empty() ? loc->image : RecordName(r, i);
    if (const std::string* id = r.FindRaw("id")) {
      auto [it, fresh] = seen_ids.emplace(*id, i);
      if (!fresh)
        issues.push_back({where, "duplicate-image-id",
                          "image id " + *id + " also at " +
                              (it->second < ds.locations.size() && !ds.locations[it->second].image.empty()
                                   ? ds.locations[it->second].image
                                   : RecordName(ds.images[it->second], it->second))});
    }
    if (!options.images_dir.empty()) {
      auto path = r.GetString("path");
      std::error_code ec;
      if (!path) {
        issues.push_back({where, "missing-image", "no `path`: the image file is not named"});
      } else if (auto joined = SafeJoin(options.images_dir, *path); !joined) {
        issues.push_back({where, "unsafe-path", joined.error().message});
      } else if (!fs::is_regular_file(*joined, ec)) {
        issues.push_back({where, "missing-image", "image file " + joined->string() + " does not exist"});
      }
    }
    auto boxes = ReadBoxes(r);
    if (!boxes) {
      issues.push_back({where, "bad-box", boxes.error().message});
      continue;
    }
    auto w = r.GetNumber("width"), h = r.GetNumber("height");
    for (size_t j = 0; j < boxes->size(); ++j) {
      const BoxXYXY& b = (*boxes)[j].box;
      std::string bw = loc && j < loc->boxes.size() ? loc->boxes[j] : where + ": boxes[" + std::to_string(j) + "]";
      auto num = [](double v) { return FormatShortest(v); };
      std::string text = "x0=" + num(b.x0) + " y0=" + num(b.y0) + " x1=" + num(b.x1) + " y1=" + num(b.y1);
      if (!(b.x1 > b.x0) || !(b.y1 > b.y0))
        issues.push_back({bw, "zero-area", "box has zero or negative area (" + text + ")"});
      // A hair of tolerance for normalised formats' rounding (YOLO's 6 decimals).
      if (w && h) {
        double ex = 1e-6 * std::max(*w, 1.0), ey = 1e-6 * std::max(*h, 1.0);
        if (b.x0 < -ex || b.y0 < -ey || b.x1 > *w + ex || b.y1 > *h + ey || b.x1 < -ex || b.y1 < -ey ||
            b.x0 > *w + ex || b.y0 > *h + ey)
          issues.push_back({bw, "box-outside-image",
                            "box (" + text + ") is not inside the " + num(*w) + "x" + num(*h) + " image"});
      }
    }
  }
  return issues;
}

}  // namespace imgpipe::labels
