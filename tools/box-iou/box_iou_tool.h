// box-iou: IoU matrices, one-to-one matching, and (soft-)NMS over the boxes of each record.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/driver.h"
#include "libcommon/kernels/iou.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

// How the four numbers of a box are read: xyxy (x0,y0,x1,y1 - the stream's convention),
// xywh (x,y,w,h: COCO), cxcywh (cx,cy,w,h: YOLO / DETR). Object boxes use those key names;
// array boxes [c0,c1,c2,c3, score?, label?] use the positions.
enum class BoxFormat { kXyxy, kXywh, kCxcywh };
bool ParseBoxFormat(std::string_view name, BoxFormat* format);

// One box as read: absolute xyxy plus what NMS and matching need; `raw` is its exact JSON text.
struct ParsedBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool has_score = false;
  double score = 0;
  std::string label;  // "" when none
  std::string raw;
  bool is_array = false;
};

struct BoxReadOptions {
  BoxFormat format = BoxFormat::kXyxy;
  bool normalized = false;  // fractions of width/height (given by the caller)
  double width = 0, height = 0;
};

// Reads `array_raw` (the text of a JSON array of boxes, or null). `where` names it in errors
// ("boxes", "gt_boxes"): "boxes[3]: missing `w` (--format xywh expects x, y, w, h)".
Result<std::vector<ParsedBox>> ParseBoxes(std::string_view array_raw, std::string_view where,
                                          const BoxReadOptions& options);

enum class BoxIouMode { kMatrix, kMatch, kNms, kConvert };
enum class MatchMethod { kGreedy, kHungarian };
enum class SoftNms { kNone, kLinear, kGaussian };

struct BoxIouConfig {
  std::string a_key = "boxes";     // predictions / the boxes filtered by NMS
  std::string b_key = "gt_boxes";  // the second list in the same record
  std::string gt_file;             // --gt: the second list comes from this stream, joined by id
  std::string gt_key = "boxes";    // key of the boxes in the --gt records
  bool missing_gt_empty = false;   // an id absent from --gt: no boxes instead of an error
  BoxFormat format = BoxFormat::kXyxy;
  bool normalized = false;
  // How box lists are written back (the --a list, the --b list when it is in the record, the
  // boxes NMS keeps). Unless `rewrite`, boxes keep their exact input text.
  BoxFormat out_format = BoxFormat::kXyxy;
  bool out_normalized = false;
  bool rewrite = false;  // out_format/out_normalized differ from format/normalized
  IouKind kind = IouKind::kIou;
  std::string out_key;  // matrix key; default the metric's name ("iou", "giou", ...)
  BoxIouMode mode = BoxIouMode::kMatrix;
  MatchMethod match = MatchMethod::kGreedy;
  double thr = 0.5;
  bool same_label = false;
  double nms_iou = 0.5;
  bool class_agnostic = false;
  SoftNms soft = SoftNms::kNone;
  double sigma = 0.5;
  double score_thr = 0;
  DriverConfig driver;
  ReaderOptions reader;
};

// Ground truth loaded from --gt: each record's boxes text and size, by id.
struct GtIndex {
  struct Entry {
    std::string boxes_raw;  // "null" when the record has none
    double width = 0, height = 0;
  };
  std::map<std::string, Entry> by_id;
  std::string source;
};
Result<GtIndex> LoadGtIndex(const std::string& path, const std::string& key,
                            const ReaderOptions& options);

// The JSON text of `box` in the output convention (array boxes keep their score/label and
// extra elements; object boxes keep their other keys), with `new_score` when not null.
// `size` holds the record's width and height (needed for normalised output).
std::string BoxOutputText(const ParsedBox& box, const BoxIouConfig& config,
                          const BoxReadOptions& size, const double* new_score = nullptr);

// One record. `gt` is null unless --gt was given.
Status BoxIouRecord(const BoxIouConfig& config, const GtIndex* gt, Record& record);

// Suppression on one box list (exposed for tests): indices of the kept boxes in input order and
// their (possibly decayed) scores. Boxes need scores.
struct NmsResult {
  std::vector<int> kept;
  std::vector<double> scores;  // per kept box
};
Result<NmsResult> RunNms(const std::vector<ParsedBox>& boxes, const BoxIouConfig& config);

// The whole program over stdin/stdout; returns the exit code.
int RunBoxIou(const BoxIouConfig& config);

}  // namespace imgpipe
