// box-eval: detection metrics (COCO's 12 numbers, per-class AP, VOC AP) from GT + predictions.
#pragma once

#include <string>

#include "libcommon/stream_reader.h"
#include "tools/box-eval/coco_eval.h"
#include "tools/box-eval/eval_data.h"
#include "tools/box-eval/voc_eval.h"

namespace imgpipe::box_eval {

enum class Metric { kCoco, kVoc07, kVoc10 };

struct BoxEvalConfig {
  // Either COCO files (coco_gt + coco_dt) or record streams (gt + pred; "-" is stdin).
  std::string coco_gt, coco_dt, gt, pred;
  Metric metric = Metric::kCoco;
  CocoParams coco;
  VocParams voc;
  bool json = false;          // JSON on stdout instead of the text report
  bool summary_only = false;  // text report without the per-class table
  bool timings = false;       // CPU seconds of loading and of evaluating, on stderr
  std::string pr_curve;       // write precision-recall curves here as CSV ("" : no)
  uint64_t max_file_bytes = 8ull << 30;
  bool quiet = false;
  ReaderOptions reader;
  std::string tool = "box-eval";
};

// Loads the inputs the config names (errors name the file and the JSON path or record).
Result<EvalDataset> LoadDataset(const BoxEvalConfig& config);

// Reports. Text follows pycocotools' summarize() lines, then a per-class table.
std::string CocoText(const CocoEval& ev, const EvalDataset& data, bool per_class);
std::string CocoJson(const CocoEval& ev, const EvalDataset& data);
std::string CocoPrCsv(const CocoEval& ev, const EvalDataset& data);
std::string VocText(const VocEval& ev, const EvalDataset& data);
std::string VocJson(const VocEval& ev, const EvalDataset& data);
std::string VocPrCsv(const VocEval& ev, const EvalDataset& data);

// The whole program; returns the exit code (0 ok, 1 some input records carried `error` and were
// skipped, 2 usage or input error).
int RunBoxEval(const BoxEvalConfig& config);

}  // namespace imgpipe::box_eval
