// img-pack: records to shard files that PyTorch, TensorFlow and Hugging Face read directly:
// WebDataset tar, TFRecord (tf.train.Example, Object Detection API keys), .npy / .npz, and
// Hugging Face imagefolder. Shards are written atomically; an NDJSON index lists them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "formats/codec/encode.h"
#include "formats/codec/sniff.h"
#include "libcommon/driver.h"
#include "libcommon/geometry.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

enum class PackFormat { kWebDataset, kTfRecord, kNpy, kNpz, kImageFolder };
const char* PackFormatName(PackFormat f);

struct PackToolConfig {
  PackFormat format = PackFormat::kWebDataset;
  std::string output_dir;
  std::string shard_prefix = "shard-";
  uint64_t max_count = 10000;     // records per shard (0: no limit)
  uint64_t max_bytes = 1ull << 30;  // bytes per shard, approximately from below (0: no limit)
  ImageFormat image_format = ImageFormat::kUnknown;  // pixels -> this (unknown: JPEG, PNG for alpha/16-bit)
  EncodeOptions encode;
  std::vector<std::string> classes;  // --classes: names by index
  bool overwrite = false;
  uint64_t max_file_bytes = 1ull << 30;  // records with only a `path`
  DriverConfig driver;
  ReaderOptions reader;
};

// One record made ready for any format (on a worker thread).
struct PackSample {
  std::string id;
  std::string key;  // file-name-safe id
  std::string json;  // the record's metadata (no payload)
  // An encoded image, or a tensor / pixel array.
  std::vector<uint8_t> image;
  std::string image_ext;     // "jpg", "png", ...
  std::string image_format;  // "jpeg", "png", ...
  int width = 0, height = 0;  // of the image or array
  std::vector<uint8_t> array;
  std::vector<int64_t> shape;
  std::string dtype, layout;
  // Annotations, boxes in the image's pixels.
  std::vector<BoxXYXY> boxes;
  std::vector<std::string> box_labels;
  std::string label;  // image-level label (`label`, or `labels[0]`)
};

// Encodes pixels / reads the file / checks the payload kind the format needs.
Result<PackSample> PreparePackSample(const PackToolConfig& config, Record& record);

// "abc.def/g" -> "abc_def_g": the characters WebDataset and file systems treat specially go.
std::string SafeKey(std::string_view id);

int RunPack(const PackToolConfig& config);

}  // namespace imgpipe
