// AttachEncodedFile: path -> encoded payload + the keys that describe it.
#include "formats/encoded_file.h"

#include <filesystem>

#include "formats/codec/sniff.h"
#include "libcommon/files.h"
#include "libcommon/sha256.h"

namespace imgpipe {

void DescribeEncodedPayload(Record& record) {
  record.SetString("mime", MimeOf(SniffFormat(record.payload)));
  record.SetInt("bytes", int64_t(record.payload.size()));
  record.SetString("sha256", Sha256Hex(record.payload.data(), record.payload.size()));
}

Status AttachEncodedFile(Record& record, uint64_t max_bytes) {
  auto path = record.GetString("path");
  if (!path) return MakeError("bad-record", "record has no string `path`");
  auto bytes = ReadFileBytes(*path, max_bytes);
  if (!bytes) return bytes.error();
  if (SniffFormat(bytes.value()) == ImageFormat::kUnknown)
    return MakeError("unsupported", *path + ": not an image in a known format");
  record.payload = std::move(bytes.value());
  record.payload_info = PayloadInfo{};
  record.payload_info.kind = PayloadKind::kEncoded;
  DescribeEncodedPayload(record);
  if (!record.Has("id")) record.SetString("id", std::filesystem::path(*path).stem().string());
  return Status::Ok();
}

}  // namespace imgpipe
