// Journal: load, repair a torn tail, append whole lines.
#include "tools/img-fetch/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libcommon/json.h"
#include "libcommon/record.h"

namespace imgpipe {

bool RetryableCode(const std::string& code) {
  return code == "timeout" || code == "connect" || code == "dns" || code == "http-error" ||
         code == "http-429" || code == "truncated" || code == "host-down" ||
         (code.size() == 8 && code.rfind("http-5", 0) == 0);
}

Journal::~Journal() {
  if (fd_ >= 0) close(fd_);
}

Status Journal::Open(const std::string& path) {
  path_ = path;
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return MakeError("io", path + ": cannot open journal: " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = pread(fd_, buf, sizeof buf, off_t(text.size()));
    if (n < 0) return MakeError("io", path + ": cannot read journal: " + std::strerror(errno));
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  if (complete < text.size() && ftruncate(fd_, off_t(complete)) != 0)
    return MakeError("io", path + ": cannot repair journal: " + std::strerror(errno));
  size_t pos = 0;
  while (pos < complete) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    auto rec = Record::FromJson(line);
    if (!rec) continue;  // not ours to judge: skip lines we cannot read
    auto url = rec->GetString("url");
    if (!url) continue;
    JournalEntry e;
    e.ok = rec->FindRaw("ok") && *rec->FindRaw("ok") == "true";
    e.code = rec->GetString("code").value_or("");
    e.sha256 = rec->GetString("sha256").value_or("");
    e.retryable = !e.ok && RetryableCode(e.code);
    entries_[*url] = e;
  }
  return Status::Ok();
}

const JournalEntry* Journal::Find(const std::string& url) const {
  auto it = entries_.find(url);
  return it == entries_.end() ? nullptr : &it->second;
}

Status Journal::Append(const std::string& url, const JournalEntry& entry) {
  if (fd_ < 0) return Status::Ok();
  std::string line = "{\"url\":";
  AppendJsonString(&line, url);
  line += entry.ok ? ",\"ok\":true" : ",\"ok\":false";
  if (!entry.code.empty()) {
    line += ",\"code\":";
    AppendJsonString(&line, entry.code);
  }
  if (!entry.sha256.empty()) line += ",\"sha256\":\"" + entry.sha256 + "\"";
  line += "}\n";
  // O_APPEND + one write: concurrent runs and a kill at any moment cannot interleave half lines.
  ssize_t n;
  do n = write(fd_, line.data(), line.size());
  while (n < 0 && errno == EINTR);
  if (n != ssize_t(line.size()))
    return MakeError("io", path_ + ": cannot append to journal: " + std::strerror(errno));
  entries_[url] = entry;
  entries_[url].retryable = !entry.ok && RetryableCode(entry.code);
  return Status::Ok();
}

void Journal::Sync() {
  if (fd_ >= 0) fsync(fd_);
}

}  // namespace imgpipe
