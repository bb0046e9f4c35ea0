// The evaluation input every metric reads: GT and detection boxes tagged with image and category.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imgpipe::box_eval {

struct EvalBox {
  double x, y, w, h;  // COCO [x, y, w, h], what the COCO metric's IoU reads
  double voc[4];      // VOC corners xmin, ymin, xmax, ymax (the +1-pixel convention), see man page
  double area;        // COCO area ranges: the box's `area`, or w*h
  double score;       // detections only
  int64_t id;         // GT: annotation id (0 counts as "unmatched", as in pycocotools); dt: 1..N
  uint32_t image;     // index into EvalDataset::images (evaluation order)
  uint32_t category;  // index into EvalDataset::categories
  bool crowd;         // iscrowd
  bool difficult;     // VOC difficult; an ignored (not crowd) GT under the COCO metric
};

struct EvalCategory {
  int64_t id;        // COCO category id; streams: 1-based rank of the label in sorted order
  std::string key;   // how the category is named in JSON output: decimal id or the label
  std::string name;  // display name
};

struct EvalDataset {
  std::vector<std::string> images;        // image names in evaluation order (ascending id)
  std::vector<EvalCategory> categories;   // ascending id
  std::vector<EvalBox> gt, dt;            // in input order
  std::vector<std::string> warnings;      // things a person should know (skipped boxes, ...)
  uint64_t failed_records = 0;            // stream records that arrived with `error` (skipped)
};

// Indices of `boxes` ordered by (category, image), input order kept within each group: the
// order both COCOeval and voc_eval.py visit boxes in.
std::vector<uint32_t> GroupByCategoryAndImage(const std::vector<EvalBox>& boxes);

}  // namespace imgpipe::box_eval
