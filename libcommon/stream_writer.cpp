// RecordWriter and the process-wide stream setup.
#include "libcommon/stream_writer.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "libcommon/frame.h"

namespace imgpipe {
namespace {

constexpr size_t kFlushAt = 1u << 20;

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
    AppendFrame(record, &buf_);
  } else {
    buf_ += record.HasPayload() ? FrameHeaderJson(record) : record.ToJson();
    buf_.push_back('\n');
  }
  if (buf_.size() >= kFlushAt) return Flush();
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
