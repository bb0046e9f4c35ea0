// Shared by the fuzz targets: bytes into a file descriptor, and a crash that libFuzzer records.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace imgpipe::fuzz {

// A broken invariant: print it and abort, so libFuzzer saves the input as a crash.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) ::imgpipe::fuzz::Fail(#cond); \
  } while (0)

// An anonymous in-memory file holding `data`, positioned at the start; -1 on failure.
inline int MemFd(const uint8_t* data, size_t size) {
  int fd = memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += size_t(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace imgpipe::fuzz
