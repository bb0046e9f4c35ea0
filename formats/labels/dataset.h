// The label-conv model: a dataset is a class list plus one Record per image, in the stream's
// conventions; every annotation format reads into it and writes from it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe::labels {

// One record per image, keys (see formats/labels/README.md for the full list):
//   id (string), path (image file, relative to the dataset root when the format has one),
//   width, height, split?, labels? (image-level class names),
//   boxes: [{"label","x0","y0","x1","y1", "iscrowd"?, "difficult"?, "truncated"?, "occluded"?,
//            "pose"?, "z_order"?, "attrs"?: {..}, "segmentation"?: <COCO RLE/polygon, raw>,
//            "score"?}]   (absolute pixels, outer edges: DESIGN.md's one box convention)
//   polygons: [{"label", "points": [[x,y],...], "attrs"?, "occluded"?, "z_order"?}]
//   points:   [{"label", "points": [[x,y],...], ...}]
// Keys a format does not know stay in the record and pass through ndjson.
// Where an image and each of its boxes came from ("ann.json: images[3]", "labels/a.txt:2"), for
// --check and error messages. Filled only when ReadOptions::locate is set.
struct SourceLocation {
  std::string image;
  std::vector<std::string> boxes;  // parallel to the record's `boxes`
};

struct Dataset {
  std::vector<std::string> classes;  // names; index = class id where a format numbers classes
  std::vector<Record> images;
  // Optional, parallel to `classes` when not empty: a format's extras for each class as a JSON
  // object, e.g. COCO's {"id":3,"supercategory":"animal"} (so category ids survive coco -> coco).
  std::vector<Record> class_info;
  // Optional, parallel to `images` (ReadOptions::locate).
  std::vector<SourceLocation> locations;
  // Optional: dataset-level members a format keeps for itself (COCO's "info", "licenses"), as
  // one JSON object; "" when none.
  std::string extra;
};

// What a lossy write dropped, by kind ("polygon", "attribute", "crowd region", ...); printed on
// stderr by label-conv.
class LossReport {
 public:
  void Add(const std::string& what, uint64_t n = 1) {
    std::lock_guard lock(mu_);
    counts_[what] += n;
  }
  std::map<std::string, uint64_t> counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }
  bool empty() const { return counts().empty(); }

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;
};

// A problem found by --check or while reading: where (file and line, or file and JSON path) and
// what.
struct Issue {
  std::string where;  // "ann.json: annotations[17].bbox", "labels/img1.txt:3"
  std::string code;   // "box-outside-image", "zero-area", "not-finite", "unknown-category", ...
  std::string message;
};

struct ReadOptions {
  // --classes FILE: fixes names and order; a label not in it is an error with its location.
  std::optional<std::vector<std::string>> classes;
  std::string images_dir;  // where the images live, when not implied by the format's layout
  uint64_t max_file_bytes = 8ull << 30;
  // --check: problems in the data (unknown category ids, duplicate image ids, non-finite
  // coordinates, ...) are appended here and reading goes on; without it they are errors.
  std::vector<Issue>* issues = nullptr;
  bool locate = false;  // fill Dataset::locations
};

struct WriteOptions {
  bool allow_lossy = false;  // without it, a conversion that would drop information fails
  std::string images_dir;    // relative image folder written into label files, where needed
  // A format's folder layout, "" for its default (voc: "voc" or "labelimg"; yolo: "flat" or
  // "ultralytics").
  std::string layout;
};

// A format: reads a file or folder into a Dataset, writes a Dataset into a folder (or file).
struct Format {
  const char* name;         // "coco", "voc", "yolo", ...
  const char* description;  // one line for --help and the man page
  // True when `path` (file or folder) looks like this format; used by --from auto.
  bool (*detect)(const std::string& path);
  Result<Dataset> (*read)(const std::string& path, const ReadOptions& options);
  // `out` is a folder (or a file for single-file formats); lossy drops counted in `losses`;
  // without options.allow_lossy, any drop is an error ("lossy") naming what would be lost.
  Status (*write)(const Dataset& dataset, const std::string& out, const WriteOptions& options,
                  LossReport& losses);
};

// Every format, in --help order. Each format file registers itself in formats/labels/registry.cpp.
const std::vector<const Format*>& AllFormats();
const Format* FindFormat(const std::string& name);
// The first format whose detect() accepts `path`; nullptr when none does.
const Format* DetectFormat(const std::string& path);

// Class id for `name` in dataset.classes, adding it at the end when `allow_new`; nullopt when
// unknown and not allowed.
std::optional<int> ClassIndex(Dataset& dataset, const std::string& name, bool allow_new);

}  // namespace imgpipe::labels
