// img-pack: the calling thread reads batches, workers prepare samples (encode, read files), then
// samples are appended to the current shard in input order. A shard is built under a hidden
// temporary name and renamed into place only when complete, so a killed run never leaves a
// partial shard under a final name.
#include "tools/img-pack/pack_tool.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "formats/codec/decode.h"
#include "formats/containers/example_proto.h"
#include "formats/containers/npy.h"
#include "formats/containers/tar.h"
#include "formats/containers/tfrecord.h"
#include "formats/encoded_file.h"
#include "libcommon/boxes.h"
#include "libcommon/diagnostics.h"
#include "libcommon/files.h"
#include "libcommon/json.h"
#include "libcommon/sha256.h"
#include "libcommon/stream_writer.h"

namespace imgpipe {

namespace fs = std::filesystem;

const char* PackFormatName(PackFormat f) {
  switch (f) {
    case PackFormat::kWebDataset: return "webdataset";
    case PackFormat::kTfRecord: return "tfrecord";
    case PackFormat::kNpy: return "npy";
    case PackFormat::kNpz: return "npz";
    case PackFormat::kImageFolder: return "imagefolder";
  }
  return "?";
}

std::string SafeKey(std::string_view id) {
  std::string key;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    key.push_back(ok ? c : '_');
  }
  return key;
}

Result<PackSample> PreparePackSample(const PackToolConfig& config, Record& record) {
  PackSample s;
  if (!record.HasPayload() && record.Has("path") && config.format != PackFormat::kNpy &&
      config.format != PackFormat::kNpz) {
    if (Status st = AttachEncodedFile(record, config.max_file_bytes); !st) return st.error();
  }
  const PayloadInfo& pi = record.payload_info;
  const bool wants_array = config.format == PackFormat::kNpy || config.format == PackFormat::kNpz;
  switch (pi.kind) {
    case PayloadKind::kNone:
      return MakeError("bad-record", "record has no payload (and no `path`) to pack");
    case PayloadKind::kEncoded: {
      if (wants_array)
        return MakeError("unsupported", "--" + std::string(PackFormatName(config.format)) +
                                            " packs pixels or tensors; decode encoded images first (img-decode)");
      auto info = ReadImageInfo(record.payload);
      if (!info) return info.error();
      s.width = info->width;
      s.height = info->height;
      s.image_ext = ExtensionOf(info->format);
      s.image_format = NameOf(info->format);
      s.image = std::move(record.payload);
      break;
    }
    case PayloadKind::kPixels: {
      s.width = pi.width;
      s.height = pi.height;
      if (wants_array) {
        s.shape = {pi.height, pi.width, pi.channels};
        s.dtype = pi.dtype;
        s.layout = "hwc";
        s.array = std::move(record.payload);
        break;
      }
      Image img;
      img.width = pi.width;
      img.height = pi.height;
      img.channels = pi.channels;
      img.type = pi.dtype == "u16" ? SampleType::kU16 : SampleType::kU8;
      img.data = std::move(record.payload);
      ImageFormat f = config.image_format;
      if (f == ImageFormat::kUnknown)
        f = (img.type == SampleType::kU16 || img.channels == 2 || img.channels == 4) ? ImageFormat::kPng
                                                                                    : ImageFormat::kJpeg;
      auto bytes = EncodeImage(img, f, config.encode);
      if (!bytes) return bytes.error();
      s.image = std::move(bytes.value());
      s.image_ext = ExtensionOf(f);
      s.image_format = NameOf(f);
      break;
    }
    case PayloadKind::kTensor: {
      if (config.format == PackFormat::kImageFolder)
        return MakeError("unsupported", "an imagefolder holds images, not tensors (pack before img-norm, or use --npy)");
      s.shape = pi.shape;
      s.dtype = pi.dtype;
      s.layout = pi.layout;
      s.array = std::move(record.payload);
      if (pi.layout == "chw" && pi.shape.size() == 3) s.height = int(pi.shape[1]), s.width = int(pi.shape[2]);
      if (pi.layout == "hwc" && pi.shape.size() == 3) s.height = int(pi.shape[0]), s.width = int(pi.shape[1]);
      break;
    }
  }
  record.ClearPayload();
  s.id = record.GetString("id").value_or("");
  if (!s.id.empty()) s.key = SafeKey(s.id);
  s.json = record.ToJson();
  if (auto l = record.GetString("label")) s.label = *l;
  else if (const std::string* labels = record.FindRaw("labels")) {
    auto items = SplitJsonArray(*labels);
    if (items && !items->empty()) s.label = DecodeJsonString((*items)[0]).value_or("");
  }
  // Boxes refer to the record's width x height; bring them to the stored image's pixels.
  auto boxes = ReadBoxes(record);
  if (!boxes) return boxes.error();
  const double ref_w = double(record.GetInt("width").value_or(s.width));
  const double ref_h = double(record.GetInt("height").value_or(s.height));
  for (const BoxRecord& b : *boxes) {
    BoxXYXY box = b.box;
    if (ref_w > 0 && ref_h > 0 && s.width > 0 && s.height > 0)
      box = ScaleBox(box, s.width / ref_w, s.height / ref_h);
    s.boxes.push_back(box);
    s.box_labels.push_back(b.Label().value_or(""));
  }
  return s;
}

namespace {

Status WriteAll(int fd, const void* data, size_t size, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  while (size) {
    ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError("io", what + ": " + std::strerror(errno));
    }
    p += n;
    size -= size_t(n);
  }
  return Status::Ok();
}

Status PWriteAll(int fd, const void* data, size_t size, off_t at, const std::string& what) {
  if (pwrite(fd, data, size, at) != ssize_t(size)) return MakeError("io", what + ": " + std::strerror(errno));
  return Status::Ok();
}

// Class indices: from --classes, or in order of first appearance (deterministic for one writer).
class ClassMap {
 public:
  explicit ClassMap(const std::vector<std::string>& fixed) : fixed_(!fixed.empty()) {
    for (size_t i = 0; i < fixed.size(); ++i) index_[fixed[i]] = int64_t(i);
    names_ = fixed;
  }
  // -1: not in a fixed list (or empty name).
  int64_t Index(const std::string& name) {
    if (name.empty()) return -1;
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    if (fixed_) return -1;
    names_.push_back(name);
    return index_[name] = int64_t(names_.size() - 1);
  }
  bool fixed() const { return fixed_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool fixed_;
  std::map<std::string, int64_t> index_;
  std::vector<std::string> names_;
};

struct ShardInfo {
  std::string name, path;
  uint64_t records = 0, bytes = 0;
  std::string sha256, first_id, last_id;
  std::vector<int64_t> shape;
  std::string dtype;
};

class ShardWriter {
 public:
  ShardWriter(const PackToolConfig& config, ClassMap* classes) : config_(config), classes_(classes) {}
  ~ShardWriter() { Abort(); }

  bool open() const { return open_; }
  uint64_t count() const { return count_; }
  uint64_t bytes() const { return bytes_; }

  // Would adding `sample` overflow the current shard?
  bool Full(uint64_t sample_bytes) const {
    if (!open_ || count_ == 0) return false;
    if (config_.max_count && count_ >= config_.max_count) return true;
    return config_.max_bytes && bytes_ + sample_bytes > config_.max_bytes;
  }

  Status Open(int index) {
    char num[32];
    std::snprintf(num, sizeof num, "%06d", index);
    info_ = ShardInfo{};
    info_.name = config_.shard_prefix + num;
    switch (config_.format) {
      case PackFormat::kWebDataset: info_.name += ".tar"; break;
      case PackFormat::kTfRecord: info_.name += ".tfrecord"; break;
      case PackFormat::kNpy: info_.name += ".npy"; break;
      case PackFormat::kNpz: info_.name += ".npz"; break;
      case PackFormat::kImageFolder: break;
    }
    final_ = fs::path(config_.output_dir) / info_.name;
    info_.path = final_.string();
    std::error_code ec;
    if (!config_.overwrite && fs::exists(fs::symlink_status(final_, ec)))
      return MakeError("exists", final_.string() + " already exists (another --shard-prefix, or --overwrite)");
    tmp_ = fs::path(config_.output_dir) / ("." + info_.name + ".tmp-" + std::to_string(getpid()));
    count_ = bytes_ = 0;
    keys_.clear();
    meta_.clear();
    labels_.clear();
    if (config_.format == PackFormat::kImageFolder) {
      fs::remove_all(tmp_, ec);
      if (!fs::create_directory(tmp_, ec)) return MakeError("io", tmp_.string() + ": " + ec.message());
    } else {
      fd_ = ::open(tmp_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0) return MakeError("io", tmp_.string() + ": " + std::strerror(errno));
    }
    open_ = true;
    return Status::Ok();
  }

  // Appends one sample. Errors that concern only this record ("bad-record" codes) leave the
  // shard as it was; "io" errors are fatal for the run.
  Status Add(const PackSample& s) {
    std::string key = s.key.empty() ? Seq() : s.key;
    if (config_.format == PackFormat::kWebDataset || config_.format == PackFormat::kImageFolder) {
      if (keys_.count(key)) return MakeError("duplicate-key", "key \"" + key + "\" is already in shard " + info_.name);
    }
    Status st;
    switch (config_.format) {
      case PackFormat::kWebDataset: st = AddWebDataset(s, key); break;
      case PackFormat::kTfRecord: st = AddTfRecord(s); break;
      case PackFormat::kNpy:
      case PackFormat::kNpz: st = AddArray(s); break;
      case PackFormat::kImageFolder: st = AddImageFolder(s, key); break;
    }
    if (!st) return st;
    keys_.insert(key);
    if (count_ == 0) info_.first_id = s.id;
    info_.last_id = s.id;
    ++count_;
    return Status::Ok();
  }

  // Finishes the shard under its temporary name, hashes it, and renames it into place.
  Result<ShardInfo> Close() {
    Status st = Finish();
    if (!st) return st.error();
    std::error_code ec;
    if (config_.format == PackFormat::kImageFolder && config_.overwrite) fs::remove_all(final_, ec);
    if (rename(tmp_.c_str(), final_.c_str()) != 0)
      return MakeError("io", "rename " + tmp_.string() + " -> " + final_.string() + ": " + std::strerror(errno));
    int dfd = ::open(config_.output_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) fsync(dfd), close(dfd);
    open_ = false;
    info_.records = count_;
    return info_;
  }

  void Abort() {
    if (fd_ >= 0) close(fd_), fd_ = -1;
    if (open_) {
      std::error_code ec;
      fs::remove_all(tmp_, ec);
    }
    open_ = false;
  }

  static uint64_t SampleBytes(const PackSample& s) {
    return s.image.size() + s.array.size() + s.json.size() + 1024;
  }

 private:
  std::string Seq() const {
    char b[32];
    std::snprintf(b, sizeof b, "%09llu", static_cast<unsigned long long>(count_));
    return b;
  }

  Status Append(const void* data, size_t size) {
    if (Status s = WriteAll(fd_, data, size, tmp_.string()); !s) return s;
    bytes_ += size;
    return Status::Ok();
  }

  Status AddWebDataset(const PackSample& s, const std::string& key) {
    std::vector<uint8_t> buf;
    auto add = [&](const std::string& ext, std::span<const uint8_t> data) {
      return AppendTarEntry(&buf, key + "." + ext, data);
    };
    Status st;
    if (!s.image.empty()) st = add(s.image_ext, s.image);
    else {
      auto header = NpyHeader(NpyDescr(s.dtype), s.shape);
      if (!header) return header.error();
      std::vector<uint8_t> npy(header->begin(), header->end());
      npy.insert(npy.end(), s.array.begin(), s.array.end());
      st = add("npy", npy);
    }
    if (!st) return st;
    if (Status j = add("json", std::span(reinterpret_cast<const uint8_t*>(s.json.data()), s.json.size())); !j) return j;
    if (!s.label.empty()) {
      const int64_t cls = classes_->Index(s.label);
      if (cls >= 0) {
        std::string text = std::to_string(cls);
        if (Status c = add("cls", std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())); !c) return c;
      }
    }
    return Append(buf.data(), buf.size());
  }

  Status AddTfRecord(const PackSample& s) {
    ExampleBuilder ex;
    if (!s.image.empty()) {
      ex.AddBytes("image/encoded", {std::string(s.image.begin(), s.image.end())});
      ex.AddBytes("image/format", {s.image_format});
    } else {
      ex.AddBytes("tensor/data", {std::string(s.array.begin(), s.array.end())});
      ex.AddInt64("tensor/shape", s.shape);
      ex.AddBytes("tensor/dtype", {s.dtype});
      ex.AddBytes("tensor/layout", {s.layout});
    }
    ex.AddInt64("image/height", {s.height});
    ex.AddInt64("image/width", {s.width});
    ex.AddBytes("image/filename", {s.id});
    ex.AddBytes("image/source_id", {s.id});
    if (!s.image.empty()) ex.AddBytes("image/key/sha256", {Sha256Hex(s.image.data(), s.image.size())});
    std::vector<float> xmin, xmax, ymin, ymax;
    std::vector<std::string> text;
    std::vector<int64_t> label;
    for (size_t i = 0; i < s.boxes.size(); ++i) {
      const BoxXYXY& b = s.boxes[i];
      auto nx = [&](double v) { return float(std::clamp(v / std::max(s.width, 1), 0.0, 1.0)); };
      auto ny = [&](double v) { return float(std::clamp(v / std::max(s.height, 1), 0.0, 1.0)); };
      xmin.push_back(nx(b.x0));
      xmax.push_back(nx(b.x1));
      ymin.push_back(ny(b.y0));
      ymax.push_back(ny(b.y1));
      text.push_back(s.box_labels[i]);
      const int64_t idx = classes_->Index(s.box_labels[i]);
      if (idx < 0 && classes_->fixed())
        return MakeError("unknown-class", "box label \"" + s.box_labels[i] + "\" is not in --classes");
      label.push_back(idx + 1);  // label maps of the Object Detection API start at 1
    }
    ex.AddFloat("image/object/bbox/xmin", xmin);
    ex.AddFloat("image/object/bbox/xmax", xmax);
    ex.AddFloat("image/object/bbox/ymin", ymin);
    ex.AddFloat("image/object/bbox/ymax", ymax);
    ex.AddBytes("image/object/class/text", text);
    ex.AddInt64("image/object/class/label", label);
    if (!s.label.empty()) {
      ex.AddBytes("image/class/text", {s.label});
      const int64_t idx = classes_->Index(s.label);
      if (idx >= 0) ex.AddInt64("image/class/label", {idx + 1});  // 1-based like the object labels
    }
    const std::string bytes = ex.Serialize();
    std::vector<uint8_t> framed;
    AppendTfRecord(&framed, std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    return Append(framed.data(), framed.size());
  }

  // .npy: a header with room for any row count, then rows; the real header is written at the end.
  Status AddArray(const PackSample& s) {
    if (count_ == 0) {
      if (NpyDescr(s.dtype).empty()) return MakeError("unsupported", "dtype " + s.dtype + " for .npy");
      shape_ = s.shape;
      dtype_ = s.dtype;
      std::vector<int64_t> big = {int64_t(999999999999)};
      big.insert(big.end(), shape_.begin(), shape_.end());
      auto reserve = NpyHeader(NpyDescr(dtype_), big);
      if (!reserve) return reserve.error();
      reserved_ = reserve->size();
      data_start_ = config_.format == PackFormat::kNpz ? 30 + std::string("images.npy").size() : 0;
      std::string zeros(data_start_ + reserved_, '\0');
      if (Status st = Append(zeros.data(), zeros.size()); !st) return st;
    } else if (s.shape != shape_ || s.dtype != dtype_) {
      return MakeError("bad-shape", "array " + ShapeText(s.shape, s.dtype) + " differs from this shard's " +
                                        ShapeText(shape_, dtype_) + " (one array per shard: resize with img-norm)");
    }
    labels_.push_back(s.label.empty() ? -1 : classes_->Index(s.label));
    return Append(s.array.data(), s.array.size());
  }

  Status AddImageFolder(const PackSample& s, const std::string& key) {
    const std::string file = key + "." + s.image_ext;
    if (Status st = WriteFileBytes(tmp_ / file, s.image); !st) return st;
    std::string line = "{\"file_name\":" + JsonString(file) + ",\"id\":" + JsonString(s.id) +
                       ",\"width\":" + std::to_string(s.width) + ",\"height\":" + std::to_string(s.height) +
                       ",\"objects\":{\"bbox\":[";
    for (size_t i = 0; i < s.boxes.size(); ++i) {
      const BoxXYXY& b = s.boxes[i];  // COCO-style [x, y, width, height], absolute pixels
      line += (i ? ",[" : "[") + JsonNumber(b.x0) + "," + JsonNumber(b.y0) + "," + JsonNumber(b.x1 - b.x0) +
              "," + JsonNumber(b.y1 - b.y0) + "]";
    }
    line += "],\"category\":[";
    for (size_t i = 0; i < s.box_labels.size(); ++i) {
      if (i) line += ",";
      if (classes_->fixed()) {
        const int64_t idx = classes_->Index(s.box_labels[i]);
        if (idx < 0) return MakeError("unknown-class", "box label \"" + s.box_labels[i] + "\" is not in --classes");
        line += std::to_string(idx);
      } else {
        line += JsonString(s.box_labels[i]);
      }
    }
    line += "]}";
    if (classes_->fixed()) line += ",\"label\":" + std::to_string(s.label.empty() ? -1 : classes_->Index(s.label));
    line += "}\n";
    meta_ += line;
    bytes_ += s.image.size() + line.size();
    return Status::Ok();
  }

  static Status WriteFileBytes(const fs::path& path, std::span<const uint8_t> data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return MakeError("io", path.string() + ": " + std::strerror(errno));
    Status st = WriteAll(fd, data.data(), data.size(), path.string());
    if (st && fsync(fd) != 0) st = MakeError("io", path.string() + ": fsync: " + std::strerror(errno));
    close(fd);
    return st;
  }

  static std::string ShapeText(const std::vector<int64_t>& shape, const std::string& dtype) {
    std::string t = dtype + "[";
    for (size_t i = 0; i < shape.size(); ++i) t += (i ? "," : "") + std::to_string(shape[i]);
    return t + "]";
  }

  Status Finish() {
    if (config_.format == PackFormat::kImageFolder) {
      if (Status st = WriteFileBytes(tmp_ / "metadata.jsonl",
                                     std::span(reinterpret_cast<const uint8_t*>(meta_.data()), meta_.size()));
          !st)
        return st;
      info_.sha256 = Sha256Hex(meta_.data(), meta_.size());
      info_.bytes = bytes_;
      return Status::Ok();
    }
    if (config_.format == PackFormat::kWebDataset) {
      std::vector<uint8_t> end;
      AppendTarEnd(&end);
      if (Status st = Append(end.data(), end.size()); !st) return st;
    }
    if (config_.format == PackFormat::kNpy || config_.format == PackFormat::kNpz) {
      if (Status st = FinishArray(); !st) return st;
    }
    if (fsync(fd_) != 0) return MakeError("io", tmp_.string() + ": fsync: " + std::strerror(errno));
    struct stat stt;
    fstat(fd_, &stt);
    info_.bytes = uint64_t(stt.st_size);
    if (stt.st_size > 0) {
      void* map = mmap(nullptr, size_t(stt.st_size), PROT_READ, MAP_SHARED, fd_, 0);
      if (map == MAP_FAILED) return MakeError("io", tmp_.string() + ": mmap: " + std::strerror(errno));
      info_.sha256 = Sha256Hex(map, size_t(stt.st_size));
      munmap(map, size_t(stt.st_size));
    } else {
      info_.sha256 = Sha256Hex("", 0);
    }
    close(fd_);
    fd_ = -1;
    return Status::Ok();
  }

  Status FinishArray() {
    std::vector<int64_t> full = {int64_t(count_)};
    full.insert(full.end(), shape_.begin(), shape_.end());
    info_.shape = full;
    info_.dtype = dtype_;
    auto header = NpyHeader(NpyDescr(dtype_), full, reserved_);
    if (!header) return header.error();
    if (header->size() != reserved_) return MakeError("io", "npy header size changed");
    if (Status st = PWriteAll(fd_, header->data(), header->size(), off_t(data_start_), tmp_.string()); !st) return st;
    if (config_.format == PackFormat::kNpy) return Status::Ok();

    // .npz: CRC the images.npy entry as it now stands, then labels.npy, the directory, and the
    // local header of the first entry.
    const uint64_t entry_size = bytes_ - data_start_;
    if (bytes_ + 4096 + labels_.size() * 8 >= (1ull << 32))
      return MakeError("too-large", "an .npz shard must stay below 4 GiB (use --max-size)");
    uint32_t crc = 0;
    std::vector<uint8_t> buf(1 << 20);
    for (uint64_t off = 0; off < entry_size;) {
      const size_t n = size_t(std::min<uint64_t>(buf.size(), entry_size - off));
      if (pread(fd_, buf.data(), n, off_t(data_start_ + off)) != ssize_t(n))
        return MakeError("io", tmp_.string() + ": read back: " + std::strerror(errno));
      crc = Crc32(crc, buf.data(), n);
      off += n;
    }
    std::vector<ZipEntryInfo> entries;
    entries.push_back({"images.npy", crc, uint32_t(entry_size), 0});
    if (!classes_->names().empty() || std::any_of(labels_.begin(), labels_.end(), [](int64_t v) { return v >= 0; })) {
      auto lh = NpyHeader(NpyDescr("i64"), {int64_t(labels_.size())});
      if (!lh) return lh.error();
      std::string npy = *lh;
      npy.append(reinterpret_cast<const char*>(labels_.data()), labels_.size() * 8);
      ZipEntryInfo e{"labels.npy", Crc32(0, npy.data(), npy.size()), uint32_t(npy.size()), uint32_t(bytes_)};
      std::string local = ZipLocalHeader(e) + npy;
      if (Status st = Append(local.data(), local.size()); !st) return st;
      entries.push_back(e);
    }
    const std::string dir = ZipDirectory(entries, uint32_t(bytes_));
    if (Status st = Append(dir.data(), dir.size()); !st) return st;
    const std::string first = ZipLocalHeader(entries[0]);
    return PWriteAll(fd_, first.data(), first.size(), 0, tmp_.string());
  }

  const PackToolConfig& config_;
  ClassMap* classes_;
  bool open_ = false;
  int fd_ = -1;
  fs::path tmp_, final_;
  ShardInfo info_;
  uint64_t count_ = 0, bytes_ = 0;
  std::set<std::string> keys_;
  std::string meta_;
  std::vector<int64_t> labels_;
  std::vector<int64_t> shape_;
  std::string dtype_;
  size_t reserved_ = 0, data_start_ = 0;
};

std::string IndexLine(const PackToolConfig& config, const ShardInfo& s) {
  std::string j = "{\"shard\":" + JsonString(s.name) + ",\"path\":" + JsonString(s.path) +
                  ",\"format\":\"" + PackFormatName(config.format) + "\",\"records\":" +
                  std::to_string(s.records) + ",\"bytes\":" + std::to_string(s.bytes) +
                  ",\"sha256\":\"" + s.sha256 + "\"";
  if (config.format == PackFormat::kImageFolder) j += ",\"sha256_of\":\"metadata.jsonl\"";
  j += ",\"first_id\":" + JsonString(s.first_id) + ",\"last_id\":" + JsonString(s.last_id);
  if (!s.shape.empty()) {
    j += ",\"shape\":[";
    for (size_t i = 0; i < s.shape.size(); ++i) j += (i ? "," : "") + std::to_string(s.shape[i]);
    j += "],\"dtype\":\"" + s.dtype + "\"";
    if (s.dtype == "bf16") j += ",\"stored_as\":\"uint16 bits of bfloat16\"";
  }
  return j + "}";
}

}  // namespace

int RunPack(const PackToolConfig& config) {
  PrepareStandardStreams();
  const std::string& tool = config.driver.tool;
  std::error_code ec;
  fs::create_directories(config.output_dir, ec);
  if (!fs::is_directory(config.output_dir)) {
    ReportError(tool, config.output_dir + ": cannot create the output folder" + (ec ? ": " + ec.message() : ""));
    return kExitUsage;
  }
  RecordReader reader(STDIN_FILENO, "stdin", config.reader);
  RecordWriter out(STDOUT_FILENO);
  ClassMap classes(config.classes);
  ShardWriter shard(config, &classes);
  const int threads = config.driver.threads > 0 ? config.driver.threads
                                                : int(std::max(1u, std::thread::hardware_concurrency()));
  const size_t batch_max = config.driver.max_inflight ? config.driver.max_inflight : size_t(threads) * 4;

  uint64_t in = 0, packed = 0, passed = 0, dropped = 0, failed = 0, shards = 0;
  std::map<std::string, uint64_t> failures;
  bool stream_error = false, stop = false, fatal = false, closed = false;
  int next_shard = 0;
  std::string index_text;
  const fs::path index_path = fs::path(config.output_dir) / (config.shard_prefix + "index.ndjson");

  auto emit = [&](const Record& r) {
    if (closed) return;
    Status s = out.Write(r);
    if (!s) {
      closed = true;
      if (s.error().code != "closed") ReportError(tool, s.error().message), fatal = true;
    }
  };
  auto close_shard = [&]() -> bool {
    if (!shard.open()) return true;
    auto info = shard.Close();
    if (!info) {
      ReportError(tool, info.error().message);
      fatal = true;
      return false;
    }
    ++shards;
    const std::string line = IndexLine(config, *info);
    index_text += line + "\n";
    if (Status s = WriteFileAtomic(index_path, std::span(reinterpret_cast<const uint8_t*>(index_text.data()),
                                                         index_text.size()));
        !s) {
      ReportError(tool, s.error().message);
      fatal = true;
      return false;
    }
    auto rec = Record::FromJson(line);
    if (rec) emit(*rec);
    out.Flush();
    return true;
  };
  auto fail_record = [&](Record& r, const Error& e) {
    ++failed;
    ++failures[e.code];
    if (failed <= config.driver.max_error_messages) ReportError(tool, e.message);
    r.ClearPayload();
    r.SetError(tool, e);
    if (config.driver.on_error == OnError::kDrop) ++dropped;
    else emit(r), ++passed;
    if (config.driver.on_error == OnError::kFail) stop = true;
  };

  std::vector<Record> batch;
  std::vector<std::optional<Result<PackSample>>> prepared;
  while (!stop && !fatal) {
    batch.clear();
    while (batch.size() < batch_max) {
      Record r;
      auto got = reader.Next(&r);
      if (!got) {
        ReportError(tool, got.error().message);
        stream_error = true;
        break;
      }
      if (!*got) break;
      ++in;
      batch.push_back(std::move(r));
    }
    if (batch.empty()) break;
    prepared.assign(batch.size(), std::nullopt);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < batch.size();) {
        Record& r = batch[i];
        if (r.Has("error")) continue;
        if (r.malformed_input) continue;
        prepared[i] = PreparePackSample(config, r);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads && size_t(t) < batch.size(); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();

    for (size_t i = 0; i < batch.size() && !stop && !fatal; ++i) {
      Record& r = batch[i];
      if (r.malformed_input) {
        auto err = Record::FromJson(*r.FindRaw("error"));
        fail_record(r, Error{err ? err->GetString("code").value_or("bad-json") : "bad-json",
                             err ? err->GetString("message").value_or("") : ""});
        continue;
      }
      if (!prepared[i]) {  // arrived with `error`: passed on untouched
        if (config.driver.on_error == OnError::kDrop) ++dropped;
        else r.ClearPayload(), emit(r), ++passed;
        continue;
      }
      if (!prepared[i]->ok()) {
        fail_record(r, prepared[i]->error());
        continue;
      }
      const PackSample& s = prepared[i]->value();
      if (shard.Full(ShardWriter::SampleBytes(s)) && !close_shard()) break;
      if (!shard.open()) {
        if (Status st = shard.Open(next_shard++); !st) {
          ReportError(tool, st.error().message);
          fatal = true;
          break;
        }
      }
      Status st = shard.Add(s);
      if (!st) {
        if (st.error().code == "io" || st.error().code == "too-large") {
          ReportError(tool, st.error().message);
          fatal = true;
          break;
        }
        fail_record(r, st.error());
        continue;
      }
      ++packed;
    }
    if (stream_error) break;
  }
  if (!fatal && shard.count() > 0) close_shard();
  shard.Abort();
  if (!classes.fixed() && !classes.names().empty() && !fatal) {
    std::string names;
    for (const std::string& n : classes.names()) names += n + "\n";
    const fs::path classes_path = fs::path(config.output_dir) / (config.shard_prefix + "classes.txt");
    (void)WriteFileAtomic(classes_path, std::span(reinterpret_cast<const uint8_t*>(names.data()), names.size()));
  }
  out.Flush();

  const bool has_failures = failed > 0;
  if (!config.driver.quiet || has_failures || fatal) {
    std::string line = std::to_string(in) + " in, " + std::to_string(packed) + " packed into " +
                       std::to_string(shards) + " shard" + (shards == 1 ? "" : "s") + ", " +
                       std::to_string(passed) + " passed on, " + std::to_string(dropped) + " dropped";
    if (has_failures) {
      line += "; " + std::to_string(failed) + " failed (";
      bool first = true;
      for (const auto& [code, n] : failures) line += (first ? "" : ", ") + code + " " + std::to_string(n), first = false;
      line += ")";
    }
    if (stop) line += "; stopped at the first failure (--on-error=fail)";
    Report(tool, has_failures ? Severity::kWarning : Severity::kNote, line);
  }
  if (stream_error || fatal) return kExitUsage;
  return has_failures ? kExitSomeFailed : kExitOk;
}

}  // namespace imgpipe
