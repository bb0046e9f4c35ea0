// COCO JSON reader: "instances" ground truth (images, categories, annotations) and results lists.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe::coco {

// COCO boxes are [x, y, w, h]: (x, y) the top-left corner, w and h the extent, absolute pixels.
// In the record stream's convention that is x0 = x, y0 = y, x1 = x + w, y1 = y + h (outer edge).

struct Image {
  int64_t id = 0;
  std::string file_name;  // "" when absent
  int64_t width = 0;      // 0 when absent
  int64_t height = 0;
  // Every other member ("license", "coco_url", ...) as `"key":value` JSON text joined by commas,
  // in file order; filled only with ParseOptions::keep_extra (label-conv passes them through).
  std::string extra;
};

struct Category {
  int64_t id = 0;
  std::string name;           // "" when absent
  std::string supercategory;  // "" when absent
  std::string extra;          // other members, as Image::extra (keep_extra only)
};

// Where a value's JSON text is in the text that was parsed: bytes [offset, offset + size).
struct TextSpan {
  uint64_t offset = 0;
  uint32_t size = 0;  // 0: none
};

struct Annotation {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  double bbox[4] = {0, 0, 0, 0};  // x, y, w, h
  double area = 0;                // the `area` field; w*h when absent (has_area false)
  bool has_area = false;
  bool iscrowd = false;           // absent: false
  bool difficult = false;         // not COCO, but VOC-derived files carry it; absent: false
  // The `segmentation` value as compact JSON text (values kept, whitespace and number spelling
  // may differ from the file); "" when absent or when ParseOptions::keep_segmentation is off.
  std::string segmentation;
  // With ParseOptions::segmentation_spans: where the `segmentation` value's raw text is instead
  // (as written, whitespace included; `segmentation` then stays "" unless its key was spelled
  // with escapes).
  TextSpan segmentation_at;
  std::string extra;  // other members ("attributes", "score", ...), as Image::extra (keep_extra only)
};

struct Instances {
  std::vector<Image> images;
  std::vector<Category> categories;
  std::vector<Annotation> annotations;
  bool has_annotations = false;  // the file has an "annotations" array (test-dev files do not)
  // Top-level members other than the three arrays ("info", "licenses", ...), as Image::extra
  // (keep_extra only).
  std::string extra;
};

// One entry of a COCO results file (what a detector writes, what COCO.loadRes reads).
struct Detection {
  int64_t image_id = 0;
  int64_t category_id = 0;
  double bbox[4] = {0, 0, 0, 0};  // x, y, w, h
  double score = 0;
};

struct ParseOptions {
  bool keep_segmentation = true;   // box evaluation does not need it; skipping it is faster
  bool keep_extra = false;         // fill the `extra` members (unknown keys, kept as JSON text)
  uint64_t max_file_bytes = 8ull << 30;
  // Note where each `segmentation` is (Annotation::segmentation_at) instead of copying it: for a
  // caller that keeps the text (MappedInstances), so a big file's polygons are not held twice.
  bool segmentation_spans = false;
  // The arrays are parsed in batches of about this many bytes of whole elements: the parser's
  // memory follows the batch, not the file.
  size_t batch_bytes = size_t(1) << 20;
  // Called after each batch with the number of leading bytes of the text that were read and
  // will not be read again by the parse (MappedInstances releases those pages).
  std::function<void(uint64_t)> on_progress;
};

// Instances files stream: the top-level members may come in any order, and only a batch of
// elements is parsed at a time (see ParseOptions::batch_bytes); what is kept is Instances.
// Errors (code "bad-json" for malformed text, "bad-coco" for a well-formed file that is not
// COCO, "io" for unreadable files) start with the source name and a JSON path:
//   "gt.json: annotations[17].bbox: expected 4 numbers"
//   "dt.json: malformed JSON at line 3, column 18: NaN is not a JSON number"
// Ids must be integers; bbox values, area and score finite numbers.
Result<Instances> ParseInstances(std::string_view json, std::string_view source,
                                 const ParseOptions& options = {});
Result<Instances> ReadInstancesFile(const std::string& path, const ParseOptions& options = {});

// A results file: a JSON array of {"image_id", "category_id", "bbox", "score"} objects (other
// keys, such as "segmentation" or "id", are ignored).
Result<std::vector<Detection>> ParseResults(std::string_view json, std::string_view source);
Result<std::vector<Detection>> ReadResultsFile(const std::string& path,
                                               const ParseOptions& options = {});

}  // namespace imgpipe::coco
