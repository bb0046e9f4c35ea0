// robots.txt parsing and matching, X-Robots-Tag interpretation.
#include "tools/img-fetch/robots.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace imgpipe {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The product token of a User-Agent string: "imgpipe/0.1 (+https://...)" -> "imgpipe".
std::string ProductToken(std::string_view ua) {
  std::string out;
  for (char c : ua) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') out += char(std::tolower(c));
    else break;
  }
  return out;
}

bool Match(std::string_view pat, std::string_view path) {
  // Iterative glob with backtracking over the last '*'.
  size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
  bool anchored = !pat.empty() && pat.back() == '$';
  if (anchored) pat.remove_suffix(1);
  while (s < path.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pat.size() && pat[p] == path[s]) {
      ++p;
      ++s;
    } else if (p == pat.size() && !anchored) {
      return true;  // a prefix match is enough
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  return Match(pattern, path);
}

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules r;
  r.rules_.push_back({false, "/"});
  return r;
}

RobotsRules RobotsRules::Parse(std::string_view text, std::string_view user_agent) {
  const std::string me = ProductToken(user_agent);
  struct Group {
    std::vector<std::string> agents;
    std::vector<Rule> rules;
    double delay = 0;
  };
  std::vector<Group> groups;
  bool in_agents = false;  // consecutive user-agent lines share one group
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!in_agents || groups.empty()) groups.emplace_back();
      groups.back().agents.push_back(Lower(value));
      in_agents = true;
      continue;
    }
    in_agents = false;
    if (groups.empty()) continue;
    if (key == "allow" || key == "disallow") {
      if (value.empty()) continue;  // "Disallow:" with nothing allows everything
      groups.back().rules.push_back({key == "allow", std::string(value)});
    } else if (key == "crawl-delay") {
      groups.back().delay = std::atof(std::string(value).c_str());
    }
  }
  RobotsRules out;
  const Group* star = nullptr;
  bool found = false;
  for (const Group& g : groups) {
    for (const std::string& a : g.agents) {
      if (a == "*") {
        if (!star) star = &g;
      } else if (!me.empty() && ProductToken(a) == me) {
        // Every group naming us counts (RFC 9309 2.2.1: merge them).
        out.rules_.insert(out.rules_.end(), g.rules.begin(), g.rules.end());
        out.crawl_delay_ = std::max(out.crawl_delay_, g.delay);
        found = true;
      }
    }
  }
  if (!found && star) {
    out.rules_ = star->rules;
    out.crawl_delay_ = star->delay;
  }
  return out;
}

bool RobotsRules::Allowed(std::string_view path) const {
  if (path == "/robots.txt") return true;
  size_t best_len = 0;
  bool allowed = true;
  for (const Rule& r : rules_) {
    if (!Match(r.pattern, path)) continue;
    size_t len = r.pattern.size();
    if (len > best_len || (len == best_len && r.allow)) {
      best_len = len;
      allowed = r.allow;
    }
  }
  return allowed;
}

std::string XRobotsOptOut(std::string_view header_value, std::string_view user_agent) {
  const std::string me = ProductToken(user_agent);
  std::string scope;  // the bot the following directives apply to; "" for all
  size_t pos = 0;
  std::string_view v = header_value;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    std::string_view item = Trim(v.substr(pos, comma == std::string_view::npos ? v.npos : comma - pos));
    pos = comma == std::string_view::npos ? v.size() + 1 : comma + 1;
    // "bot: directive" scopes this and later directives to that bot.
    if (size_t colon = item.find(':'); colon != std::string_view::npos) {
      std::string name = Lower(Trim(item.substr(0, colon)));
      std::string rest = Lower(Trim(item.substr(colon + 1)));
      // "unavailable_after: <date>" is a directive, not a scope.
      if (name != "unavailable_after" && name != "max-snippet" && name != "max-image-preview" &&
          name != "max-video-preview") {
        scope = name;
        item = Trim(item.substr(colon + 1));
      }
    }
    if (!scope.empty() && ProductToken(scope) != me) continue;
    std::string d = Lower(item);
    if (d == "noai" || d == "noimageai" || d == "none" || d == "noindex") return d;
  }
  return "";
}

}  // namespace imgpipe
