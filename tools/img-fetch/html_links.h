// Crawl mode: the image URLs and same-site page links of an HTML page (parsed with gumbo, a real
// HTML5 parser), resolved against <base> and the page URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imgpipe {

struct PageImage {
  std::string url;     // absolute
  std::string alt;     // alt text of the <img>, "" when none
  std::string source;  // "img", "srcset", "picture", "a", "og:image"
};

struct PageLinks {
  std::vector<PageImage> images;   // deduplicated, in document order
  std::vector<std::string> pages;  // <a href> to non-image URLs, absolute, deduplicated
};

// `page_url` is the URL the HTML was finally fetched from (after redirects).
PageLinks ExtractPageLinks(std::string_view html, const std::string& page_url);

// The largest candidate of a srcset attribute ("a.jpg 1x, b.jpg 2x" -> "b.jpg"; by w, then x).
std::string LargestSrcsetCandidate(std::string_view srcset);

// True when the URL's path ends in an image file extension (.jpg, .png, .webp, ...).
bool LooksLikeImageUrl(std::string_view url);

}  // namespace imgpipe
