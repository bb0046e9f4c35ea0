// Helpers every label format shares: JSON text building, class tables, problems (errors or
// --check issues), lossy-write accounting, safe multi-file output, image-size probing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/labels/dataset.h"
#include "libcommon/boxes.h"
#include "libcommon/geometry.h"

namespace imgpipe::labels {

// Appends one JSON object to a string, member by member (no Record per box: big COCO files
// make one string per image, not one allocation per annotation member).
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  void Raw(std::string_view key, std::string_view raw);
  void String(std::string_view key, std::string_view value);
  void Number(std::string_view key, double value);
  void Int(std::string_view key, int64_t value);
  void Bool(std::string_view key, bool value) { Raw(key, value ? "true" : "false"); }
  // `"k":v,"k2":v2` text (e.g. coco::Image::extra), appended as it is.
  void Members(std::string_view members);
  void Close() { out_->push_back('}'); }

 private:
  void Key(std::string_view key);
  std::string* out_;
  bool first_ = true;
};

// {"label":..,"x0":..,"y0":..,"x1":..,"y1":.. : the start of a box in the stream's convention.
void BeginBox(JsonObjectWriter& w, std::string_view label, const BoxXYXY& b);

// A problem in the data at `where`. With ReadOptions::issues it is recorded and Ok is returned
// (the caller skips the item and reads on); otherwise it is the error (code "bad-labels").
Status Problem(const ReadOptions& options, const std::string& where, const std::string& code,
               const std::string& message);

// Label names to class ids under --classes (fixed list: unknown labels are problems) or not
// (new names are added in order of first appearance).
class ClassTable {
 public:
  ClassTable(Dataset& dataset, const ReadOptions& options);
  // The class id, or -1 when the label was unknown and recorded as an issue (skip the box).
  Result<int> Resolve(const std::string& label, const std::string& where);
  bool fixed() const { return fixed_; }

 private:
  Dataset& dataset_;
  const ReadOptions& options_;
  bool fixed_;
};

// A class list file: one name per line (classes.txt, obj.names; blank lines skipped, \r
// stripped), or a YAML file (.yaml/.yml) with a `names` list or {id: name} map (data.yaml).
Result<std::vector<std::string>> ReadClassesFile(const std::string& path);
// The `names` of a data.yaml: `names: [a, b]`, a block list `- a`, or a map `0: a`.
Result<std::vector<std::string>> ParseYamlNames(std::string_view text, const std::string& source);

Result<std::string> ReadTextFile(const std::string& path, uint64_t max_bytes);
// Calls fn(line, line_number) for each line of `text` ('\n'-separated, 1-based numbers, the
// line without its '\n'; a trailing '\r' is left to the caller). Lines of blanks only (spaces,
// tabs, '\r') are skipped when `skip_blank`. fn returns false to stop early.
template <typename Fn>
void ForEachLine(std::string_view text, bool skip_blank, Fn&& fn) {
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (skip_blank && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (!fn(line, line_no)) return;
  }
}
// A class list file's text: one name per line (classes.txt, synsets.txt).
std::string ClassListText(const std::vector<std::string>& classes);
// A dataset's root for relative paths: `path` itself when a folder, else its folder ("." when none).
std::string RootOf(const std::string& path);
// The names in folder `dir` (not recursive), sorted: its subfolders when `folders`, else its
// regular files. Empty when `dir` cannot be read.
std::vector<std::string> NamesIn(const std::string& dir, bool folders);
// `path` itself when it is a file; else every file below the folder whose name ends in `ext`
// (".json"), recursively, sorted.
std::vector<std::string> FilesBelow(const std::string& path, std::string_view ext);
// The first `n` bytes of a file (for detection); "" when unreadable.
std::string ReadHead(const std::string& path, size_t n);
// 1-based line of byte `offset` in `text`.
size_t LineOf(std::string_view text, size_t offset);

// Image file extensions the label formats look for, lower case (".jpg", ".png", ...).
const std::vector<std::string>& ImageExtensions();
// True when the file name ends in one of ImageExtensions(), in any case.
bool IsImageFile(std::string_view name);

// {width, height} from an image file's header (JPEG, PNG, GIF, BMP, WebP, ...); nullopt when
// the file is missing or not an image.
std::optional<std::pair<int, int>> ProbeImageSize(const std::string& path);

// Files gathered in memory, then written together: every name is checked first (SafeJoin: no
// absolute names, no `..`, no symlinks), so a refused name or a refused lossy conversion leaves
// nothing half-written; each file is written atomically.
class OutputFiles {
 public:
  void Add(std::string relative, std::string content) {
    files_.emplace_back(std::move(relative), std::move(content));
  }
  Status Commit(const std::string& root) const;
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> files_;
};
// One output file named by the user (not by the data): atomic write.
Status WriteSingleFile(const std::string& path, std::string_view content);

// What a writer can hold, for lossy-write accounting.
struct Support {
  bool boxes = true;  // false: every box is lost ("box"; imagenet holds image labels only)
  bool crowd = false, difficult = false, truncated = false, occluded = false, pose = false;
  bool attrs = false, segmentation = false, score = false, parts = false, actions = false;
  bool polygons = false, points = false, polylines = false, image_labels = false;
  // Shapes other formats keep verbatim under their private key and only they write back: CVAT's
  // ellipses/cuboids/masks/skeletons ("cvat".xml) and LabelMe's circles/masks ("labelme".shapes).
  bool cvat_shapes = false, labelme_shapes = false;
  std::vector<std::string_view> other_box_keys;  // further box keys the writer keeps
};
// Counts what `format` would drop of this record: record-level polygons/points/labels, boxes
// (Support::boxes), box flags and attributes. A crowd box in a format without crowd support is
// dropped whole ("crowd region"); IsDroppedCrowd says which.
void CountLosses(const Record& record, const std::vector<BoxRecord>& boxes, const Support& support,
                 LossReport& losses);
// Counts the polylines and the CVAT/LabelMe verbatim shapes ("other shape") `support` does not
// hold. Separate from CountLosses because coco.cpp counts these itself (CountShapeLosses);
// GatherForWrite calls both.
void CountUnheldShapes(const Record& record, const Support& support, LossReport& losses);
bool IsDroppedCrowd(const BoxRecord& box, const Support& support);
// Without --allow-lossy, any loss is an error (code "lossy") listing what would be dropped;
// otherwise the counts go to `total`.
Status SettleLosses(const LossReport& local, const WriteOptions& options, LossReport& total,
                    std::string_view format);
std::string DescribeLosses(const LossReport& losses);

// The first half of every writer: each record's boxes (errors name the record), what `support`
// cannot hold counted (plus what `extra`, when given, counts for a record: a format's own
// losses), and the lossy decision (SettleLosses). On success, the boxes per record.
using ExtraLosses = void (*)(const Record& record, const std::vector<BoxRecord>& boxes, LossReport& losses);
Result<std::vector<std::vector<BoxRecord>>> GatherForWrite(const Dataset& dataset, const Support& support,
                                                           const WriteOptions& options, LossReport& losses,
                                                           std::string_view format, ExtraLosses extra = nullptr);

// "record 3 (id \"x\")": names a record when no source location is known.
std::string RecordName(const Record& record, size_t index);
// Boxes of a record, errors prefixed with the record's name.
Result<std::vector<BoxRecord>> RecordBoxes(const Record& record, size_t index);
// True for JSON true, a non-zero number or "1"/"true"/"yes".
bool Truthy(const std::string* raw);

// A number with at most `decimals` decimals, trailing zeros trimmed ("0.5", "12", "-0.25").
std::string FormatDecimal(double v, int decimals);
// Shortest text that reads back as the same double, integers without ".0".
std::string FormatShortest(double v);

// Path helpers on '/'-separated relative names.
std::string Basename(std::string_view path);
std::string StripExtension(std::string_view path);
std::string Dirname(std::string_view path);  // "" when none

}  // namespace imgpipe::labels
