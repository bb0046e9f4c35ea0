// img-norm: `pixels` records to `tensor` records (resize, crop/letterbox, normalise, layout, dtype).
#pragma once

#include <array>
#include <string>

#include "libcommon/driver.h"
#include "libcommon/kernels/normalize.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

struct NormToolConfig {
  NormSpec spec;
  std::string mean_name = "unit", std_name = "unit";  // as given, for the record
  DriverConfig driver;
  ReaderOptions reader;
};

// "imagenet", "clip", "unit", or 1 or 3 comma-separated numbers (in 0..1 units). `what` is
// "mean" or "std" (a preset names both; std values must be > 0).
Result<std::array<double, 3>> ParseMeanStd(const std::string& text, bool is_std);

// Reads an img-stats JSON file: its `mean` and `std` (3 values each, 0..1 units).
Status LoadStatsFile(const std::string& path, std::array<double, 3>* mean,
                     std::array<double, 3>* std);

// "224" or "320x240" -> width, height.
Result<std::pair<int, int>> ParseSize(const std::string& text);

// One record: pixels in, tensor out; boxes follow the pixels (clipped to the tensor; boxes
// left with no area are dropped and counted in `norm.boxes_dropped`).
Status NormRecord(const NormToolConfig& config, Record& record);

int RunNorm(const NormToolConfig& config);

}  // namespace imgpipe
