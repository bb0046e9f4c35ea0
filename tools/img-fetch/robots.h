// robots.txt (RFC 9309) rules for one host, and the X-Robots-Tag opt-out header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imgpipe {

class RobotsRules {
 public:
  // Parses robots.txt text and keeps the group for `user_agent` (the product token, matched
  // case-insensitively as a prefix-free substring as RFC 9309 suggests), else the `*` group.
  static RobotsRules Parse(std::string_view text, std::string_view user_agent);
  static RobotsRules AllowAll() { return RobotsRules(); }
  static RobotsRules DisallowAll();

  // `path` is path + query of the URL. The longest matching rule wins; Allow wins a tie.
  bool Allowed(std::string_view path) const;
  // Crawl-delay of the chosen group in seconds (0: none).
  double crawl_delay() const { return crawl_delay_; }

 private:
  struct Rule {
    bool allow;
    std::string pattern;  // may hold '*' and a final '$'
  };
  std::vector<Rule> rules_;
  double crawl_delay_ = 0;
};

// True when `pattern` (robots.txt syntax: '*' any run, final '$' anchors the end) matches the
// start of `path`.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

// The reason an X-Robots-Tag header value opts the resource out of AI/dataset use ("noai",
// "noimageai", "none", "noindex"), or "" when it does not. Values may be comma-separated and may
// be scoped to a bot ("otherbot: noindex" applies only to otherbot); `user_agent` names ours.
std::string XRobotsOptOut(std::string_view header_value, std::string_view user_agent);

}  // namespace imgpipe
