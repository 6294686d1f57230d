// links.cpp: see links.hpp. The page is parsed by modest's myhtml (a full HTML5 parser: tokenizer
// states and tree construction as a browser's), then its tree is walked without recursion, so a
// deeply nested page costs heap, not stack. myhtml is used rather than gumbo because it parses the
// crawler's pages several times faster with the same results (docs/performance.md, "Crawl: the
// HTML parser"; tests/perf/link_extract_bench.cpp measures both).
//
// Choices the header leaves open:
//   - <noscript>: the page is parsed as by a browser with scripting disabled, so the content of a
//     <noscript> in the body is markup and its links are found. A crawler that runs no scripts
//     sees the page that way too.
//   - <template>: its content is an inert fragment, not part of the document (a browser's
//     document.links leaves it out), so its links are not found.
//   - SVG and MathML elements are not HTML links, even when named "a"; HTML inside an SVG
//     <foreignObject> is HTML.
//   - A tag cut off by the end of the page (say, a body truncated at a size limit) is dropped, as
//     the HTML5 tokenizer drops it: its href may be cut too. myhtml keeps such a tag, so the walk
//     leaves out elements whose start tag has no closing '>'.
#include <fetcher/crawl/links.hpp>

#include "html_tokens.hpp"

#include <myhtml/api.h>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <new>

namespace fetcher::crawl {
namespace {

using html::equals_ignoring_case;
using html::has_token;
using html::trim;

// An attribute's value (entities decoded by the parser); null when the element has no such attribute.
const char* attribute(myhtml_tree_node_t* node, std::string_view name, std::size_t& length) {
  myhtml_tree_attr_t* found = myhtml_attribute_by_key(node, name.data(), name.size());
  length = 0;
  if (!found) return nullptr;
  const char* value = myhtml_attribute_value(found, &length);
  return value ? value : "";
}

std::string_view attribute_or_empty(myhtml_tree_node_t* node, std::string_view name) {
  std::size_t length = 0;
  const char* value = attribute(node, name, length);
  return value ? std::string_view(value, length) : std::string_view();
}

// False for a start tag the end of the page cut off (no closing '>').
bool start_tag_complete(myhtml_tree_node_t* node, std::string_view html) {
  const myhtml_position_t tag = myhtml_node_element_position(node);
  if (tag.length == 0 || tag.begin + tag.length > html.size()) return true;  // not from the page's bytes
  return html[tag.begin + tag.length - 1] == '>';
}

// What one HTML element adds to `links`.
void visit_element(myhtml_tree_node_t* node, myhtml_tag_id_t tag, std::string_view html, PageLinks& links,
                   bool& base_seen) {
  if (tag != MyHTML_TAG_A && tag != MyHTML_TAG_AREA && tag != MyHTML_TAG_BASE && tag != MyHTML_TAG_META) return;
  if (!start_tag_complete(node, html)) return;
  std::size_t length = 0;
  switch (tag) {
    case MyHTML_TAG_A:
    case MyHTML_TAG_AREA: {
      const char* href = attribute(node, "href", length);
      if (!href || length == 0) return;
      if (has_token(attribute_or_empty(node, "rel"), " \t\n\f\r", {"nofollow"})) return;
      links.hrefs.emplace_back(href, length);
      return;
    }
    case MyHTML_TAG_BASE: {
      const char* href = attribute(node, "href", length);
      if (base_seen || !href) return;
      base_seen = true;  // the first <base> with an href wins, even an empty one
      links.base_href.assign(href, length);
      return;
    }
    default: {  // <meta>
      if (!equals_ignoring_case(trim(attribute_or_empty(node, "name")), "robots")) return;
      if (has_token(attribute_or_empty(node, "content"), ",", {"nofollow", "none"})) links.nofollow = true;
      return;
    }
  }
}

// A myhtml parser and its tree, reused from page to page: myhtml cleans the tree at the start of
// each parse.
class Parser {
 public:
  Parser() : myhtml_(myhtml_create()), tree_(myhtml_tree_create()) {
    if (!myhtml_ || !tree_ || myhtml_init(myhtml_, MyHTML_OPTIONS_PARSE_MODE_SINGLE, 1, 0) != MyHTML_STATUS_OK ||
        myhtml_tree_init(tree_, myhtml_) != MyHTML_STATUS_OK) {
      release();
      throw std::bad_alloc();  // myhtml fails to initialise only when out of memory
    }
  }
  ~Parser() { release(); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  myhtml_tree_t* tree() const { return tree_; }

 private:
  void release() {
    if (tree_) myhtml_tree_destroy(tree_);
    if (myhtml_) myhtml_destroy(myhtml_);
    tree_ = nullptr;
    myhtml_ = nullptr;
  }

  myhtml_t* myhtml_;
  myhtml_tree_t* tree_;
};

// Each thread keeps a parser: a new one per page costs more than the parse of a small page (its
// pools are allocated, touched and given back every time). A parser keeps the memory of the
// largest page it has parsed, so after a page above this size the thread drops it.
constexpr std::size_t largest_page_kept = std::size_t{1} << 20;

thread_local std::unique_ptr<Parser> thread_parser;

// Drops the thread's parser on the way out when the page was large.
struct DropAfterLargePage {
  std::size_t page_size;
  ~DropAfterLargePage() {
    if (page_size > largest_page_kept) thread_parser.reset();
  }
};

}  // namespace

PageLinks extract_links(std::string_view html) {
  PageLinks links;
  if (!thread_parser) thread_parser = std::make_unique<Parser>();
  const DropAfterLargePage drop{html.size()};
  myhtml_tree_t* const tree = thread_parser->tree();
  // A page the parser gives up on gives no links: one bad page does not stop a crawl.
  if (myhtml_parse(tree, MyENCODING_UTF_8, html.data(), html.size()) != MyHTML_STATUS_OK) return links;

  bool base_seen = false;
  // Depth-first, in document order, by child, next sibling and parent links: no stack at all.
  myhtml_tree_node_t* const document = myhtml_tree_get_document(tree);
  myhtml_tree_node_t* node = document;
  while (node) {
    const myhtml_tag_id_t tag = myhtml_node_tag_id(node);
    if (node != document && myhtml_node_namespace(node) == MyHTML_NAMESPACE_HTML) {
      visit_element(node, tag, html, links, base_seen);
    }
    myhtml_tree_node_t* const child = tag == MyHTML_TAG_TEMPLATE ? nullptr : myhtml_node_child(node);
    if (child) {
      node = child;
      continue;
    }
    while (node != document && !myhtml_node_next(node)) node = myhtml_node_parent(node);
    node = node == document ? nullptr : myhtml_node_next(node);
  }
  return links;
}

bool is_html(std::string_view content_type) {
  const auto essence = trim(content_type.substr(0, content_type.find(';')));
  return equals_ignoring_case(essence, "text/html") || equals_ignoring_case(essence, "application/xhtml+xml");
}

}  // namespace fetcher::crawl
