// Record: one image's metadata (a JSON object kept as raw key/value text) plus an optional payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/json.h"
#include "libcommon/result.h"

namespace imgpipe {

enum class PayloadKind { kNone, kEncoded, kPixels, kTensor };
const char* PayloadKindName(PayloadKind kind);

// What the binary part of a frame holds; serialised as the header's "payload" object
// (formats/record-stream.md).
struct PayloadInfo {
  PayloadKind kind = PayloadKind::kNone;
  // kPixels: interleaved samples, dtype "u8" or "u16" (little-endian).
  int width = 0, height = 0, channels = 0;
  // kPixels and kTensor: "u8", "u16", "f32", "f16", "bf16".
  std::string dtype;
  // kTensor: dimensions and their names in order, e.g. shape [3,224,224] with layout "chw".
  std::vector<int64_t> shape;
  std::string layout;
};

// Bytes per element for a dtype name, 0 when unknown.
size_t DtypeSize(std::string_view dtype);

struct Field {
  std::string key;  // decoded key
  std::string raw;  // the value's exact JSON text, as read or as set
};

class Record {
 public:
  // Parses one JSON object; every value is kept as its exact text, so keys a tool does not know
  // pass through byte for byte. Fails on anything but a single well-formed object.
  static Result<Record> FromJson(std::string_view text, const JsonLimits& limits = {});

  // Metadata as one JSON object (no payload description, no newline).
  std::string ToJson() const;

  const std::string* FindRaw(std::string_view key) const;
  bool Has(std::string_view key) const { return FindRaw(key) != nullptr; }
  std::optional<std::string> GetString(std::string_view key) const;
  std::optional<int64_t> GetInt(std::string_view key) const;
  std::optional<double> GetNumber(std::string_view key) const;

  // Setters replace the value in place (keeping the key's position) or append the key.
  void SetRaw(std::string_view key, std::string raw);
  void SetString(std::string_view key, std::string_view value);
  void SetInt(std::string_view key, int64_t value);
  void SetNumber(std::string_view key, double value);
  void SetBool(std::string_view key, bool value);
  bool Erase(std::string_view key);

  // Attaches {"tool":..,"code":..,"message":..} as the record's `error`.
  void SetError(std::string_view tool, const Error& error);

  const std::vector<Field>& fields() const { return fields_; }

  PayloadInfo payload_info;
  std::vector<uint8_t> payload;
  // Set by RecordReader on the error record it makes for a malformed input line; not serialised.
  bool malformed_input = false;
  // A file a worker wrote under a temporary name, committed in input order by a finish step
  // (img-save, img-cat --extract); not serialised.
  std::string staged_file;

  bool HasPayload() const { return payload_info.kind != PayloadKind::kNone; }
  void ClearPayload() {
    payload_info = PayloadInfo{};
    payload.clear();
    payload.shrink_to_fit();
  }

 private:
  std::vector<Field> fields_;
};

}  // namespace imgpipe
