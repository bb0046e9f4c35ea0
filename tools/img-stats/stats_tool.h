// img-stats: exact per-channel mean / std and image size / aspect histograms over a stream, as a
// small JSON whose partial sums merge exactly (img-stats --merge a.json b.json).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/driver.h"
#include "libcommon/image.h"
#include "libcommon/result.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

using Uint128 = unsigned __int128;

// Everything img-stats knows, as exact integers: sums of raw samples and of their squares per
// output channel (R, G, B; gray is counted in all three, alpha is ignored). Integer sums merge
// exactly, so splitting a stream and merging gives bit-identical mean and std.
struct ImageStats {
  std::string dtype;  // "u8" or "u16"; empty before the first image
  uint64_t images = 0;
  uint64_t pixels = 0;  // per channel
  std::array<Uint128, 3> sum{}, sum_sq{};
  int min_w = 0, max_w = 0, min_h = 0, max_h = 0;
  std::vector<uint64_t> width_hist, height_hist, aspect_hist;

  ImageStats();
  // One image (u8 or u16, 1..4 channels); "bad-record" when its dtype differs from earlier ones.
  Status Add(const Image& image);
  Status Merge(const ImageStats& other);
  // mean / std in 0..1 units (sample / max sample), population std.
  std::array<double, 3> Mean() const;
  std::array<double, 3> Std() const;
  std::string ToJson() const;
  static Result<ImageStats> FromJson(std::string_view text);
};

// Histogram bin edges: bin i is [edges[i], edges[i+1]), the last bin is [edges.back(), inf).
const std::vector<double>& SizeEdges();
const std::vector<double>& AspectEdges();  // width / height

std::string Uint128ToString(Uint128 v);
std::optional<Uint128> ParseUint128(std::string_view text);

struct StatsToolConfig {
  std::vector<std::string> merge_files;  // --merge: combine these instead of reading stdin
  std::string output;                    // "" or "-": stdout
  DriverConfig driver;
  ReaderOptions reader;
};

int RunStats(const StatsToolConfig& config);

}  // namespace imgpipe
