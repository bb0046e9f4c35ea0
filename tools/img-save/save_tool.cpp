// img-save: choose the bytes (as they are, or encoded), name the file from the template, write it
// atomically inside the output folder.
#include "tools/img-save/save_tool.h"

#include <unistd.h>

#include <filesystem>

#include "formats/codec/decode.h"
#include "formats/encoded_file.h"
#include "libcommon/diagnostics.h"
#include "libcommon/files.h"

namespace imgpipe {
namespace {

std::optional<std::string> TemplateValue(const Record& record, const std::string& key) {
  if (key == "label") {
    if (auto label = record.GetString("label")) return label;
    if (const std::string* labels = record.FindRaw("labels")) {
      auto items = SplitJsonArray(*labels);
      if (items && !items->empty()) return DecodeJsonString((*items)[0]);
    }
    return std::nullopt;
  }
  if (auto s = record.GetString(key)) return s;
  if (auto i = record.GetInt(key)) return std::to_string(*i);
  return std::nullopt;
}

Image PixelsAsImage(Record& record) {
  Image image;
  image.width = record.payload_info.width;
  image.height = record.payload_info.height;
  image.channels = record.payload_info.channels;
  image.type = record.payload_info.dtype == "u16" ? SampleType::kU16 : SampleType::kU8;
  image.data = std::move(record.payload);
  return image;
}

}  // namespace

Status ValidateNameTemplate(const std::string& name_template) {
  size_t depth = 0;
  for (char c : name_template) {
    if (c == '{' && depth++ > 0) return MakeError("usage", "nested '{' in name template \"" + name_template + "\"");
    if (c == '}' && depth-- == 0) return MakeError("usage", "'}' without '{' in name template \"" + name_template + "\"");
  }
  if (depth) return MakeError("usage", "unclosed '{' in name template \"" + name_template + "\"");
  if (name_template.find("{}") != std::string::npos)
    return MakeError("usage", "empty {} in name template \"" + name_template + "\"");
  return Status::Ok();
}

Result<std::string> ExpandNameTemplate(const std::string& name_template, const Record& record,
                                       const std::string& ext) {
  std::string out;
  for (size_t i = 0; i < name_template.size(); ++i) {
    char c = name_template[i];
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    size_t close = name_template.find('}', i);
    if (close == std::string::npos)
      return MakeError("usage", "unclosed '{' in name template \"" + name_template + "\"");
    std::string key = name_template.substr(i + 1, close - i - 1);
    i = close;
    if (key == "ext") {
      out += ext;
      continue;
    }
    auto value = TemplateValue(record, key);
    if (!value || value->empty())
      return MakeError("bad-record", "name template needs {" + key + "} but the record has no `" +
                                         key + "`");
    out += *value;
  }
  return out;
}

bool RecordSaver::Claim(const std::string& path) {
  std::lock_guard lock(mu_);
  return claimed_.insert(path).second;
}

Status RecordSaver::Save(Record& record) {
  if (!record.HasPayload()) return MakeError("bad-record", "record has no payload to save");
  ImageFormat format = config_.format;
  if (record.payload_info.kind == PayloadKind::kTensor)
    return MakeError("unsupported", "tensor payloads cannot be saved as images");
  if (record.payload_info.kind == PayloadKind::kEncoded) {
    ImageFormat source = SniffFormat(record.payload);
    if (format != ImageFormat::kUnknown && format != source) {
      // Re-encode: decode with the channels the source has, alpha included.
      auto info = ReadImageInfo(record.payload);
      if (!info) return info.error();
      DecodeOptions options;
      options.channels = (info->channels == 2 || info->channels == 4) ? 4 : 3;
      auto decoded = DecodeImage(record.payload, options);
      if (!decoded) return decoded.error();
      auto bytes = EncodeImage(decoded->image, format, config_.encode);
      if (!bytes) return bytes.error();
      record.payload = std::move(bytes.value());
    }
  } else {  // pixels
    Image image = PixelsAsImage(record);
    if (format == ImageFormat::kUnknown) {
      bool lossless = image.type == SampleType::kU16 || image.channels == 2 || image.channels == 4;
      format = lossless ? ImageFormat::kPng : ImageFormat::kJpeg;
    }
    auto bytes = EncodeImage(image, format, config_.encode);
    if (!bytes) return bytes.error();
    record.payload = std::move(bytes.value());
  }
  record.payload_info = PayloadInfo{};
  record.payload_info.kind = PayloadKind::kEncoded;
  DescribeEncodedPayload(record);
  if (!record.Has("id")) record.SetString("id", record.GetString("sha256").value_or(""));

  auto name = ExpandNameTemplate(config_.name_template, record,
                                 ExtensionOf(SniffFormat(record.payload)));
  if (!name) return name.error();
  auto path = SafeJoin(config_.output_dir, *name);
  if (!path) return path.error();
  auto staged = StageFile(*path, record.payload);
  if (!staged) return staged.error();
  record.staged_file = staged->string();
  record.ClearPayload();
  record.SetString("path", path->string());
  return Status::Ok();
}

Status RecordSaver::Commit(Record& record) {
  std::string path = record.GetString("path").value_or("");
  std::string staged = std::move(record.staged_file);
  record.staged_file.clear();
  if (!Claim(path)) {
    DiscardStagedFile(staged);
    return MakeError("duplicate-name", path + " was already written by an earlier record of this "
                                              "run (make the name template unique)");
  }
  return CommitStagedFile(staged, path);
}

int RunSave(const SaveToolConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.output_dir, ec);
  if (ec || !std::filesystem::is_directory(config.output_dir)) {
    ReportError(config.driver.tool, config.output_dir + ": cannot create the output folder" +
                                        (ec ? ": " + ec.message() : ""));
    return kExitUsage;
  }
  RecordSaver saver(config);
  return RunStdinMap(
      config.driver, config.reader, [&](Record& record) { return saver.Save(record); },
      [&](Record& record) { return saver.Commit(record); });
}

}  // namespace imgpipe
