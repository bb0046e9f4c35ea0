// ExtractPageLinks: one walk over gumbo's tree.
#include "tools/img-fetch/html_links.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "tools/img-fetch/url_safety.h"

namespace imgpipe {
namespace {

const char* Attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void CollectText(const GumboNode* node, std::string* out) {
  if (node->type == GUMBO_NODE_TEXT) out->append(node->v.text.text);
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboVector& kids = node->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) CollectText(static_cast<GumboNode*>(kids.data[i]), out);
}

// gumbo 0.10 predates <picture>: it arrives as an unknown tag, known by its original text.
bool IsPicture(const GumboNode* node) {
  if (!node || node->type != GUMBO_NODE_ELEMENT) return false;
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return false;
  GumboStringPiece name = e.original_tag;
  gumbo_tag_from_original_text(&name);
  return name.length == 7 && Lower(std::string_view(name.data, name.length)) == "picture";
}

bool PictureHasSource(const GumboNode* picture) {
  const GumboVector& kids = picture->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    const GumboNode* k = static_cast<GumboNode*>(kids.data[i]);
    if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_SOURCE &&
        gumbo_get_attribute(&k->v.element.attributes, "srcset"))
      return true;
  }
  return false;
}

const GumboNode* FindBase(const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT) return nullptr;
  if (node->v.element.tag == GUMBO_TAG_BASE && Attr(node->v.element, "href")) return node;
  const GumboVector& kids = node->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i)
    if (const GumboNode* b = FindBase(static_cast<GumboNode*>(kids.data[i]))) return b;
  return nullptr;
}

struct Walker {
  std::string base;
  PageLinks* out;
  std::set<std::string> seen_images, seen_pages;

  void AddImage(const char* ref, std::string alt, const char* source) {
    if (!ref) return;
    std::string url = ResolveUrl(base, ref);
    if (url.empty() || !ParseHttpUrl(url).ok()) return;
    if (!seen_images.insert(url).second) {
      // A later <img> may carry the alt text an earlier mention lacked.
      for (PageImage& im : out->images)
        if (im.url == url && im.alt.empty()) im.alt = alt;
      return;
    }
    out->images.push_back({url, std::move(alt), source});
  }

  void Walk(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& e = node->v.element;
    switch (e.tag) {
      case GUMBO_TAG_IMG: {
        // Inside a <picture> with sources, the <img> is only the fallback for old browsers.
        if (IsPicture(node->parent) && PictureHasSource(node->parent)) break;
        const char* alt = Attr(e, "alt");
        std::string alt_text = alt ? alt : "";
        const char* srcset = Attr(e, "srcset");
        std::string best = srcset ? LargestSrcsetCandidate(srcset) : "";
        if (!best.empty()) AddImage(best.c_str(), alt_text, "srcset");
        else AddImage(Attr(e, "src"), alt_text, "img");
        // Lazy-loading pages keep the real URL in data-src.
        if (!Attr(e, "src") && Attr(e, "data-src")) AddImage(Attr(e, "data-src"), alt_text, "img");
        break;
      }
      case GUMBO_TAG_SOURCE: {
        if (IsPicture(node->parent)) {
          const char* srcset = Attr(e, "srcset");
          std::string best = srcset ? LargestSrcsetCandidate(srcset) : "";
          // The alt text of a <picture> lives on its <img>.
          std::string alt;
          const GumboVector& sib = node->parent->v.element.children;
          for (unsigned i = 0; i < sib.length; ++i) {
            const GumboNode* s = static_cast<GumboNode*>(sib.data[i]);
            if (s->type == GUMBO_NODE_ELEMENT && s->v.element.tag == GUMBO_TAG_IMG) {
              const char* a = Attr(s->v.element, "alt");
              if (a) alt = a;
            }
          }
          if (!best.empty()) AddImage(best.c_str(), alt, "picture");
        }
        break;
      }
      case GUMBO_TAG_META: {
        const char* prop = Attr(e, "property");
        if (!prop) prop = Attr(e, "name");
        if (prop && (Lower(prop) == "og:image" || Lower(prop) == "og:image:url" ||
                     Lower(prop) == "twitter:image"))
          AddImage(Attr(e, "content"), "", "og:image");
        break;
      }
      case GUMBO_TAG_A: {
        const char* href = Attr(e, "href");
        if (!href) break;
        std::string url = ResolveUrl(base, href);
        if (url.empty() || !ParseHttpUrl(url).ok()) break;
        if (LooksLikeImageUrl(url)) {
          std::string text;
          CollectText(node, &text);
          // Collapse whitespace: link text is a caption, not markup.
          std::string caption;
          for (char c : text) {
            bool space = std::isspace(static_cast<unsigned char>(c));
            if (space && (caption.empty() || caption.back() == ' ')) continue;
            caption += space ? ' ' : c;
          }
          while (!caption.empty() && caption.back() == ' ') caption.pop_back();
          AddImage(url.c_str(), caption, "a");
        } else if (seen_pages.insert(url).second) {
          out->pages.push_back(url);
        }
        break;
      }
      default:
        break;
    }
    const GumboVector& kids = e.children;
    for (unsigned i = 0; i < kids.length; ++i) Walk(static_cast<GumboNode*>(kids.data[i]));
  }
};

}  // namespace

std::string LargestSrcsetCandidate(std::string_view srcset) {
  std::string best;
  double best_w = -1, best_x = -1;
  size_t pos = 0;
  while (pos < srcset.size()) {
    while (pos < srcset.size() && (std::isspace(static_cast<unsigned char>(srcset[pos])) || srcset[pos] == ','))
      ++pos;
    size_t start = pos;
    while (pos < srcset.size() && !std::isspace(static_cast<unsigned char>(srcset[pos]))) ++pos;
    std::string url(srcset.substr(start, pos - start));
    // A URL may itself end in commas that separate candidates ("a.jpg,b.jpg 2x" is unusual but legal).
    bool ended = false;
    while (!url.empty() && url.back() == ',') { url.pop_back(); ended = true; }
    std::string desc;
    if (!ended) {
      size_t comma = srcset.find(',', pos);
      desc = std::string(srcset.substr(pos, comma == std::string_view::npos ? srcset.npos : comma - pos));
      pos = comma == std::string_view::npos ? srcset.size() : comma + 1;
    }
    if (url.empty()) continue;
    double w = -1, x = 1;
    std::string d;
    for (char c : desc) if (!std::isspace(static_cast<unsigned char>(c))) d += c;
    if (!d.empty() && (d.back() == 'w' || d.back() == 'W')) w = std::atof(d.c_str());
    else if (!d.empty() && (d.back() == 'x' || d.back() == 'X')) x = std::atof(d.c_str());
    bool better = w >= 0 || best_w >= 0 ? w > best_w : x > best_x;
    if (best.empty() || better) {
      best = url;
      best_w = w;
      best_x = x;
    }
  }
  return best;
}

bool LooksLikeImageUrl(std::string_view url) {
  size_t end = url.find_first_of("?#");
  std::string path = Lower(url.substr(0, end));
  static const char* kExt[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tga", ".psd"};
  for (const char* ext : kExt) {
    std::string_view e(ext);
    if (path.size() > e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

PageLinks ExtractPageLinks(std::string_view html, const std::string& page_url) {
  PageLinks links;
  GumboOutput* doc = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  Walker w;
  w.out = &links;
  w.base = page_url;
  if (const GumboNode* base = FindBase(doc->root)) {
    std::string resolved = ResolveUrl(page_url, Attr(base->v.element, "href"));
    if (!resolved.empty()) w.base = resolved;
  }
  w.Walk(doc->root);
  gumbo_destroy_output(&kGumboDefaultOptions, doc);
  return links;
}

}  // namespace imgpipe
