// --check: problems in a dataset that reading alone does not catch (boxes outside the image,
// zero or negative area, duplicate image ids, images listed without a file).
#pragma once

#include <string>
#include <vector>

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

struct CheckOptions {
  std::string images_dir;  // when set, every record's `path` must name a file under it
};

// Issue codes: "box-outside-image", "zero-area", "duplicate-image-id", "missing-image",
// "bad-box". Readers add their own while reading with ReadOptions::issues ("unknown-category",
// "unknown-label", "not-finite", "duplicate-image-id", "unknown-image-id", "bad-line", ...).
std::vector<Issue> CheckDataset(const Dataset& dataset, const CheckOptions& options);

}  // namespace imgpipe::labels
