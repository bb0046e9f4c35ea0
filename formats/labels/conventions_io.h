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
// The first `n` bytes of a file (for detection); "" when unreadable.
std::string ReadHead(const std::string& path, size_t n);
// 1-based line of byte `offset` in `text`.
size_t LineOf(std::string_view text, size_t offset);

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
  bool crowd = false, difficult = false, truncated = false, occluded = false, pose = false;
  bool attrs = false, segmentation = false, score = false, parts = false, actions = false;
  bool polygons = false, points = false, image_labels = false;
  std::vector<std::string_view> other_box_keys;  // further box keys the writer keeps
};
// Counts what `format` would drop of this record: record-level polygons/points/labels, box flags
// and attributes. A crowd box in a format without crowd support is dropped whole ("crowd
// region"); IsDroppedCrowd says which.
void CountLosses(const Record& record, const std::vector<BoxRecord>& boxes, const Support& support,
                 LossReport& losses);
bool IsDroppedCrowd(const BoxRecord& box, const Support& support);
// Without --allow-lossy, any loss is an error (code "lossy") listing what would be dropped;
// otherwise the counts go to `total`.
Status SettleLosses(const LossReport& local, const WriteOptions& options, LossReport& total,
                    std::string_view format);
std::string DescribeLosses(const LossReport& losses);

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
