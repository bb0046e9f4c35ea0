// img-save: records to files (encoded payloads as they are, pixels encoded), NDJSON index out.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "formats/codec/encode.h"
#include "formats/codec/sniff.h"
#include "libcommon/driver.h"
#include "libcommon/record.h"
#include "libcommon/stream_reader.h"

namespace imgpipe {

struct SaveToolConfig {
  std::string output_dir;
  std::string name_template = "{id}.{ext}";
  // kUnknown: encoded payloads are written as they are; pixels become PNG when they have alpha
  // or 16-bit samples, JPEG otherwise. A named format re-encodes everything to it.
  ImageFormat format = ImageFormat::kUnknown;
  EncodeOptions encode;
  DriverConfig driver;
  ReaderOptions reader;
};

// Checks a template's syntax once, before any record (a usage error, not a per-record one).
Status ValidateNameTemplate(const std::string& name_template);

// Expands {id}, {sha256}, {split}, {label}, {ext} (and {key} for any string or integer key of the
// record); an unknown key or a missing value is an error naming it.
Result<std::string> ExpandNameTemplate(const std::string& name_template, const Record& record,
                                       const std::string& ext);

// Writes one record's payload under config.output_dir and turns the record into its index line
// (payload removed; `path`, `mime`, `bytes`, `sha256` describe the written file). Two records
// of one run that name the same file are an error ("duplicate-name") rather than a silent
// overwrite: the first record (in input order) wins.
class RecordSaver {
 public:
  explicit RecordSaver(const SaveToolConfig& config) : config_(config) {}
  // On a worker: encode, name, and write the file under a temporary name.
  Status Save(Record& record);
  // In input order: claim the name (the first record to name a file wins) and commit the file.
  Status Commit(Record& record);

 private:
  bool Claim(const std::string& path);
  const SaveToolConfig& config_;
  std::mutex mu_;
  std::set<std::string> claimed_;
};

int RunSave(const SaveToolConfig& config);

}  // namespace imgpipe
