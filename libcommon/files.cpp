// Files: the atomic-write and safe-path rules every program that writes files follows.
#include "libcommon/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace imgpipe {
namespace fs = std::filesystem;

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("io", path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError("io", path + ": not a regular file");
  }
  if (uint64_t(st.st_size) > max_bytes) {
    ::close(fd);
    return MakeError("too-large", path + ": " + std::to_string(st.st_size) +
                                      " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  std::vector<uint8_t> bytes(size_t(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  ::close(fd);
  bytes.resize(done);  // the file may have shrunk while we read it
  return bytes;
}

Result<fs::path> StageFile(const fs::path& path, std::span<const uint8_t> bytes) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  static std::atomic<uint64_t> counter{0};
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return MakeError("io", tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return MakeError("io", path.string() + ": " + why);
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return MakeError("io", path.string() + ": " + why);
  }
  return tmp;
}

Status CommitStagedFile(const fs::path& staged, const fs::path& path) {
  if (::rename(staged.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(staged.c_str());
    return MakeError("io", path.string() + ": " + why);
  }
  return Status::Ok();
}

void DiscardStagedFile(const fs::path& staged) { ::unlink(staged.c_str()); }

Status WriteFileAtomic(const fs::path& path, std::span<const uint8_t> bytes) {
  auto staged = StageFile(path, bytes);
  if (!staged) return staged.error();
  return CommitStagedFile(*staged, path);
}

Result<fs::path> SafeJoin(const fs::path& root, const std::string& relative) {
  auto refuse = [&](const std::string& why) {
    return MakeError("unsafe-path", "refusing output name \"" + relative + "\": " + why);
  };
  if (relative.empty()) return refuse("empty name");
  if (relative.find('\0') != std::string::npos) return refuse("NUL byte in name");
  fs::path rel(relative);
  if (rel.is_absolute() || relative[0] == '/') return refuse("absolute path");
  fs::path joined = root;
  for (const fs::path& part : rel) {
    if (part == "..") return refuse("climbs out of the output folder");
    if (part == "." || part.empty()) continue;
    joined /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(joined, ec))) return refuse("goes through a symlink");
  }
  if (joined == root) return refuse("names the output folder itself");
  return joined;
}

}  // namespace imgpipe
