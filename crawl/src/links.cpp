// links.cpp: see links.hpp. The page is parsed by gumbo (a full HTML5 parser: tokenizer states
// and tree construction as a browser's), then its tree is walked without recursion, so a
// deeply nested page costs heap, not stack.
//
// Two choices the header leaves open:
//   - <noscript>: gumbo parses as a browser with scripting disabled, so the content of a
//     <noscript> in the body is markup and its links are found. A crawler that runs no scripts
//     sees the page that way too.
//   - <template>: its content is an inert fragment, not part of the document (a browser's
//     document.links leaves it out), so its links are not found.
#include <fetcher/crawl/links.hpp>

#include <gumbo.h>

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace fetcher::crawl {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// True when `list`, split at any of `separators` (each token trimmed of HTML whitespace), holds
// one of `wanted` (compared case-insensitively).
bool has_token(std::string_view list, std::string_view separators, std::initializer_list<std::string_view> wanted) {
  while (!list.empty()) {
    const auto end = list.find_first_of(separators);
    const auto token = trim(list.substr(0, end));
    for (const auto word : wanted) {
      if (equals_ignoring_case(token, word)) return true;
    }
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return false;
}

const char* attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* found = gumbo_get_attribute(&element.attributes, name);
  return found ? found->value : nullptr;
}

// What one HTML element adds to `links`.
void visit_element(const GumboElement& element, PageLinks& links, bool& base_seen) {
  switch (element.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA: {
      const char* href = attribute(element, "href");
      if (!href || *href == '\0') return;
      const char* rel = attribute(element, "rel");
      if (rel && has_token(rel, " \t\n\f\r", {"nofollow"})) return;
      links.hrefs.emplace_back(href);
      return;
    }
    case GUMBO_TAG_BASE: {
      const char* href = attribute(element, "href");
      if (base_seen || !href) return;
      base_seen = true;  // the first <base> with an href wins, even an empty one
      links.base_href = href;
      return;
    }
    case GUMBO_TAG_META: {
      const char* name = attribute(element, "name");
      const char* content = attribute(element, "content");
      if (!name || !content || !equals_ignoring_case(trim(name), "robots")) return;
      if (has_token(content, ",", {"nofollow", "none"})) links.nofollow = true;
      return;
    }
    default:
      return;
  }
}

// Frees gumbo's output however the parse ends.
struct OutputGuard {
  GumboOutput* output;
  ~OutputGuard() { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};

}  // namespace

PageLinks extract_links(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are not kept: nothing here reads them
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  const OutputGuard guard{output};

  PageLinks links;
  bool base_seen = false;
  // Depth-first, in document order: children are pushed last to first.
  std::vector<const GumboNode*> pending{output->document};
  while (!pending.empty()) {
    const GumboNode* node = pending.back();
    pending.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& element = node->v.element;
      // An SVG or MathML <a> is not an HTML link, but HTML inside <foreignObject> is.
      if (element.tag_namespace == GUMBO_NAMESPACE_HTML) visit_element(element, links, base_seen);
      children = &element.children;
    }
    if (!children) continue;  // text, comments, and <template> content
    for (unsigned i = children->length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  }
  return links;
}

bool is_html(std::string_view content_type) {
  const auto essence = trim(content_type.substr(0, content_type.find(';')));
  return equals_ignoring_case(essence, "text/html") || equals_ignoring_case(essence, "application/xhtml+xml");
}

}  // namespace fetcher::crawl
