// OutputPosition and stale staged files: what a resumed run repairs before it writes.
#include "tools/img-fetch/output_resume.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace imgpipe {
namespace {

std::string FdPath(int fd) {
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = 0;
  return buf[0] == '/' ? std::string(buf) : std::string();  // "pipe:[...]" and the like: no path
}

std::string Cut(const std::string& what, uint64_t from, uint64_t to) {
  return "cut " + what + " back from " + std::to_string(from) + " to " + std::to_string(to) +
         " bytes (records written after the journal's last commit are fetched again)";
}

}  // namespace

Result<OutputMark> OutputPosition::Resume(int fd, std::string path, bool owned, const OutputMark* last,
                                          std::vector<std::string>* notes) {
  fd_ = fd;
  struct stat st {};
  if (fstat(fd, &st) != 0) return MakeError("io", "output: " + std::string(std::strerror(errno)));
  regular_ = S_ISREG(st.st_mode);
  int flags = fcntl(fd, F_GETFL);
  append_ = flags >= 0 && (flags & O_APPEND);
  if (path.empty()) path = FdPath(fd);
  std::string name = path.empty() ? "the output" : path;
  base_ = OutputMark{};
  bool same = last && last->has_offset && regular_ && last->dev == uint64_t(st.st_dev) &&
              last->ino == uint64_t(st.st_ino);
  if (same) {
    uint64_t size = uint64_t(st.st_size);
    if (size < last->offset)
      return MakeError("io", name + " holds " + std::to_string(size) + " bytes but the journal's last commit says " +
                                 std::to_string(last->offset) +
                                 ": it was emptied or rewritten (resume with >> or -o, not >), or use a new journal");
    if (size > last->offset) {
      if (ftruncate(fd, off_t(last->offset)) != 0)
        return MakeError("io", name + ": cannot cut back to the journal's last commit: " + std::strerror(errno));
      notes->push_back(Cut(name, size, last->offset));
    }
    if (!append_) lseek(fd, off_t(last->offset), SEEK_SET);
  } else {
    if (last && last->has_offset && !last->path.empty()) {
      // The previous run wrote elsewhere: that file may end with records the journal never took.
      struct stat old {};
      if (stat(last->path.c_str(), &old) == 0 && S_ISREG(old.st_mode) && uint64_t(old.st_dev) == last->dev &&
          uint64_t(old.st_ino) == last->ino && uint64_t(old.st_size) > last->offset) {
        if (truncate(last->path.c_str(), off_t(last->offset)) != 0)
          return MakeError("io", last->path + ": cannot cut back to the journal's last commit: " +
                                     std::strerror(errno));
        notes->push_back(Cut("the previous output " + last->path, uint64_t(old.st_size), last->offset));
      }
    }
    if (owned && regular_) {
      if (ftruncate(fd, 0) != 0) return MakeError("io", name + ": " + std::strerror(errno));
      lseek(fd, 0, SEEK_SET);
    }
  }
  if (regular_) {
    base_.has_offset = true;
    base_.dev = uint64_t(st.st_dev);
    base_.ino = uint64_t(st.st_ino);
    base_.path = path;
  }
  return Now();
}

OutputMark OutputPosition::Now() const {
  OutputMark m = base_;
  if (!regular_) return m;
  if (append_) {
    struct stat st {};
    fstat(fd_, &st);
    m.offset = uint64_t(st.st_size);
  } else {
    off_t pos = lseek(fd_, 0, SEEK_CUR);
    m.offset = pos < 0 ? 0 : uint64_t(pos);
  }
  return m;
}

size_t RemoveStaleStagedFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    // <sha256>.<ext>.tmp.<pid>.<n>, as StageFile names them.
    size_t tmp = name.find(".tmp.");
    if (tmp == std::string::npos || tmp < 64) continue;
    std::string rest = name.substr(tmp + 5);
    size_t dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 >= rest.size()) continue;
    if (rest.find_first_not_of("0123456789.") != std::string::npos) continue;
    long pid = std::strtol(rest.substr(0, dot).c_str(), nullptr, 10);
    if (pid <= 0 || pid == long(getpid())) continue;
    if (kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to ask)
    if (unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace imgpipe
