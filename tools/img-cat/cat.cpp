// img-cat: a RecordSource that chains the inputs, and a per-record step that loads image files
// (or extracts payloads).
#include "tools/img-cat/cat.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "formats/codec/sniff.h"
#include "formats/encoded_file.h"
#include "libcommon/diagnostics.h"
#include "libcommon/files.h"
#include "libcommon/frame.h"

namespace imgpipe {
namespace {

bool IsStreamFile(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".ndjson" || ext == ".jsonl" || ext == ".ipf") return true;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint8_t magic[4] = {};
  bool frames = ::read(fd, magic, 4) == 4 && std::memcmp(magic, kFrameMagic, 4) == 0;
  ::close(fd);
  return frames;
}

// Inputs in order: "-" and stream files are read record by record; any other argument is an image
// file, which becomes {"path": ...} and is loaded on a worker.
class CatSource : public RecordSource {
 public:
  explicit CatSource(const CatConfig& config) : config_(config) {
    inputs_ = config.inputs;
    if (inputs_.empty()) inputs_.push_back("-");
  }
  ~CatSource() override { CloseStream(); }

  Result<bool> Next(Record* record) override {
    if (config_.head >= 0 && produced_ >= uint64_t(config_.head)) return false;
    for (;;) {
      if (reader_) {
        auto got = reader_->Next(record);
        if (!got || *got) {
          if (got) ++produced_;
          return got;
        }
        CloseStream();
        continue;
      }
      if (next_ >= inputs_.size()) return false;
      const std::string& input = inputs_[next_++];
      if (input == "-" || IsStreamFile(input)) {
        if (Status s = OpenStream(input); !s) return s.error();
        continue;
      }
      *record = Record();
      record->SetString("path", input);
      ++produced_;
      return true;
    }
  }

 private:
  Status OpenStream(const std::string& input) {
    fd_ = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return MakeError("io", input + ": " + std::strerror(errno));
    ReaderOptions options = config_.reader;
    options.plain_line_key = "path";  // a plain list of file names works too
    // Only headers are printed: check payloads but do not keep them.
    options.skip_payloads = config_.headers && config_.extract_dir.empty();
    reader_ = std::make_unique<RecordReader>(fd_, input == "-" ? "stdin" : input, options);
    return Status::Ok();
  }
  void CloseStream() {
    reader_.reset();
    if (fd_ > STDIN_FILENO) ::close(fd_);
    fd_ = -1;
  }

  const CatConfig& config_;
  std::vector<std::string> inputs_;
  size_t next_ = 0;
  uint64_t produced_ = 0;
  int fd_ = -1;
  std::unique_ptr<RecordReader> reader_;
};

// File name stem for an extracted payload: the id made safe, else the sha256, else the record's
// number in the stream.
std::string ExtractStem(const Record& record, uint64_t number) {
  std::string id = record.GetString("id").value_or("");
  if (id.empty()) id = record.GetString("sha256").value_or("record-" + std::to_string(number));
  for (char& c : id)
    if (c == '/' || c == '\\' || c == '\0') c = '_';
  if (id == "." || id == "..") id = "_" + id;
  return id;
}

const char* ExtractExtension(const Record& record) {
  switch (record.payload_info.kind) {
    case PayloadKind::kEncoded: return ExtensionOf(SniffFormat(record.payload));
    case PayloadKind::kPixels: return "pam";
    case PayloadKind::kTensor: return "tensor";
    default: return "bin";
  }
}

// Names handed out by --extract, in input order: a repeated stem gets -1, -2, ... so no payload
// overwrites another.
class ExtractNamer {
 public:
  explicit ExtractNamer(std::string dir) : dir_(std::move(dir)) {}
  Result<std::filesystem::path> Next(const std::string& stem, const std::string& ext) {
    ++number_;
    for (int n = 0;; ++n) {
      std::string name = stem + (n ? "-" + std::to_string(n) : "") + "." + ext;
      if (!used_.insert(name).second) continue;
      return SafeJoin(dir_, name);
    }
  }
  uint64_t number() const { return number_; }

 private:
  std::string dir_;
  std::set<std::string> used_;
  uint64_t number_ = 0;
};

// Netpbm PAM: the one simple format that holds any channel count and 8 or 16 bits.
std::vector<uint8_t> PixelsAsPam(const Record& record) {
  const PayloadInfo& p = record.payload_info;
  static const char* kTuple[] = {"", "GRAYSCALE", "GRAYSCALE_ALPHA", "RGB", "RGB_ALPHA"};
  bool wide = p.dtype == "u16";
  std::string head = "P7\nWIDTH " + std::to_string(p.width) + "\nHEIGHT " +
                     std::to_string(p.height) + "\nDEPTH " + std::to_string(p.channels) +
                     "\nMAXVAL " + (wide ? "65535" : "255") + "\nTUPLTYPE " +
                     kTuple[p.channels] + "\nENDHDR\n";
  std::vector<uint8_t> out(head.begin(), head.end());
  size_t at = out.size();
  out.insert(out.end(), record.payload.begin(), record.payload.end());
  if (wide)  // PAM samples are big-endian; frames hold little-endian u16
    for (size_t i = at; i + 1 < out.size(); i += 2) std::swap(out[i], out[i + 1]);
  return out;
}

}  // namespace

int RunCat(const CatConfig& config) {
  PrepareStandardStreams();
  CatSource source(config);
  bool extracting = !config.extract_dir.empty();
  if (extracting) {
    std::error_code ec;
    std::filesystem::create_directories(config.extract_dir, ec);
    if (ec) {
      ReportError(config.driver.tool, config.extract_dir + ": " + ec.message());
      return kExitUsage;
    }
  }
  RecordFn step = [&](Record& record) -> Status {
    if (!record.HasPayload() && record.Has("path") && !extracting) {
      if (Status s = AttachEncodedFile(record, config.max_file_bytes); !s) return s;
    }
    if (extracting && record.HasPayload()) {
      // Written here under a temporary name; named and committed in input order by `commit`.
      std::vector<uint8_t> bytes = record.payload_info.kind == PayloadKind::kPixels
                                       ? PixelsAsPam(record)
                                       : record.payload;
      auto staged = StageFile(std::filesystem::path(config.extract_dir) / "extract", bytes);
      if (!staged) return staged.error();
      record.staged_file = staged->string();
      record.SetString("extract_ext", ExtractExtension(record));
      record.ClearPayload();
    }
    return Status::Ok();
  };
  ExtractNamer namer(config.extract_dir);
  RecordFn commit = [&](Record& record) -> Status {
    if (record.staged_file.empty()) return Status::Ok();
    std::string staged = std::move(record.staged_file);
    record.staged_file.clear();
    std::string ext = record.GetString("extract_ext").value_or("bin");
    record.Erase("extract_ext");
    auto path = namer.Next(ExtractStem(record, namer.number() + 1), ext);
    if (!path) {
      DiscardStagedFile(staged);
      return path.error();
    }
    if (Status s = CommitStagedFile(staged, *path); !s) return s;
    record.SetString("path", path->string());
    return Status::Ok();
  };
  RecordWriter writer(STDOUT_FILENO,
                      config.headers ? OutputMode::kHeadersOnly : OutputMode::kAuto);
  return RunRecordMap(config.driver, source, step, writer, extracting ? commit : nullptr)
      .ExitCode();
}

int RunValidate(const CatConfig& config) {
  CatSource source(config);
  uint64_t frames = 0, lines = 0;
  Record record;
  for (uint64_t n = 1;; ++n) {
    auto got = source.Next(&record);
    if (!got) {
      ReportError(config.driver.tool, got.error().message);
      return kExitUsage;
    }
    if (!*got) break;
    if (record.malformed_input) {
      auto err = Record::FromJson(*record.FindRaw("error"));
      ReportError(config.driver.tool,
                  "record " + std::to_string(n) + ": " +
                      (err ? err->GetString("message").value_or("malformed") : "malformed"));
      return kExitUsage;
    }
    (record.HasPayload() ? frames : lines)++;
  }
  if (!config.driver.quiet)
    Report(config.driver.tool, Severity::kNote,
           "valid: " + std::to_string(frames) + " frames, " + std::to_string(lines) +
               " NDJSON records");
  return kExitOk;
}

}  // namespace imgpipe
