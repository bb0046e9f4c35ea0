// Journal: load (committed batches only), repair an interrupted tail, append batches with commits.
#include "tools/img-fetch/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libcommon/json.h"
#include "libcommon/record.h"

namespace imgpipe {
namespace {

std::string EntryLine(const std::string& url, const JournalEntry& entry) {
  std::string line = "{\"url\":";
  AppendJsonString(&line, url);
  line += entry.ok ? ",\"ok\":true" : ",\"ok\":false";
  if (!entry.code.empty()) {
    line += ",\"code\":";
    AppendJsonString(&line, entry.code);
  }
  if (!entry.sha256.empty()) line += ",\"sha256\":\"" + entry.sha256 + "\"";
  line += "}\n";
  return line;
}

std::string CommitLine(const OutputMark& m) {
  std::string line = "{\"commit\":{";
  if (m.has_offset) {
    line += "\"out\":" + std::to_string(m.offset) + ",\"dev\":" + std::to_string(m.dev) +
            ",\"ino\":" + std::to_string(m.ino);
    if (!m.path.empty()) {
      line += ",\"path\":";
      AppendJsonString(&line, m.path);
    }
  }
  line += "}}\n";
  return line;
}

OutputMark ParseMark(const std::string& raw) {
  OutputMark m;
  auto rec = Record::FromJson(raw);
  if (!rec) return m;
  auto out = rec->GetInt("out");
  if (out && *out >= 0) {
    m.has_offset = true;
    m.offset = uint64_t(*out);
    m.dev = uint64_t(rec->GetInt("dev").value_or(0));
    m.ino = uint64_t(rec->GetInt("ino").value_or(0));
    m.path = rec->GetString("path").value_or("");
  }
  return m;
}

}  // namespace

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
  std::map<std::string, JournalEntry> pending;  // since the last commit line
  size_t committed_end = 0;
  size_t pos = 0;
  while (pos < complete) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    auto rec = Record::FromJson(line);
    if (!rec) continue;  // not ours to judge: skip lines we cannot read
    if (const std::string* commit = rec->FindRaw("commit")) {
      for (auto& [u, e] : pending) entries_[u] = std::move(e);
      pending.clear();
      last_mark_ = ParseMark(*commit);
      has_mark_ = true;
      committed_end = pos;
      continue;
    }
    auto url = rec->GetString("url");
    if (!url) continue;
    JournalEntry e;
    e.ok = rec->FindRaw("ok") && *rec->FindRaw("ok") == "true";
    e.code = rec->GetString("code").value_or("");
    e.sha256 = rec->GetString("sha256").value_or("");
    e.retryable = !e.ok && RetryableCode(e.code);
    pending[*url] = std::move(e);
  }
  size_t keep = complete;
  if (has_mark_) {
    keep = committed_end;  // an interrupted batch: its records are cut from the output too
  } else {
    for (auto& [u, e] : pending) entries_[u] = std::move(e);
  }
  if (keep < text.size() && ftruncate(fd_, off_t(keep)) != 0)
    return MakeError("io", path + ": cannot repair journal: " + std::strerror(errno));
  return Status::Ok();
}

const JournalEntry* Journal::Find(const std::string& url) const {
  auto it = entries_.find(url);
  return it == entries_.end() ? nullptr : &it->second;
}

Status Journal::WriteWhole(const std::string& text) {
  // O_APPEND: concurrent appends and a kill at any moment cannot interleave half lines within one
  // write; a batch too large for one write continues where the last one stopped.
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError("io", path_ + ": cannot append to journal: " + std::strerror(errno));
    done += size_t(n);
  }
  return Status::Ok();
}

Status Journal::Commit(const std::vector<std::pair<std::string, JournalEntry>>& batch,
                       const OutputMark& mark) {
  if (fd_ < 0) return Status::Ok();
  std::string text;
  for (const auto& [url, e] : batch) text += EntryLine(url, e);
  text += CommitLine(mark);
  if (Status st = WriteWhole(text); !st) return st;
  for (const auto& [url, e] : batch) {
    JournalEntry& slot = entries_[url];
    slot = e;
    slot.retryable = !e.ok && RetryableCode(e.code);
  }
  last_mark_ = mark;
  has_mark_ = true;
  return Status::Ok();
}

Status Journal::Append(const std::string& url, const JournalEntry& entry) {
  if (fd_ < 0) return Status::Ok();
  std::string line = EntryLine(url, entry);
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
