// RecordWriter and the process-wide stream setup.
#include "libcommon/stream_writer.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "libcommon/crc32c.h"
#include "libcommon/frame.h"

namespace imgpipe {
namespace {

constexpr size_t kFlushAt = 1u << 20;
constexpr size_t kDirectPayload = 64u << 10;  // larger payloads are written from where they lie

void GrowPipe(int fd) {
#ifdef F_SETPIPE_SZ
  // Bigger pipe buffers mean fewer context switches between the programs of a pipeline. The
  // unprivileged maximum is /proc/sys/fs/pipe-max-size; a failure leaves the default in place.
  static const int want = [] {
    long max = 1 << 20;
    std::ifstream f("/proc/sys/fs/pipe-max-size");
    if (f) f >> max;
    return int(std::min<long>(max, 4 << 20));
  }();
  if (fcntl(fd, F_GETPIPE_SZ) > 0) (void)fcntl(fd, F_SETPIPE_SZ, want);
#endif
}

}  // namespace

void PrepareStandardStreams() {
  signal(SIGPIPE, SIG_IGN);
  // Image buffers of many MB come and go per record; glibc would mmap and unmap each one and
  // the kernel would zero fresh pages every time. Keeping them in the heap reuses the pages.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  GrowPipe(STDIN_FILENO);
  GrowPipe(STDOUT_FILENO);
}

RecordWriter::RecordWriter(int fd, OutputMode mode)
    : fd_(fd), mode_(mode), is_terminal_(isatty(fd) == 1) {
  buf_.reserve(kFlushAt + 4096);
}

RecordWriter::~RecordWriter() { (void)Flush(); }

Status RecordWriter::Write(const Record& record) {
  if (record.HasPayload() && mode_ == OutputMode::kAuto) {
    if (is_terminal_)
      return MakeError("usage",
                       "refusing to write binary frames to a terminal (redirect stdout, or pipe "
                       "into `img-cat --headers`)");
    if (record.payload.size() >= kDirectPayload) return WriteLargeFrame(record);
    AppendFrame(record, &buf_);
  } else {
    buf_ += record.HasPayload() ? FrameHeaderJson(record) : record.ToJson();
    buf_.push_back('\n');
  }
  if (buf_.size() >= kFlushAt) return Flush();
  return Status::Ok();
}

Status RecordWriter::WriteLarge(const uint8_t* data, size_t size) {
  // One writev for the buffered bytes and the payload, then loop on whatever is left.
  size_t buffered_done = 0, data_done = 0;
  while (buffered_done < buf_.size() || data_done < size) {
    iovec iov[2];
    int n_iov = 0;
    if (buffered_done < buf_.size())
      iov[n_iov++] = {buf_.data() + buffered_done, buf_.size() - buffered_done};
    if (data_done < size) iov[n_iov++] = {const_cast<uint8_t*>(data) + data_done, size - data_done};
    ssize_t n = ::writev(fd_, iov, n_iov);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buf_.clear();
      if (errno == EPIPE) return MakeError("closed", "output closed");
      return MakeError("io", std::string("write error: ") + std::strerror(errno));
    }
    size_t left = size_t(n);
    size_t take = std::min(left, buf_.size() - buffered_done);
    buffered_done += take;
    data_done += left - take;
  }
  buf_.clear();
  return Status::Ok();
}

Status RecordWriter::WriteLargeFrame(const Record& record) {
  uint32_t crc = AppendFrameHead(record, &buf_);
  crc = Crc32c(crc, record.payload.data(), record.payload.size());
  if (Status s = WriteLarge(record.payload.data(), record.payload.size()); !s) return s;
  for (int i = 0; i < 4; ++i) buf_.push_back(char((crc >> (8 * i)) & 0xFF));
  return Status::Ok();
}

Status RecordWriter::Flush() {
  size_t done = 0;
  while (done < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buf_.clear();
      if (errno == EPIPE) return MakeError("closed", "output closed");
      return MakeError("io", std::string("write error: ") + std::strerror(errno));
    }
    done += size_t(n);
  }
  buf_.clear();
  return Status::Ok();
}

}  // namespace imgpipe
