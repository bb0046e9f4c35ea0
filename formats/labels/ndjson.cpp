// The record stream itself as a label format: one NDJSON record per image (DESIGN.md).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "formats/labels/conventions_io.h"
#include "formats/labels/dataset.h"
#include "libcommon/stream_reader.h"
#include "libcommon/stream_writer.h"

namespace imgpipe::labels {
namespace {

bool DetectNdjson(const std::string& path) {
  // metadata.jsonl is a Hugging Face imagefolder's index, not a record stream.
  if (path.ends_with("metadata.jsonl")) return false;
  return path == "-" || path.ends_with(".ndjson") || path.ends_with(".jsonl") || path.ends_with(".ipf");
}

Result<Dataset> ReadNdjson(const std::string& path, const ReadOptions& options) {
  int fd = 0;
  std::string source = "stdin";
  if (path != "-" && !path.empty()) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return MakeError("io", path + ": " + std::strerror(errno));
    source = path;
  }
  ReaderOptions ro;
  ro.tool = "label-conv";
  RecordReader reader(fd, source, ro);
  Dataset ds;
  ClassTable classes(ds, options);
  // label -> COCO category id carried by the boxes: when every box has one, classes are ordered
  // by it so coco -> ndjson -> coco keeps the category list's order and ids.
  std::map<std::string, int64_t> cat_ids;
  bool all_have_ids = true;
  Status failed;
  for (size_t n = 0;; ++n) {
    Record r;
    auto got = reader.Next(&r);
    if (!got) {
      failed = got.error();
      break;
    }
    if (!*got) break;
    std::string where = source + ": record " + std::to_string(n + 1);
    if (r.malformed_input) {
      auto line = r.GetInt("line");
      std::string w = source + ":" + (line ? std::to_string(*line) : "?");
      if (Status s = Problem(options, w, "bad-json", "not a JSON object record"); !s) {
        failed = s;
        break;
      }
      continue;
    }
    auto boxes = ReadBoxes(r);
    if (!boxes) {
      if (Status s = Problem(options, where, "bad-box", boxes.error().message); !s) {
        failed = s;
        break;
      }
      r.Erase("boxes");
      boxes = std::vector<BoxRecord>{};
    }
    SourceLocation loc;
    if (options.locate) loc.image = where;
    bool keep_all = true;
    std::vector<BoxRecord> kept;
    for (size_t i = 0; i < boxes->size(); ++i) {
      BoxRecord& b = (*boxes)[i];
      std::string bw = where + ": boxes[" + std::to_string(i) + "]";
      auto label = b.Label();
      if (!label) {
        if (Status s = Problem(options, bw, "no-label", "box without a string `label`"); !s) {
          failed = s;
          break;
        }
        keep_all = false;
        continue;
      }
      auto id = classes.Resolve(*label, bw + ".label");
      if (!id) {
        failed = id.error();
        break;
      }
      if (*id < 0) {
        keep_all = false;
        continue;
      }
      if (auto cid = b.fields.GetInt("category_id")) cat_ids.emplace(*label, *cid);
      else all_have_ids = false;
      if (options.locate) loc.boxes.push_back(bw);
      kept.push_back(std::move(b));
    }
    if (!failed) break;
    if (!keep_all) WriteBoxes(r, kept);
    ds.images.push_back(std::move(r));
    if (options.locate) ds.locations.push_back(std::move(loc));
  }
  if (fd > 0) ::close(fd);
  if (!failed) return failed.error();
  if (!classes.fixed() && all_have_ids && !cat_ids.empty() && cat_ids.size() == ds.classes.size()) {
    std::vector<std::pair<int64_t, std::string>> order;
    for (const auto& [name, id] : cat_ids) order.emplace_back(id, name);
    std::sort(order.begin(), order.end());
    bool unique = std::adjacent_find(order.begin(), order.end(), [](auto& a, auto& b) {
                    return a.first == b.first;
                  }) == order.end();
    if (unique) {
      ds.classes.clear();
      for (const auto& [id, name] : order) {
        ds.classes.push_back(name);
        Record info;
        info.SetInt("id", id);
        ds.class_info.push_back(std::move(info));
      }
    }
  }
  return ds;
}

Status WriteNdjson(const Dataset& ds, const std::string& out, const WriteOptions&, LossReport&) {
  if (out.empty() || out == "-") {
    RecordWriter writer(1);
    for (const Record& r : ds.images)
      if (Status s = writer.Write(r); !s) return s;
    return writer.Flush();
  }
  std::string text;
  for (const Record& r : ds.images) {
    text += r.ToJson();
    text.push_back('\n');
  }
  return WriteSingleFile(out, text);
}

}  // namespace

extern const Format kNdjsonFormat{
    "ndjson", "the imgpipe record stream: one JSON record per image (stdin/stdout with -)",
    DetectNdjson, ReadNdjson, WriteNdjson};

}  // namespace imgpipe::labels
