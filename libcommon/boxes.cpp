// Boxes: each box object is parsed as a Record, so its unknown keys pass through.
#include "libcommon/boxes.h"

#include <cmath>

namespace imgpipe {

Result<std::vector<BoxRecord>> ReadBoxes(const Record& record, std::string_view key) {
  std::vector<BoxRecord> boxes;
  const std::string* raw = record.FindRaw(key);
  if (!raw || *raw == "null") return boxes;
  auto items = SplitJsonArray(*raw);
  if (!items) return MakeError("bad-record", "`" + std::string(key) + "` is not an array");
  boxes.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    auto box = Record::FromJson((*items)[i]);
    if (!box) return MakeError("bad-record", where + " is not an object");
    double v[4];
    const char* names[4] = {"x0", "y0", "x1", "y1"};
    for (int k = 0; k < 4; ++k) {
      auto n = box->GetNumber(names[k]);
      if (!n || !std::isfinite(*n))
        return MakeError("bad-record", where + "." + names[k] + " is missing or not a finite number");
      v[k] = *n;
    }
    boxes.push_back(BoxRecord{BoxXYXY{v[0], v[1], v[2], v[3]}, std::move(box.value())});
  }
  return boxes;
}

void WriteBoxes(Record& record, const std::vector<BoxRecord>& boxes, std::string_view key) {
  std::string out = "[";
  for (size_t i = 0; i < boxes.size(); ++i) {
    Record fields = boxes[i].fields;
    fields.SetNumber("x0", boxes[i].box.x0);
    fields.SetNumber("y0", boxes[i].box.y0);
    fields.SetNumber("x1", boxes[i].box.x1);
    fields.SetNumber("y1", boxes[i].box.y1);
    if (i) out.push_back(',');
    out += fields.ToJson();
  }
  out.push_back(']');
  record.SetRaw(key, std::move(out));
}

Status TransformBoxes(Record& record, const std::function<BoxXYXY(BoxXYXY)>& map) {
  if (!record.Has("boxes")) return Status::Ok();
  auto boxes = ReadBoxes(record);
  if (!boxes) return boxes.error();
  for (BoxRecord& b : *boxes) b.box = map(b.box);
  WriteBoxes(record, *boxes);
  return Status::Ok();
}

}  // namespace imgpipe
