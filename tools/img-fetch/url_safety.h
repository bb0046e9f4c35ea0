// URL safety: which schemes may be fetched, and which addresses a fetch may connect to.
#pragma once

#include <string>
#include <string_view>

#include "libcommon/result.h"

namespace imgpipe {

// The parts of an absolute http(s) URL that scheduling and politeness need.
struct UrlParts {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case, without brackets for IPv6
  int port = 0;        // explicit or the scheme's default
  std::string path;    // path + query, at least "/"
  // "scheme://host:port": the key for per-host limits, robots.txt and the circuit breaker.
  std::string Origin() const;
};

// Parses with libcurl's URL API. Errors: "bad-url" (not a URL), "scheme" (not http or https).
Result<UrlParts> ParseHttpUrl(std::string_view url);

// Resolves `ref` (absolute or relative) against `base`, the way a browser does; "" when it cannot.
std::string ResolveUrl(std::string_view base, std::string_view ref);

// True for addresses a fetch reached through a redirect or a crawled link must not touch:
// loopback, RFC 1918 private, CGNAT, link-local (incl. the 169.254.169.254 metadata address),
// unspecified, multicast/broadcast, IPv6 ULA/link-local/loopback, and IPv4-mapped forms of those.
// `ip` is the numeric text curl reports ("10.0.0.1", "::1"); unparsable text counts as private.
bool IsPrivateAddress(std::string_view ip);

}  // namespace imgpipe
