// img-stats: per-image integer sums on the worker pool, merged under a lock; JSON in and out.
#include "tools/img-stats/stats_tool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "libcommon/diagnostics.h"
#include "libcommon/files.h"
#include "libcommon/json.h"
#include "libcommon/record.h"
#include "libcommon/stream_writer.h"

namespace imgpipe {
namespace {

size_t Bin(const std::vector<double>& edges, double v) {
  size_t i = std::upper_bound(edges.begin(), edges.end(), v) - edges.begin();
  return i == 0 ? 0 : i - 1;
}

template <typename T>
void SumImage(const Image& img, std::array<uint64_t, 3>* sum, std::array<Uint128, 3>* sq) {
  const T* p = reinterpret_cast<const T*>(img.data.data());
  const size_t n = size_t(img.width) * img.height;
  const int c = img.channels;
  // Squares of u16 samples need 32 bits each; sums of them are flushed to 128 bits per row so
  // no 64-bit accumulator can overflow whatever the image size.
  for (int y = 0; y < img.height; ++y) {
    uint64_t s[3] = {0, 0, 0}, q[3] = {0, 0, 0};
    const T* row = p + size_t(y) * img.width * c;
    if (c >= 3) {
      for (int x = 0; x < img.width; ++x) {
        const uint64_t r = row[x * c], g = row[x * c + 1], b = row[x * c + 2];
        s[0] += r, s[1] += g, s[2] += b;
        q[0] += r * r, q[1] += g * g, q[2] += b * b;
      }
    } else {
      for (int x = 0; x < img.width; ++x) {
        const uint64_t v = row[x * c];
        s[0] += v;
        q[0] += v * v;
      }
      s[1] = s[2] = s[0];
      q[1] = q[2] = q[0];
    }
    for (int k = 0; k < 3; ++k) (*sum)[k] += s[k], (*sq)[k] += q[k];
  }
  (void)n;
}

std::string HistJson(const std::vector<double>& edges, const std::vector<uint64_t>& counts) {
  std::string out = "{\"edges\":[";
  for (size_t i = 0; i < edges.size(); ++i) out += (i ? "," : "") + JsonNumber(edges[i]);
  out += "],\"counts\":[";
  for (size_t i = 0; i < counts.size(); ++i) out += (i ? "," : "") + std::to_string(counts[i]);
  return out + "]}";
}

Result<std::vector<uint64_t>> ReadCounts(const Record& obj, const std::string& name,
                                         size_t expected) {
  const std::string* raw = obj.FindRaw(name);
  if (!raw) return MakeError("usage", "missing `" + name + "`");
  auto hist = Record::FromJson(*raw);
  if (!hist) return MakeError("usage", "`" + name + "` is not an object");
  const std::string* counts = hist->FindRaw("counts");
  auto items = counts ? SplitJsonArray(*counts) : std::nullopt;
  if (!items || items->size() != expected)
    return MakeError("usage", "`" + name + ".counts` is not an array of " +
                                  std::to_string(expected) + " counts (other histogram edges?)");
  std::vector<uint64_t> out;
  for (auto item : *items) {
    auto v = DecodeJsonInt(item);
    if (!v || *v < 0) return MakeError("usage", "`" + name + ".counts` has a bad count");
    out.push_back(uint64_t(*v));
  }
  return out;
}

}  // namespace

const std::vector<double>& SizeEdges() {
  static const std::vector<double> e = {0, 32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048, 4096, 8192};
  return e;
}
const std::vector<double>& AspectEdges() {
  static const std::vector<double> e = {0, 0.25, 0.5, 0.625, 0.75, 0.9, 1.0, 1.0000001, 1.12, 1.34,
                                        1.6, 2.0, 4.0};
  return e;
}

std::string Uint128ToString(Uint128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v) s.push_back(char('0' + int(v % 10))), v /= 10;
  std::reverse(s.begin(), s.end());
  return s;
}

std::optional<Uint128> ParseUint128(std::string_view text) {
  if (text.empty() || text.size() > 39) return std::nullopt;
  Uint128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    Uint128 next = v * 10 + Uint128(c - '0');
    if (next / 10 != v) return std::nullopt;
    v = next;
  }
  return v;
}

ImageStats::ImageStats()
    : width_hist(SizeEdges().size()), height_hist(SizeEdges().size()),
      aspect_hist(AspectEdges().size()) {}

Status ImageStats::Add(const Image& img) {
  const char* dt = SampleTypeName(img.type);
  if (!dtype.empty() && dtype != dt)
    return MakeError("bad-record", std::string(dt) + " pixels in a stream of " + dtype +
                                       " pixels (stats of different sample ranges do not mix)");
  if (img.channels < 1 || img.channels > 4 || img.width <= 0 || img.height <= 0)
    return MakeError("bad-record", "pixels of an unsupported shape");
  ImageStats one;
  one.dtype = dt;
  one.images = 1;
  one.pixels = uint64_t(img.width) * img.height;
  std::array<uint64_t, 3> s{};
  std::array<Uint128, 3> q{};
  if (img.type == SampleType::kU8) SumImage<uint8_t>(img, &s, &q);
  else SumImage<uint16_t>(img, &s, &q);
  for (int k = 0; k < 3; ++k) one.sum[k] = s[k], one.sum_sq[k] = q[k];
  one.min_w = one.max_w = img.width;
  one.min_h = one.max_h = img.height;
  one.width_hist[Bin(SizeEdges(), img.width)] = 1;
  one.height_hist[Bin(SizeEdges(), img.height)] = 1;
  one.aspect_hist[Bin(AspectEdges(), double(img.width) / img.height)] = 1;
  return Merge(one);
}

Status ImageStats::Merge(const ImageStats& o) {
  if (o.images == 0) return Status::Ok();
  if (images == 0) {
    *this = o;
    return Status::Ok();
  }
  if (dtype != o.dtype)
    return MakeError("bad-record", "cannot merge stats of " + o.dtype + " pixels into " + dtype);
  images += o.images;
  pixels += o.pixels;
  for (int k = 0; k < 3; ++k) sum[k] += o.sum[k], sum_sq[k] += o.sum_sq[k];
  min_w = std::min(min_w, o.min_w);
  max_w = std::max(max_w, o.max_w);
  min_h = std::min(min_h, o.min_h);
  max_h = std::max(max_h, o.max_h);
  for (size_t i = 0; i < width_hist.size(); ++i) width_hist[i] += o.width_hist[i];
  for (size_t i = 0; i < height_hist.size(); ++i) height_hist[i] += o.height_hist[i];
  for (size_t i = 0; i < aspect_hist.size(); ++i) aspect_hist[i] += o.aspect_hist[i];
  return Status::Ok();
}

std::array<double, 3> ImageStats::Mean() const {
  std::array<double, 3> m{};
  const long double max = dtype == "u16" ? 65535.0L : 255.0L;
  for (int k = 0; k < 3; ++k)
    m[k] = pixels ? double((long double)sum[k] / pixels / max) : 0.0;
  return m;
}

std::array<double, 3> ImageStats::Std() const {
  std::array<double, 3> out{};
  const long double max = dtype == "u16" ? 65535.0L : 255.0L;
  for (int k = 0; k < 3; ++k) {
    if (!pixels) continue;
    // n * sum_sq - sum^2 is an exact integer (>= 0) while it fits in 128 bits (n < 2^48 or so);
    // beyond that, long double.
    long double var;
    const Uint128 n = pixels;
    if (pixels < (uint64_t(1) << 47)) {
      const Uint128 num = n * sum_sq[k] - sum[k] * sum[k];
      var = (long double)num / ((long double)n * (long double)n);
    } else {
      const long double mean = (long double)sum[k] / n;
      var = std::max((long double)sum_sq[k] / n - mean * mean, 0.0L);
    }
    out[k] = double(std::sqrt(var) / max);
  }
  return out;
}

std::string ImageStats::ToJson() const {
  auto arr3 = [](const std::array<double, 3>& v) {
    return "[" + JsonNumber(v[0]) + "," + JsonNumber(v[1]) + "," + JsonNumber(v[2]) + "]";
  };
  auto int3 = [](const std::array<Uint128, 3>& v) {
    return "[" + Uint128ToString(v[0]) + "," + Uint128ToString(v[1]) + "," + Uint128ToString(v[2]) + "]";
  };
  std::string j = "{\"imgpipe_stats\":1";
  j += ",\"images\":" + std::to_string(images);
  j += ",\"dtype\":" + JsonString(dtype.empty() ? "u8" : dtype);
  j += ",\"channels\":\"rgb\"";
  j += ",\"mean\":" + arr3(Mean()) + ",\"std\":" + arr3(Std());
  j += ",\"pixels\":" + std::to_string(pixels);
  j += ",\"sum\":" + int3(sum) + ",\"sum_sq\":" + int3(sum_sq);
  j += ",\"width_min\":" + std::to_string(min_w) + ",\"width_max\":" + std::to_string(max_w);
  j += ",\"height_min\":" + std::to_string(min_h) + ",\"height_max\":" + std::to_string(max_h);
  j += ",\"width_hist\":" + HistJson(SizeEdges(), width_hist);
  j += ",\"height_hist\":" + HistJson(SizeEdges(), height_hist);
  j += ",\"aspect_hist\":" + HistJson(AspectEdges(), aspect_hist);
  return j + "}";
}

Result<ImageStats> ImageStats::FromJson(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  auto rec = Record::FromJson(text);
  if (!rec) return MakeError("usage", "not a JSON object: " + rec.error().message);
  if (rec->GetInt("imgpipe_stats").value_or(0) != 1)
    return MakeError("usage", "not img-stats output (no \"imgpipe_stats\":1)");
  ImageStats s;
  auto images = rec->GetInt("images");
  auto pixels = rec->GetInt("pixels");
  if (!images || *images < 0 || !pixels || *pixels < 0) return MakeError("usage", "bad `images` or `pixels`");
  s.images = uint64_t(*images);
  s.pixels = uint64_t(*pixels);
  s.dtype = rec->GetString("dtype").value_or("");
  if (s.dtype != "u8" && s.dtype != "u16") return MakeError("usage", "`dtype` must be u8 or u16");
  for (const char* key : {"sum", "sum_sq"}) {
    const std::string* raw = rec->FindRaw(key);
    auto items = raw ? SplitJsonArray(*raw) : std::nullopt;
    if (!items || items->size() != 3) return MakeError("usage", std::string("`") + key + "` is not 3 integers");
    for (int k = 0; k < 3; ++k) {
      auto v = ParseUint128((*items)[k]);
      if (!v) return MakeError("usage", std::string("`") + key + "` has a value that is not a non-negative integer");
      (std::string(key) == "sum" ? s.sum : s.sum_sq)[k] = *v;
    }
  }
  s.min_w = int(rec->GetInt("width_min").value_or(0));
  s.max_w = int(rec->GetInt("width_max").value_or(0));
  s.min_h = int(rec->GetInt("height_min").value_or(0));
  s.max_h = int(rec->GetInt("height_max").value_or(0));
  auto wh = ReadCounts(*rec, "width_hist", SizeEdges().size());
  if (!wh) return wh.error();
  auto hh = ReadCounts(*rec, "height_hist", SizeEdges().size());
  if (!hh) return hh.error();
  auto ah = ReadCounts(*rec, "aspect_hist", AspectEdges().size());
  if (!ah) return ah.error();
  s.width_hist = *wh;
  s.height_hist = *hh;
  s.aspect_hist = *ah;
  return s;
}

namespace {

int WriteOutput(const StatsToolConfig& config, const ImageStats& stats) {
  std::string json = stats.ToJson() + "\n";
  if (config.output.empty() || config.output == "-") {
    size_t done = 0;
    while (done < json.size()) {
      ssize_t n = write(STDOUT_FILENO, json.data() + done, json.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE) return kExitOk;
        ReportError(config.driver.tool, std::string("stdout: ") + std::strerror(errno));
        return kExitUsage;
      }
      done += size_t(n);
    }
    return kExitOk;
  }
  Status s = WriteFileAtomic(config.output,
                             std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(json.data()), json.size()));
  if (!s) {
    ReportError(config.driver.tool, s.error().message);
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

int RunStats(const StatsToolConfig& config) {
  PrepareStandardStreams();
  ImageStats total;
  if (!config.merge_files.empty()) {
    for (const std::string& path : config.merge_files) {
      auto bytes = ReadFileBytes(path, 64u << 20);
      if (!bytes) {
        ReportError(config.driver.tool, path + ": " + bytes.error().message);
        return kExitUsage;
      }
      auto part = ImageStats::FromJson(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      if (!part) {
        ReportError(config.driver.tool, path + ": " + part.error().message);
        return kExitUsage;
      }
      if (Status s = total.Merge(*part); !s) {
        ReportError(config.driver.tool, path + ": " + s.error().message);
        return kExitUsage;
      }
    }
    return WriteOutput(config, total);
  }

  std::mutex mu;
  RecordReader reader(STDIN_FILENO, "stdin", config.reader);
  StreamSource source(&reader);
  // The records themselves are not wanted: their (payload-less) metadata goes to /dev/null.
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  RecordWriter sink(devnull);
  RunSummary summary = RunRecordMap(config.driver, source, [&](Record& record) -> Status {
    if (record.payload_info.kind != PayloadKind::kPixels)
      return MakeError("bad-record", std::string("payload is ") +
                                         PayloadKindName(record.payload_info.kind) +
                                         ", not pixels (run img-decode first)");
    Image img;
    img.width = record.payload_info.width;
    img.height = record.payload_info.height;
    img.channels = record.payload_info.channels;
    img.type = record.payload_info.dtype == "u16" ? SampleType::kU16 : SampleType::kU8;
    img.data = std::move(record.payload);
    record.ClearPayload();
    ImageStats one;
    if (Status s = one.Add(img); !s) return s;
    std::lock_guard lock(mu);
    return total.Merge(one);
  }, sink);
  close(devnull);
  if (summary.stream_error || summary.stopped_on_error) return summary.ExitCode();
  int rc = WriteOutput(config, total);
  return rc != kExitOk ? rc : summary.ExitCode();
}

}  // namespace imgpipe
