// Record-level shape lists (see shapes.h).
#include "formats/labels/shapes.h"

#include <algorithm>
#include <cmath>

#include "formats/labels/conventions_io.h"
#include "libcommon/json.h"

namespace imgpipe::labels {

Result<std::vector<ShapeRecord>> ReadShapes(const Record& record, std::string_view key) {
  std::vector<ShapeRecord> out;
  const std::string* raw = record.FindRaw(key);
  if (!raw || *raw == "null") return out;
  auto items = SplitJsonArray(*raw);
  std::string name = std::string(key);
  if (!items) return MakeError("bad-record", "`" + name + "` is not an array");
  for (size_t i = 0; i < items->size(); ++i) {
    std::string where = name + "[" + std::to_string(i) + "]";
    auto obj = Record::FromJson((*items)[i]);
    if (!obj) return MakeError("bad-record", where + " is not an object");
    ShapeRecord s;
    s.label = obj->GetString("label").value_or("");
    const std::string* pts = obj->FindRaw("points");
    auto list = pts ? SplitJsonArray(*pts) : std::nullopt;
    if (!list) return MakeError("bad-record", where + ".points is not an array of [x, y]");
    for (std::string_view p : *list) {
      auto xy = SplitJsonArray(p);
      std::optional<double> x, y;
      if (xy && xy->size() == 2) {
        x = DecodeJsonNumber((*xy)[0]);
        y = DecodeJsonNumber((*xy)[1]);
      }
      if (!x || !y || !std::isfinite(*x) || !std::isfinite(*y))
        return MakeError("bad-record", where + ".points: expected [x, y] pairs of finite numbers");
      s.points.push_back({*x, *y});
    }
    s.fields = std::move(obj.value());
    out.push_back(std::move(s));
  }
  return out;
}

size_t CountShapes(const Record& record, std::string_view key) {
  const std::string* raw = record.FindRaw(key);
  if (!raw) return 0;
  auto items = SplitJsonArray(*raw);
  return items ? items->size() : 0;
}

BoxXYXY Extent(const std::vector<Point>& points) {
  BoxXYXY b{points[0][0], points[0][1], points[0][0], points[0][1]};
  for (const Point& p : points) {
    b.x0 = std::min(b.x0, p[0]);
    b.y0 = std::min(b.y0, p[1]);
    b.x1 = std::max(b.x1, p[0]);
    b.y1 = std::max(b.y1, p[1]);
  }
  return b;
}

std::string PointsJson(const std::vector<Point>& points) {
  std::string out = "[";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('[');
    out += FormatShortest(points[i][0]);
    out.push_back(',');
    out += FormatShortest(points[i][1]);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

std::string ShapeJson(std::string_view label, const std::vector<Point>& points, std::string_view members) {
  std::string out;
  JsonObjectWriter w(&out);
  w.String("label", label);
  w.Raw("points", PointsJson(points));
  w.Members(members);
  w.Close();
  return out;
}

}  // namespace imgpipe::labels
