// MappedInstances: mmap + the streaming parse + page release (coco_mapped.h).
#include "formats/coco/coco_mapped.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imgpipe::coco {

Result<std::unique_ptr<MappedInstances>> MappedInstances::Open(const std::string& path, ParseOptions options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("io", path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError("io", path + ": not a regular file");
  }
  if (uint64_t(st.st_size) > options.max_file_bytes) {
    ::close(fd);
    return MakeError("too-large", path + ": " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                                      std::to_string(options.max_file_bytes));
  }
  std::unique_ptr<MappedInstances> m(new MappedInstances());
  m->size_ = size_t(st.st_size);
  if (m->size_ > 0) {
    void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return MakeError("io", path + ": cannot map: " + why);
    }
    m->data_ = static_cast<const char*>(p);
    ::madvise(p, m->size_, MADV_SEQUENTIAL);  // the parse reads front to back: read ahead
  }
  ::close(fd);
  options.segmentation_spans = true;
  const char* base = m->data_;
  size_t released = 0;
  // Pages behind the parse are not read again by it: give them back as it goes.
  options.on_progress = [base, &released](uint64_t done) {
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_t upto = size_t(done) / page * page;
    if (upto > released + (size_t(8) << 20)) {
      ::madvise(const_cast<char*>(base), upto, MADV_DONTNEED);
      released = upto;
    }
  };
  auto parsed = ParseInstances(std::string_view(m->data_ ? m->data_ : "", m->size_), path, options);
  if (!parsed) return parsed.error();
  m->instances = std::move(parsed.value());
  m->Release();
  if (m->data_) ::madvise(const_cast<char*>(m->data_), m->size_, MADV_NORMAL);
  return m;
}

MappedInstances::~MappedInstances() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

std::string_view MappedInstances::Read(const TextSpan& span) {
  if (span.offset + span.size > size_) return {};
  read_since_release_ += span.size;
  if (read_since_release_ > release_every) Release();
  return std::string_view(data_ + span.offset, span.size);
}

void MappedInstances::Release() {
  read_since_release_ = 0;
  if (data_) ::madvise(const_cast<char*>(data_), size_, MADV_DONTNEED);
}

}  // namespace imgpipe::coco
