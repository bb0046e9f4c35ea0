// DecodeRecord: the order is decode (at a reduced DCT scale when that is enough) -> orient ->
// exact resize; boxes follow the same steps so they stay on their pixels.
#include "tools/img-decode/decode_tool.h"

#include <unistd.h>

#include <cstring>

#include "formats/codec/decode.h"
#include "formats/encoded_file.h"
#include "libcommon/boxes.h"
#include "libcommon/geometry.h"
#include "libcommon/kernels/orient.h"
#include "libcommon/kernels/resize.h"

namespace imgpipe {

Status DecodeRecord(const DecodeToolConfig& config, Record& record) {
  if (!record.HasPayload()) {
    if (!record.Has("path"))
      return MakeError("bad-record", "record has neither an encoded payload nor a `path`");
    if (Status s = AttachEncodedFile(record, config.max_file_bytes); !s) return s;
  }
  if (record.payload_info.kind != PayloadKind::kEncoded)
    return MakeError("bad-record", std::string("payload is ") +
                                       PayloadKindName(record.payload_info.kind) +
                                       ", not an encoded image");
  DecodeOptions options = config.decode;
  options.min_long_side = config.max_side;
  auto decoded = DecodeImage(record.payload, options);
  if (!decoded) return decoded.error();
  const ImageInfo& info = decoded->info;
  Image image = std::move(decoded->image);

  int orientation = config.apply_orientation ? info.orientation : 1;
  if (orientation != 1) image = ApplyOrientation(image, orientation);
  // Plain ints, not structured bindings: the box lambda below captures them (clang 14 refuses
  // to capture bindings).
  const auto shown = OrientedSize(info.width, info.height, orientation);
  const int shown_w = shown.first, shown_h = shown.second;
  const auto out = FitLongSide(shown_w, shown_h, config.max_side);
  const int out_w = out.first, out_h = out.second;
  if (out_w != image.width || out_h != image.height) {
    Image resized;
    Resize(image, out_w, out_h, &resized);
    image = std::move(resized);
  }

  // Boxes refer to the record's width x height (when given), on the stored image unless
  // --boxes-oriented says they were drawn on the displayed one.
  int ref_w = int(record.GetInt("width").value_or(0));
  int ref_h = int(record.GetInt("height").value_or(0));
  bool boxes_shown = config.boxes_oriented;
  int frame_w = boxes_shown ? shown_w : info.width;
  int frame_h = boxes_shown ? shown_h : info.height;
  if (ref_w <= 0 || ref_h <= 0) ref_w = frame_w, ref_h = frame_h;
  Status moved = TransformBoxes(record, [&](BoxXYXY b) {
    b = ScaleBox(b, double(frame_w) / ref_w, double(frame_h) / ref_h);
    if (!boxes_shown) b = OrientBox(b, orientation, info.width, info.height);
    return ScaleBox(b, double(out_w) / shown_w, double(out_h) / shown_h);
  });
  if (!moved) return moved;

  record.SetInt("width", image.width);
  record.SetInt("height", image.height);
  record.SetInt("orig_width", shown_w);
  record.SetInt("orig_height", shown_h);
  if (info.orientation != 1)
    record.SetRaw("orientation", "{\"exif\":" + std::to_string(info.orientation) +
                                     ",\"applied\":" + (orientation != 1 ? "true" : "false") + "}");
  record.payload_info = PayloadInfo{};
  record.payload_info.kind = PayloadKind::kPixels;
  record.payload_info.width = image.width;
  record.payload_info.height = image.height;
  record.payload_info.channels = image.channels;
  record.payload_info.dtype = SampleTypeName(image.type);
  record.payload = std::move(image.data);
  return Status::Ok();
}

int RunDecode(const DecodeToolConfig& config) {
  return RunStdinMap(config.driver, config.reader,
                     [&](Record& record) { return DecodeRecord(config, record); });
}

}  // namespace imgpipe
