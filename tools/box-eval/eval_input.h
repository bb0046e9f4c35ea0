// Builds the evaluation input from COCO JSON files or from two record streams joined by `id`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/coco/coco_json.h"
#include "libcommon/result.h"
#include "libcommon/stream_reader.h"
#include "tools/box-eval/eval_data.h"

namespace imgpipe::box_eval {

// COCO GT + results, as pycocotools sees them: images and categories in ascending id, GT
// annotations of unknown images or categories left out (as getAnnIds does), detections numbered
// 1..N in file order with area w*h (as loadRes does). A detection on an image that is not in the
// GT is an error (loadRes refuses it); one of an unknown category is left out with a warning.
// VOC corners: xmin = x, ymin = y, xmax = x + w, ymax = y + h.
Result<EvalDataset> DatasetFromCoco(const coco::Instances& gt, const std::vector<coco::Detection>& dt,
                                    std::string_view dt_source);

// Record streams: GT records and prediction records joined by `id`; boxes in `boxes` with
// `label` (the category), `score` (predictions), optional `iscrowd`, `difficult` and `area`
// (else (x1-x0)*(y1-y0)). Categories are the labels in sorted order. Images are ordered by id,
// numerically when every id is an integer. Records carrying `error` are skipped and counted in
// failed_records. A prediction for an id without a GT record is an error; repeated prediction
// records of one id add up. VOC corners: xmin = x0, ymin = y0, xmax = x1 - 1, ymax = y1 - 1.
// Paths may be "-" (stdin); at most one of them.
Result<EvalDataset> DatasetFromStreams(const std::string& gt_path, const std::string& pred_path,
                                       const ReaderOptions& options);
Result<EvalDataset> DatasetFromStreamFds(int gt_fd, const std::string& gt_name, int pred_fd,
                                         const std::string& pred_name, const ReaderOptions& options);

}  // namespace imgpipe::box_eval
