// TestHttpServer: a thread per connection, keep-alive, scripted misbehaviour.
#include "tests/support/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace imgpipe::testing {

HttpResponse HttpResponse::Ok(std::string body, std::string content_type) {
  HttpResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

HttpResponse HttpResponse::Status(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "text/plain");
  return r;
}

HttpResponse HttpResponse::Redirect(int status, std::string location) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

TestHttpServer::TestHttpServer(HttpHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(listen_fd_, 512);
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestHttpServer::~TestHttpServer() {
  stop_ = true;
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  close(listen_fd_);
  if (wake_[0] >= 0) close(wake_[0]);
  if (wake_[1] >= 0) close(wake_[1]);
}

std::string TestHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int TestHttpServer::Requests(const std::string& path) const {
  std::lock_guard lock(mu_);
  return int(std::count(log_.begin(), log_.end(), path));
}

std::vector<std::string> TestHttpServer::Log() const {
  std::lock_guard lock(mu_);
  return log_;
}

std::string TestHttpServer::LastUserAgent() const {
  std::lock_guard lock(mu_);
  return last_user_agent_;
}

void TestHttpServer::AcceptLoop() {
  while (!stop_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, 100) <= 0) continue;
    if (fds[1].revents) break;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

bool TestHttpServer::Pause(int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (stop_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 10)));
  }
  return !stop_;
}

bool TestHttpServer::SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    if (stop_) return false;
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

void TestHttpServer::Serve(int fd) {
  std::string in;
  bool keep_alive = true;
  while (keep_alive && !stop_) {
    // Read one request head.
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (stop_) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[8192];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        close(fd);
        return;
      }
      in.append(buf, size_t(n));
    }
    if (end == std::string::npos) break;
    std::string head = in.substr(0, end);
    in.erase(0, end + 4);
    HttpRequest req;
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    req.method = first.substr(0, sp1);
    req.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    {
      std::lock_guard lock(mu_);
      log_.push_back(req.path);
      last_user_agent_ = req.headers["user-agent"];
    }
    if (req.headers["connection"] == "close") keep_alive = false;
    HttpResponse r = handler_(req);
    if (r.delay_ms > 0 && !Pause(r.delay_ms)) break;
    if (r.reset) {
      linger l{1, 0};  // close with RST
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      break;
    }
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\n";
    for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
    bool closes = r.endless || r.truncate_at != SIZE_MAX;
    if (!r.endless) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    if (closes) {
      out += "Connection: close\r\n";
      keep_alive = false;
    }
    out += "\r\n";
    if (!SendAll(fd, out.data(), out.size())) break;
    if (req.method == "HEAD") continue;
    if (r.endless) {
      std::string chunk = r.body.empty() ? std::string(65536, 'x') : r.body;
      while (!stop_) {
        if (r.drip_interval_ms > 0 && !Pause(r.drip_interval_ms)) break;
        size_t n = r.drip_bytes > 0 ? std::min(chunk.size(), size_t(r.drip_bytes)) : chunk.size();
        if (!SendAll(fd, chunk.data(), n)) break;
      }
      break;
    }
    size_t total = std::min(r.body.size(), r.truncate_at);
    size_t step = r.drip_bytes > 0 ? size_t(r.drip_bytes) : total;
    bool ok = true;
    for (size_t off = 0; off < total && ok; off += step) {
      if (off > 0 && r.drip_interval_ms > 0 && !Pause(r.drip_interval_ms)) ok = false;
      if (ok) ok = SendAll(fd, r.body.data() + off, std::min(step, total - off));
    }
    if (!ok || closes) break;
  }
  close(fd);
}

}  // namespace imgpipe::testing
