// URL parsing and the private-address test used at connect time.
#include "tools/img-fetch/url_safety.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace imgpipe {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStr {
  char* p = nullptr;
  ~CurlStr() { curl_free(p); }
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsPrivateV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t(0) << (32 - bits);
    return (a & mask) == (net & mask);
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 CGNAT
         in(0x7F000000, 8) ||   // 127/8 loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local, cloud metadata
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved + broadcast
}

}  // namespace

std::string UrlParts::Origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

Result<UrlParts> ParseHttpUrl(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  std::string text(url);
  if (text.empty() || text.size() > 8192 || text.find_first_of(" \t\r\n") != std::string::npos)
    return MakeError("bad-url", "not a URL: \"" + text.substr(0, 200) + "\"");
  // Without a scheme curl would guess one; a dataset URL without one is a mistake, not http.
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return MakeError("bad-url", "not a URL: \"" + text.substr(0, 200) + "\"");
  UrlParts parts;
  CurlStr scheme, host, port, path, query;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme.p, 0) != CURLUE_OK)
    return MakeError("bad-url", "URL has no scheme: \"" + text.substr(0, 200) + "\"");
  parts.scheme = Lower(scheme.p);
  if (parts.scheme != "http" && parts.scheme != "https")
    return MakeError("scheme", "only http and https URLs are fetched, not " + parts.scheme + ":");
  if (curl_url_get(u.get(), CURLUPART_HOST, &host.p, 0) != CURLUE_OK || !host.p || !*host.p)
    return MakeError("bad-url", "URL has no host: \"" + text.substr(0, 200) + "\"");
  parts.host = Lower(host.p);
  if (parts.host.size() > 2 && parts.host.front() == '[' && parts.host.back() == ']')
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  if (curl_url_get(u.get(), CURLUPART_PORT, &port.p, CURLU_DEFAULT_PORT) == CURLUE_OK && port.p)
    parts.port = std::atoi(port.p);
  if (curl_url_get(u.get(), CURLUPART_PATH, &path.p, 0) == CURLUE_OK && path.p) parts.path = path.p;
  if (parts.path.empty()) parts.path = "/";
  if (curl_url_get(u.get(), CURLUPART_QUERY, &query.p, 0) == CURLUE_OK && query.p)
    parts.path += std::string("?") + query.p;
  return parts;
}

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  std::string r(ref);
  // Trim the whitespace HTML allows around URLs.
  size_t b = r.find_first_not_of(" \t\r\n\f"), e = r.find_last_not_of(" \t\r\n\f");
  if (b == std::string::npos) return "";
  r = r.substr(b, e - b + 1);
  if (r.rfind("data:", 0) == 0 || r.rfind("javascript:", 0) == 0) return "";
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  std::string base_text(base);
  if (curl_url_set(u.get(), CURLUPART_URL, base_text.c_str(), 0) != CURLUE_OK) return "";
  if (curl_url_set(u.get(), CURLUPART_URL, r.c_str(), CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) !=
      CURLUE_OK)
    return "";
  CurlStr out;
  if (curl_url_get(u.get(), CURLUPART_URL, &out.p, 0) != CURLUE_OK || !out.p) return "";
  std::string s = out.p;
  if (size_t hash = s.find('#'); hash != std::string::npos) s.resize(hash);
  return s;
}

bool IsPrivateAddress(std::string_view ip_text) {
  std::string ip(ip_text);
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return IsPrivateV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return true;
  const uint8_t* b = v6.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the IPv4 address.
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kZero, 12) == 0) {
    uint32_t a = uint32_t(b[12]) << 24 | uint32_t(b[13]) << 16 | uint32_t(b[14]) << 8 | b[15];
    return IsPrivateV4(a);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                 // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10 old site-local
  if (b[0] == 0xff) return true;                           // multicast
  // 64:ff9b::/96 NAT64 of a private IPv4 address.
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) {
    uint32_t a = uint32_t(b[12]) << 24 | uint32_t(b[13]) << 16 | uint32_t(b[14]) << 8 | b[15];
    return IsPrivateV4(a);
  }
  return false;
}

}  // namespace imgpipe
