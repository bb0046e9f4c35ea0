// Frame encoding and header parsing (the reading loop itself is in stream_reader.cpp).
#include "libcommon/frame.h"

#include <cstring>

#include "libcommon/crc32c.h"

namespace imgpipe {
namespace {

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(char((v >> (8 * i)) & 0xFF));
}

Result<std::vector<int64_t>> ParseShape(std::string_view raw) {
  std::vector<int64_t> shape;
  if (raw.size() < 2 || raw.front() != '[' || raw.back() != ']')
    return MakeError("bad-frame", "payload shape is not an array");
  std::string_view body = raw.substr(1, raw.size() - 2);
  while (!body.empty()) {
    size_t comma = body.find(',');
    std::string_view item = body.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    auto v = DecodeJsonInt(item);
    if (!v || *v <= 0) return MakeError("bad-frame", "payload shape has a non-positive or non-integer dimension");
    shape.push_back(*v);
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  if (shape.empty()) return MakeError("bad-frame", "payload shape is empty");
  return shape;
}

}  // namespace

std::string PayloadInfoJson(const PayloadInfo& info) {
  std::string out = "{\"kind\":";
  AppendJsonString(&out, PayloadKindName(info.kind));
  if (info.kind == PayloadKind::kPixels) {
    out += ",\"width\":" + std::to_string(info.width) + ",\"height\":" +
           std::to_string(info.height) + ",\"channels\":" + std::to_string(info.channels) +
           ",\"dtype\":" + JsonString(info.dtype);
  } else if (info.kind == PayloadKind::kTensor) {
    out += ",\"shape\":[";
    for (size_t i = 0; i < info.shape.size(); ++i) {
      if (i) out.push_back(',');
      out += std::to_string(info.shape[i]);
    }
    out += "],\"dtype\":" + JsonString(info.dtype) + ",\"layout\":" + JsonString(info.layout);
  }
  out.push_back('}');
  return out;
}

std::string FrameHeaderJson(const Record& record) {
  std::string meta = record.ToJson();
  std::string out = "{\"payload\":" + PayloadInfoJson(record.payload_info);
  if (meta.size() > 2) out += "," + meta.substr(1);
  else out += "}";
  return out;
}

uint32_t AppendFrameHead(const Record& record, std::string* out) {
  size_t start = out->size();
  std::string header = FrameHeaderJson(record);
  out->append(reinterpret_cast<const char*>(kFrameMagic), 4);
  PutLe(out, kFrameVersion, 2);
  PutLe(out, 0, 2);
  PutLe(out, header.size(), 4);
  out->append(header);
  PutLe(out, record.payload.size(), 8);
  return Crc32c(0, out->data() + start, out->size() - start);
}

void AppendFrame(const Record& record, std::string* out) {
  uint32_t crc = AppendFrameHead(record, out);
  out->append(reinterpret_cast<const char*>(record.payload.data()), record.payload.size());
  PutLe(out, Crc32c(crc, record.payload.data(), record.payload.size()), 4);
}

Result<Record> RecordFromFrameHeader(std::string_view header_json, uint64_t payload_size,
                                     const JsonLimits& limits) {
  auto parsed = Record::FromJson(header_json, limits);
  if (!parsed) return MakeError("bad-frame", "header is not a JSON object: " + parsed.error().message);
  Record record = std::move(parsed.value());
  const std::string* desc_raw = record.FindRaw("payload");
  if (!desc_raw) return MakeError("bad-frame", "header has no \"payload\" description");
  auto desc = Record::FromJson(*desc_raw, limits);
  if (!desc) return MakeError("bad-frame", "\"payload\" is not an object");
  PayloadInfo info;
  std::string kind = desc->GetString("kind").value_or("");
  if (kind == "encoded") {
    info.kind = PayloadKind::kEncoded;
  } else if (kind == "pixels") {
    info.kind = PayloadKind::kPixels;
    // Range-check before narrowing: 4294967297 must not become 1.
    auto dim = [&](const char* key) {
      int64_t v = desc->GetInt(key).value_or(0);
      return v > 0 && v <= INT32_MAX ? int(v) : 0;
    };
    info.width = dim("width");
    info.height = dim("height");
    info.channels = dim("channels");
    info.dtype = desc->GetString("dtype").value_or("");
    if (info.width <= 0 || info.height <= 0 || info.channels < 1 || info.channels > 4 ||
        (info.dtype != "u8" && info.dtype != "u16"))
      return MakeError("bad-frame", "pixels payload needs width, height > 0, channels 1..4, dtype u8|u16");
    uint64_t expect = uint64_t(info.width) * uint64_t(info.height) * uint64_t(info.channels) *
                      DtypeSize(info.dtype);
    if (expect != payload_size)
      return MakeError("bad-frame", "pixels payload is " + std::to_string(payload_size) +
                                        " bytes, its description says " + std::to_string(expect));
  } else if (kind == "tensor") {
    info.kind = PayloadKind::kTensor;
    info.dtype = desc->GetString("dtype").value_or("");
    info.layout = desc->GetString("layout").value_or("");
    const std::string* shape_raw = desc->FindRaw("shape");
    if (!shape_raw) return MakeError("bad-frame", "tensor payload has no shape");
    auto shape = ParseShape(*shape_raw);
    if (!shape) return shape.error();
    info.shape = std::move(shape.value());
    if (DtypeSize(info.dtype) == 0)
      return MakeError("bad-frame", "tensor dtype must be u8, u16, f16, bf16 or f32");
    uint64_t expect = DtypeSize(info.dtype);
    for (int64_t d : info.shape) {
      if (uint64_t(d) > (~0ull) / expect) return MakeError("bad-frame", "tensor shape overflows");
      expect *= uint64_t(d);
    }
    if (expect != payload_size)
      return MakeError("bad-frame", "tensor payload is " + std::to_string(payload_size) +
                                        " bytes, its shape says " + std::to_string(expect));
  } else {
    return MakeError("bad-frame", "unknown payload kind \"" + kind + "\"");
  }
  record.Erase("payload");
  record.payload_info = std::move(info);
  return record;
}

}  // namespace imgpipe
