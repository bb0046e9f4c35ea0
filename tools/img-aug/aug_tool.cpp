// img-aug's record loop: a source that repeats records for --copies (or per replay entry), and
// the per-record work: draw (or read) the steps, apply them, write pixels, boxes and `aug`.
#include "tools/img-aug/aug_tool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "libcommon/boxes.h"
#include "libcommon/diagnostics.h"
#include "libcommon/json.h"
#include "libcommon/random.h"
#include "libcommon/stream_writer.h"

namespace imgpipe {
namespace {

constexpr const char* kCopyKey = "aug_copy";

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Yields each input record `copies` times (or once per replay entry) with its copy number in a
// transient key; records that cannot be augmented (no pixels, an upstream error) once.
class CopySource : public RecordSource {
 public:
  CopySource(RecordSource* inner, const AugToolConfig& config, const ReplayIndex* replay)
      : inner_(inner), config_(config), replay_(replay) {}

  Result<bool> Next(Record* record) override {
    while (true) {
      if (index_ < total_) {
        // The last (usually the only) copy takes the record itself: no copy of the pixels.
        if (index_ + 1 == total_) *record = std::move(current_);
        else *record = current_;
        if (replay_) {
          if (!entries_->empty()) record->SetRaw("aug", (*entries_)[index_]);
          else record->SetRaw(kCopyKey, "-1");  // no entry: the work function reports it
        } else {
          record->SetInt(kCopyKey, int64_t(index_));
        }
        ++index_;
        return true;
      }
      auto more = inner_->Next(&current_);
      if (!more) return more.error();
      if (!*more) return false;
      index_ = 0;
      const bool usable = !current_.Has("error") && current_.payload_info.kind == PayloadKind::kPixels;
      if (!usable) {
        total_ = 0;
        *record = std::move(current_);
        return true;
      }
      if (replay_) {
        auto it = replay_->find(RecordKey(current_));
        static const std::vector<std::string> kNone;
        entries_ = it == replay_->end() ? &kNone : &it->second;
        total_ = std::max<size_t>(1, entries_->size());
      } else {
        total_ = size_t(config_.copies);
      }
    }
  }

 private:
  RecordSource* inner_;
  const AugToolConfig& config_;
  const ReplayIndex* replay_;
  Record current_;
  const std::vector<std::string>* entries_ = nullptr;
  size_t index_ = 0, total_ = 0;
};

}  // namespace

uint64_t RecordKey(const Record& record) {
  if (auto id = record.GetString("id")) return HashKey("id:" + *id);
  if (const std::string* raw = record.FindRaw("id")) return HashKey("id:" + *raw);
  if (auto sha = record.GetString("sha256")) return HashKey("sha256:" + *sha);
  return HashKey(std::string_view(reinterpret_cast<const char*>(record.payload.data()), record.payload.size()));
}

Result<ReplayIndex> LoadReplay(const std::string& path, const ReaderOptions& reader_options) {
  const int fd = path == "-" ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("io", "--replay: cannot open " + path + ": " + std::strerror(errno));
  RecordReader reader(fd, path, reader_options);
  ReplayIndex index;
  Record r;
  while (true) {
    auto more = reader.Next(&r);
    if (!more) {
      if (fd != STDIN_FILENO) close(fd);
      return more.error();
    }
    if (!*more) break;
    const std::string* aug = r.FindRaw("aug");
    if (!aug) continue;
    Record a;
    auto parsed = Record::FromJson(*aug);
    if (!parsed) continue;
    auto key = parsed->GetString("key");
    if (!key) continue;
    index[std::strtoull(key->c_str(), nullptr, 16)].push_back(*aug);
  }
  if (fd != STDIN_FILENO) close(fd);
  return index;
}

Status AugRecord(const AugToolConfig& config, Record& record, AugCounters* counters) {
  // The source's transient copy number never reaches the output, whatever happens below.
  const int64_t copy_key = record.GetInt(kCopyKey).value_or(0);
  record.Erase(kCopyKey);
  if (record.payload_info.kind != PayloadKind::kPixels)
    return MakeError("bad-record", record.HasPayload() ? std::string("payload is ") +
                                                              PayloadKindName(record.payload_info.kind) +
                                                              ", not pixels (run img-decode first)"
                                                        : "record has no pixels (run img-decode first)");
  if (record.payload_info.dtype != "u8")
    return MakeError("unsupported", "img-aug works on u8 pixels, not " + record.payload_info.dtype);
  const int C = record.payload_info.channels;
  if (C < 1 || C > 4) return MakeError("unsupported", "channels must be 1..4");

  const uint64_t key = RecordKey(record);
  std::vector<aug::Step> steps;
  uint32_t copy = 0;
  int copies = config.copies;
  uint64_t seed = config.seed;
  if (!config.replay_file.empty()) {
    if (copy_key < 0) {
      return MakeError("no-replay", "no `aug` with key " + Hex16(key) + " in " + config.replay_file);
    }
    const std::string* raw = record.FindRaw("aug");
    auto logged = raw ? Record::FromJson(*raw) : Result<Record>(MakeError("bad-aug", "no aug"));
    if (!logged) return MakeError("bad-aug", "replayed `aug` is not an object");
    const std::string* ops = logged->FindRaw("ops");
    if (!ops) return MakeError("bad-aug", "replayed `aug` has no ops");
    auto parsed = aug::StepsFromJson(*ops);
    if (!parsed) return parsed.error();
    steps = std::move(*parsed);
    copy = uint32_t(logged->GetInt("copy").value_or(0));
    copies = int(logged->GetInt("copies").value_or(1));
    seed = uint64_t(logged->GetInt("seed").value_or(0));
  } else {
    copy = uint32_t(copy_key);
  }

  Image image;
  image.width = record.payload_info.width;
  image.height = record.payload_info.height;
  image.channels = C;
  image.data = std::move(record.payload);
  const int in_w = image.width, in_h = image.height;
  auto boxes = ReadBoxes(record);
  if (!boxes) {
    record.payload = std::move(image.data);
    return boxes.error();
  }
  // Boxes refer to the record's width x height when given (img-decode keeps them equal).
  const int ref_w = int(record.GetInt("width").value_or(in_w)), ref_h = int(record.GetInt("height").value_or(in_h));
  if ((ref_w != in_w || ref_h != in_h) && ref_w > 0 && ref_h > 0)
    for (BoxRecord& b : *boxes) b.box = ScaleBox(b.box, double(in_w) / ref_w, double(in_h) / ref_h);

  if (config.replay_file.empty()) steps = aug::DrawSteps(config.ops, seed, key, copy, in_w, in_h);
  const bool had_boxes = record.Has("boxes");
  auto applied = aug::ApplySteps(steps, std::move(image), std::move(*boxes), config.apply);
  if (!applied) return applied.error();
  Image& out = applied->image;

  if (had_boxes) WriteBoxes(record, applied->boxes);
  if (copies > 1) {
    const std::string base = record.GetString("id").value_or(Hex16(key));
    record.SetString("id", base + "_" + std::to_string(copy));
  }
  record.SetInt("width", out.width);
  record.SetInt("height", out.height);
  std::string a = "{\"seed\":" + std::to_string(seed) + ",\"key\":\"" + Hex16(key) + "\",\"copy\":" +
                  std::to_string(copy);
  if (copies > 1) a += ",\"copies\":" + std::to_string(copies);
  a += ",\"in\":[" + std::to_string(in_w) + "," + std::to_string(in_h) + "],\"ops\":" + aug::StepsToJson(steps);
  if (!applied->dropped.empty()) {
    a += ",\"boxes_dropped\":[";
    for (size_t i = 0; i < applied->dropped.size(); ++i) {
      const auto& d = applied->dropped[i];
      if (i) a += ",";
      a += "{\"index\":" + std::to_string(d.index);
      if (!d.label_json.empty()) a += ",\"label\":" + d.label_json;
      a += ",\"visibility\":" + JsonNumber(std::round(d.visibility * 1e4) / 1e4) +
           ",\"area\":" + JsonNumber(std::round(d.area * 100) / 100) + "}";
    }
    a += "]";
    if (counters) counters->boxes_dropped += applied->dropped.size();
  }
  a += "}";
  record.SetRaw("aug", a);
  record.payload_info.width = out.width;
  record.payload_info.height = out.height;
  record.payload = std::move(out.data);
  return Status::Ok();
}

int RunAug(const AugToolConfig& config) {
  ReplayIndex replay;
  if (!config.replay_file.empty()) {
    auto loaded = LoadReplay(config.replay_file, config.reader);
    if (!loaded) {
      ReportError(config.driver.tool, loaded.error().message);
      return kExitUsage;
    }
    replay = std::move(*loaded);
  }
  PrepareStandardStreams();
  RecordReader reader(STDIN_FILENO, "stdin", config.reader);
  StreamSource stream(&reader);
  CopySource source(&stream, config, config.replay_file.empty() ? nullptr : &replay);
  RecordWriter writer(STDOUT_FILENO);
  AugCounters counters;
  RunSummary summary = RunRecordMap(
      config.driver, source, [&](Record& r) { return AugRecord(config, r, &counters); }, writer);
  if (counters.boxes_dropped > 0 && !config.driver.quiet && !summary.output_closed)
    Report(config.driver.tool, Severity::kNote,
           std::to_string(counters.boxes_dropped.load()) + " boxes dropped (listed in each record's aug.boxes_dropped)");
  return summary.ExitCode();
}

}  // namespace imgpipe
