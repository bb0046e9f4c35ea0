// FailureClass: exact error codes rolled up into the summary's classes.
#include "tools/img-fetch/failure_class.h"

namespace imgpipe {

std::string FailureClass(const std::string& code) {
  if (code.size() == 8 && code.rfind("http-", 0) == 0) {
    char c = code[5];
    if (c == '4') return "http-4xx";
    if (c == '5') return "http-5xx";
    return "http-other";  // 3xx without Location, 1xx, 304
  }
  if (code == "noai") return "opt-out";
  if (code == "too-many-redirects") return "redirect-limit";
  if (code == "http-error" || code == "truncated") return "network";  // reset or cut short
  return code;  // dns, connect, timeout, tls, too-large, not-image, robots, private-address, scheme, ...
}

}  // namespace imgpipe
