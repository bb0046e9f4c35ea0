// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests, with scripted answers that can
// misbehave on demand: slow drips, endless bodies, resets, truncated bodies, delays.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace imgpipe::testing {

struct HttpRequest {
  std::string method, path;  // path includes the query
  std::map<std::string, std::string> headers;  // lower-case names
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int delay_ms = 0;          // before anything is sent
  int drip_bytes = 0;        // > 0: send the body this many bytes at a time ...
  int drip_interval_ms = 0;  // ... with this pause between pieces
  bool endless = false;      // no Content-Length; `body` repeated until the client hangs up
  bool reset = false;        // read the request, then reset the connection without answering
  size_t truncate_at = SIZE_MAX;  // announce the whole body, send this many bytes, then close
  static HttpResponse Ok(std::string body, std::string content_type);
  static HttpResponse Status(int status, std::string body = "");
  static HttpResponse Redirect(int status, std::string location);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class TestHttpServer {
 public:
  explicit TestHttpServer(HttpHandler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"; path starts with '/'.
  std::string Url(const std::string& path) const;
  // How many requests asked for `path` so far.
  int Requests(const std::string& path) const;
  // Request paths in the order they arrived.
  std::vector<std::string> Log() const;
  // Connections accepted so far (keep-alive makes this smaller than the number of requests).
  int Connections() const { return connections_; }
  // The User-Agent of the last request.
  std::string LastUserAgent() const;

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool SendAll(int fd, const char* data, size_t size);
  bool Pause(int ms);  // false when the server is stopping

  HttpHandler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<std::string> log_;
  std::string last_user_agent_;
};

}  // namespace imgpipe::testing
