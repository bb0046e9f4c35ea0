// The classes the end-of-run summary counts failures by (the records keep their exact codes):
// http-404 and http-410 are both "http-4xx", noai is "opt-out", too-many-redirects "redirect-limit".
#pragma once

#include <string>

namespace imgpipe {

std::string FailureClass(const std::string& code);

}  // namespace imgpipe
