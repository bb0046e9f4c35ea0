// Stream test helpers: memfds and pipes instead of temp files, so tests leave nothing behind.
#include "tests/support/stream_helpers.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "libcommon/crc32c.h"
#include "libcommon/frame.h"

namespace imgpipe::testing {
namespace {

void WriteFully(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader went away (a test that stops early): nothing to do
    data += n;
    size -= size_t(n);
  }
}

ReadResult ReadFromFd(int fd, ReaderOptions options) {
  ReadResult result;
  RecordReader reader(fd, "test", std::move(options));
  // A bound on iterations turns a reader that never ends into a failure instead of a hang.
  for (int guard = 0; guard < 10'000'000; ++guard) {
    Record record;
    auto got = reader.Next(&record);
    if (!got) {
      result.error = got.error();
      return result;
    }
    if (!*got) return result;
    result.records.push_back(std::move(record));
  }
  result.error = MakeError("test-hang", "reader did not end");
  return result;
}

}  // namespace

MemFile::MemFile() {
  fd_ = memfd_create("imgpipe-test", MFD_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
}

MemFile::MemFile(std::string_view contents) : MemFile() {
  WriteFully(fd_, contents.data(), contents.size());
  ::lseek(fd_, 0, SEEK_SET);
}

MemFile::~MemFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string MemFile::Contents() const {
  std::string out;
  char buf[1 << 16];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd_, buf, sizeof(buf), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, size_t(n));
    at += n;
  }
  return out;
}

ReadResult ReadAllRecords(std::string_view bytes, ReaderOptions options) {
  MemFile file(bytes);
  return ReadFromFd(file.fd(), std::move(options));
}

ReadResult ReadAllRecordsViaPipe(std::string_view bytes, size_t chunk, ReaderOptions options) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::string copy(bytes);
  std::thread feeder([&, out = fds[1]] {
    for (size_t at = 0; at < copy.size(); at += chunk)
      WriteFully(out, copy.data() + at, std::min(chunk, copy.size() - at));
    ::close(out);
  });
  ReadResult result = ReadFromFd(fds[0], std::move(options));
  // Drain whatever the reader left (it may stop at an error) so the feeder can finish.
  char sink[4096];
  while (::read(fds[0], sink, sizeof(sink)) > 0) {
  }
  feeder.join();
  ::close(fds[0]);
  return result;
}

std::string WriteAllRecords(const std::vector<Record>& records, OutputMode mode) {
  MemFile file;
  {
    RecordWriter writer(file.fd(), mode);
    for (const Record& r : records) {
      Status s = writer.Write(r);
      if (!s) throw std::runtime_error("RecordWriter::Write: " + s.error().message);
    }
    Status s = writer.Flush();
    if (!s) throw std::runtime_error("RecordWriter::Flush: " + s.error().message);
  }
  return file.Contents();
}

Result<bool> VectorSource::Next(Record* record) {
  if (next_ < records_.size()) {
    *record = records_[next_++];
    return true;
  }
  if (final_error_) return *final_error_;
  return false;
}

Record MakeEncodedRecord(std::string_view id, size_t bytes, uint8_t seed) {
  Record r;
  r.SetString("id", id);
  r.SetString("mime", "application/octet-stream");
  r.SetInt("bytes", int64_t(bytes));
  r.payload_info.kind = PayloadKind::kEncoded;
  r.payload.resize(bytes);
  for (size_t i = 0; i < bytes; ++i) r.payload[i] = uint8_t(i * 31 + seed);
  return r;
}

Record MakePixelsRecord(std::string_view id, int width, int height, int channels,
                        std::string_view dtype, uint8_t seed) {
  Record r;
  r.SetString("id", id);
  r.SetInt("width", width);
  r.SetInt("height", height);
  r.payload_info.kind = PayloadKind::kPixels;
  r.payload_info.width = width;
  r.payload_info.height = height;
  r.payload_info.channels = channels;
  r.payload_info.dtype = std::string(dtype);
  r.payload.resize(size_t(width) * height * channels * DtypeSize(dtype));
  for (size_t i = 0; i < r.payload.size(); ++i) r.payload[i] = uint8_t(i * 7 + seed);
  return r;
}

Record MakeTensorRecord(std::string_view id, std::vector<int64_t> shape, std::string_view dtype,
                        std::string_view layout, uint8_t seed) {
  Record r;
  r.SetString("id", id);
  r.payload_info.kind = PayloadKind::kTensor;
  r.payload_info.dtype = std::string(dtype);
  r.payload_info.layout = std::string(layout);
  size_t n = DtypeSize(dtype);
  for (int64_t d : shape) n *= size_t(d);
  r.payload_info.shape = std::move(shape);
  r.payload.resize(n);
  for (size_t i = 0; i < n; ++i) r.payload[i] = uint8_t(i * 13 + seed);
  return r;
}

uint64_t GetLe(std::string_view bytes, size_t offset, int size) {
  uint64_t v = 0;
  for (int i = size - 1; i >= 0; --i) v = v << 8 | uint8_t(bytes.at(offset + size_t(i)));
  return v;
}

void PutLe(std::string* bytes, size_t offset, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) bytes->at(offset + size_t(i)) = char((value >> (8 * i)) & 0xFF);
}

void FixFrameCrc(std::string* bytes, size_t start) {
  uint64_t header_len = GetLe(*bytes, start + 8, 4);
  uint64_t payload_len = GetLe(*bytes, start + 12 + header_len, 8);
  size_t crc_at = start + 20 + header_len + payload_len;
  uint32_t crc = Crc32c(0, bytes->data() + start, crc_at - start);
  PutLe(bytes, crc_at, crc, 4);
}

}  // namespace imgpipe::testing
