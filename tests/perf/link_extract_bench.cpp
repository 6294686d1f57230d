// link_extract_bench.cpp: HTML link extraction with gumbo against modest's myhtml on the pages a
// crawler sees: the measurement behind the parser crawl/src/links.cpp uses.
//
//   link_extract_bench [--runs 5] [--megabytes 16] [--max-iterations 2000] [--links 10]
//
// Pages: the emulated origin's site-graph pages (origin::make_body: --links anchors, then filler)
// at 2 KB, 22 KB and 60 KB, and a generated article page shaped like a wiki's (head with styles
// and a script, navigation, paragraphs with inline links, a table, a footer: about 850
// links in about 170 KB). Parsers, each with links.hpp's rules:
//   - gumbo: gumbo's tree (libgumbo-dev), walked with a stack;
//   - myhtml: fetcher::crawl::extract_links as built: myhtml's tree, the thread's parser kept;
//   - myhtml-tokens: myhtml's tokenizer only, one parser kept, a callback reading each start tag
//     (no tree: no namespaces, and <template> content is read as markup).
// Each page is parsed by each parser about --megabytes worth of times (at most --max-iterations,
// at least once) per run; the parsers take turns within a run. Before timing, the results are
// compared with the library's (hrefs, base, nofollow) and any difference is printed. Prints the
// median over --runs of µs per page and MB/s per parser and page.
#include "html_tokens.hpp"

#include <fetcher/crawl/links.hpp>
#include <fetcher/origin/sites.hpp>

#include <CLI/CLI.hpp>
#include <gumbo.h>
#include <myhtml/api.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using fetcher::crawl::PageLinks;

// ---------------------------------------------------------------------------------------------
// links.hpp's rules for the two parsers the library does not use, over gumbo's and myhtml's
// token attributes, with the library's own string rules (crawl/src/html_tokens.hpp).

using fetcher::crawl::html::equals_ignoring_case;
using fetcher::crawl::html::has_token;
using fetcher::crawl::html::trim;

std::optional<std::string_view> value_of(myhtml_tree_attr_t* attribute) {
  if (!attribute) return std::nullopt;
  size_t length = 0;
  const char* value = myhtml_attribute_value(attribute, &length);
  return value ? std::string_view(value, length) : std::string_view();
}

enum class Kind { anchor, base, meta, other };

Kind kind_of(myhtml_tag_id_t tag) {
  switch (tag) {
    case MyHTML_TAG_A:
    case MyHTML_TAG_AREA: return Kind::anchor;
    case MyHTML_TAG_BASE: return Kind::base;
    case MyHTML_TAG_META: return Kind::meta;
    default: return Kind::other;
  }
}

// What one HTML element adds to `links`; `find(name)` gives the element's attribute value, if any.
template <typename Find>
void visit_element(Kind kind, const Find& find, PageLinks& links, bool& base_seen) {
  switch (kind) {
    case Kind::anchor: {
      const std::optional<std::string_view> href = find("href");
      if (!href || href->empty()) return;
      if (has_token(find("rel").value_or(""), " \t\n\f\r", {"nofollow"})) return;
      links.hrefs.emplace_back(*href);
      return;
    }
    case Kind::base: {
      const std::optional<std::string_view> href = find("href");
      if (base_seen || !href) return;
      base_seen = true;
      links.base_href = *href;
      return;
    }
    case Kind::meta: {
      if (!equals_ignoring_case(trim(find("name").value_or("")), "robots")) return;
      if (has_token(find("content").value_or(""), ",", {"nofollow", "none"})) links.nofollow = true;
      return;
    }
    case Kind::other: return;
  }
}

// gumbo: the whole tree, walked with a stack.
PageLinks gumbo_extract(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are not kept: nothing here reads them
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  PageLinks links;
  bool base_seen = false;
  std::vector<const GumboNode*> pending{output->document};
  while (!pending.empty()) {
    const GumboNode* node = pending.back();
    pending.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& element = node->v.element;
      if (element.tag_namespace == GUMBO_NAMESPACE_HTML) {
        const Kind kind = element.tag == GUMBO_TAG_A || element.tag == GUMBO_TAG_AREA ? Kind::anchor
                          : element.tag == GUMBO_TAG_BASE                             ? Kind::base
                          : element.tag == GUMBO_TAG_META                             ? Kind::meta
                                                                                      : Kind::other;
        const auto find = [&element](const char* name) -> std::optional<std::string_view> {
          const GumboAttribute* found = gumbo_get_attribute(&element.attributes, name);
          if (!found) return std::nullopt;
          return std::string_view(found->value);
        };
        visit_element(kind, find, links, base_seen);
      }
      children = &element.children;
    }
    if (!children) continue;  // text, comments, and <template> content
    for (unsigned i = children->length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return links;
}

// myhtml's tokenizer without its tree builder, one parser kept across pages.
class MyhtmlTokens {
 public:
  MyhtmlTokens() : myhtml_(myhtml_create()), tree_(myhtml_tree_create()) {
    if (!myhtml_ || !tree_ || myhtml_init(myhtml_, MyHTML_OPTIONS_PARSE_MODE_SINGLE, 1, 0) != MyHTML_STATUS_OK ||
        myhtml_tree_init(tree_, myhtml_) != MyHTML_STATUS_OK) {
      throw std::runtime_error("myhtml: cannot initialise");
    }
    myhtml_tree_parse_flags_set(tree_, MyHTML_TREE_PARSE_FLAGS_WITHOUT_BUILD_TREE);
    myhtml_callback_after_token_done_set(tree_, on_token, this);
  }
  ~MyhtmlTokens() {
    myhtml_tree_destroy(tree_);
    myhtml_destroy(myhtml_);
  }
  MyhtmlTokens(const MyhtmlTokens&) = delete;
  MyhtmlTokens& operator=(const MyhtmlTokens&) = delete;

  // The tokenizer alone: start tags as they come, no namespaces, no template.
  PageLinks extract(std::string_view html) {
    PageLinks links;
    base_seen_ = false;
    links_ = &links;
    myhtml_parse(tree_, MyENCODING_UTF_8, html.data(), html.size());
    links_ = nullptr;
    return links;
  }

 private:
  static void* on_token(myhtml_tree_t*, myhtml_token_node_t* token, void* context) {
    auto& self = *static_cast<MyhtmlTokens*>(context);
    if (myhtml_token_node_is_close(token)) return context;
    const Kind kind = kind_of(myhtml_token_node_tag_id(token));
    if (kind == Kind::other) return context;
    const auto find = [token](const char* key) -> std::optional<std::string_view> {
      for (myhtml_tree_attr_t* attribute = myhtml_token_node_attribute_first(token); attribute;
           attribute = myhtml_attribute_next(attribute)) {
        size_t length = 0;
        const char* name = myhtml_attribute_key(attribute, &length);
        if (name && std::string_view(name, length) == key) return value_of(attribute);
      }
      return std::nullopt;
    };
    visit_element(kind, find, *self.links_, self.base_seen_);
    return context;
  }

  myhtml_t* myhtml_;
  myhtml_tree_t* tree_;
  PageLinks* links_ = nullptr;
  bool base_seen_ = false;
};

// ---------------------------------------------------------------------------------------------
// Pages

std::string site_page(std::uint64_t body_bytes, unsigned links) {
  fetcher::origin::Site site;
  site.host = "graph.test";
  site.body_bytes = body_bytes;
  site.links = links;
  site.pages = 100000;
  return fetcher::origin::make_body(site, "/page/42");
}

// An article page shaped like a wiki's: most of its bytes are text and attributes, a link every
// couple of hundred bytes, some hrefs with entities, some nofollow, markup in a script and comments.
std::string article_page() {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\" class=\"client-nojs\"><head><meta charset=\"UTF-8\">\n"
      "<title>Article &ndash; Example Wiki</title>\n<meta name=\"robots\" content=\"max-image-preview:standard\">\n";
  for (int i = 0; i < 12; ++i) {
    html += "<link rel=\"stylesheet\" href=\"/w/load.php?lang=en&amp;modules=site.styles&amp;only=styles&amp;v=" +
            std::to_string(i) + "\">\n";
  }
  html += "<style>\n";
  for (int i = 0; i < 80; ++i) {
    html += ".mw-rule-" + std::to_string(i) + " a[href^=\"http\"] { color: #36c; margin: 0 0." + std::to_string(i % 9) +
            "em; }\n";
  }
  html += "</style>\n<script>\nvar config = {};\n";
  for (int i = 0; i < 60; ++i) {
    html += "config.t" + std::to_string(i) + " = '<a href=\"/from-script/" + std::to_string(i) +
            "\">not a link</a>' + (a < b && c > d);\n";
  }
  html += "</script>\n</head>\n<body class=\"mediawiki ltr skin-vector\">\n<div id=\"mw-navigation\"><ul>\n";
  for (int i = 0; i < 150; ++i) {
    html += "<li id=\"n-" + std::to_string(i) + "\" class=\"mw-list-item\"><a href=\"/wiki/Portal:Topic_" +
            std::to_string(i) + "\" title=\"Topic " + std::to_string(i) + " [alt-shift-" + std::to_string(i % 10) +
            "]\" accesskey=\"x\"><span>Topic " + std::to_string(i) + "</span></a></li>\n";
  }
  html += "</ul></div>\n<!-- <a href=\"/commented-out\">old nav</a> -->\n<main id=\"content\"><h1>Article</h1>\n";
  for (int paragraph = 0; paragraph < 120; ++paragraph) {
    html += "<p>";
    for (int sentence = 0; sentence < 5; ++sentence) {
      const int n = paragraph * 5 + sentence;
      html +=
          "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor &amp; incididunt ut "
          "labore et dolore magna aliqua; see <a href=\"/wiki/Entry_" +
          std::to_string(n) + (n % 4 == 0 ? "?action=view&amp;section=" + std::to_string(n % 7) : std::string()) +
          "\" title=\"Entry " + std::to_string(n) + "\">entry&nbsp;" + std::to_string(n) + "</a>. ";
    }
    if (paragraph % 10 == 0) {
      html += "<sup class=\"reference\"><a href=\"#cite_note-" + std::to_string(paragraph) + "\">[" +
              std::to_string(paragraph / 10 + 1) + "]</a></sup>";
    }
    html += "</p>\n";
  }
  html += "<table class=\"wikitable\"><tbody>\n";
  for (int row = 0; row < 60; ++row) {
    html += "<tr><td>" + std::to_string(row) + "</td><td><a href=\"https://external.example/item/" +
            std::to_string(row) + "\" rel=\"" + (row % 3 == 0 ? "nofollow noopener" : "noopener") +
            "\" class=\"external text\">source</a></td><td>value &lt; " + std::to_string(row * 7) + "</td></tr>\n";
  }
  html += "</tbody></table>\n</main>\n<footer><ul>\n";
  for (int i = 0; i < 40; ++i) {
    html += "<li><a href=\"" +
            (i % 10 == 0 ? "mailto:webmaster@example.org" : "/wiki/Special:Page_" + std::to_string(i)) + "\">footer " +
            std::to_string(i) + "</a></li>\n";
  }
  html += "</ul></footer>\n</body></html>\n";
  return html;
}

// ---------------------------------------------------------------------------------------------

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct Page {
  std::string name;
  std::string html;
  int iterations = 1;
};

struct Parser {
  std::string name;
  std::function<PageLinks(std::string_view)> extract;
};

bool same(const PageLinks& a, const PageLinks& b) {
  return a.hrefs == b.hrefs && a.base_href == b.base_href && a.nofollow == b.nofollow;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTML link extraction: gumbo against myhtml (modest)"};
  int runs = 5;
  double megabytes = 16;
  int max_iterations = 2000;
  unsigned links = 10;
  app.add_option("--runs", runs, "runs; figures are medians")->check(CLI::Range(1, 101));
  app.add_option("--megabytes", megabytes, "bytes parsed per page, parser and run")->check(CLI::Range(0.01, 1024.0));
  app.add_option("--max-iterations", max_iterations, "at most this many parses per page, parser and run")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--links", links, "anchors on a site-graph page")->check(CLI::Range(0u, 1000u));
  CLI11_PARSE(app, argc, argv);

  std::vector<Page> pages{{"site 2 KB", site_page(2000, links)},
                          {"site 22 KB", site_page(22000, links)},
                          {"site 60 KB", site_page(60000, links)},
                          {"article", article_page()}};
  for (auto& page : pages) {
    const auto wanted = static_cast<int>(megabytes * 1e6 / static_cast<double>(page.html.size()));
    page.iterations = std::clamp(wanted, 1, max_iterations);
  }

  MyhtmlTokens myhtml_tokens;
  const std::vector<Parser> parsers{
      {"gumbo", gumbo_extract},
      {"myhtml", [](std::string_view html) { return fetcher::crawl::extract_links(html); }},
      {"myhtml-tokens", [&](std::string_view html) { return myhtml_tokens.extract(html); }},
  };

  // What the crawler finds, from the library itself; the other parsers must find the same.
  bool all_same = true;
  for (const auto& page : pages) {
    const auto reference = fetcher::crawl::extract_links(page.html);
    std::printf("%-11s %7zu bytes, %4zu links, %d parses per run\n", page.name.c_str(), page.html.size(),
                reference.hrefs.size(), page.iterations);
    for (const auto& parser : parsers) {
      const auto found = parser.extract(page.html);
      if (same(found, reference)) continue;
      all_same = false;
      std::printf("  %s differs from extract_links: %zu links, base '%s', nofollow %d\n", parser.name.c_str(),
                  found.hrefs.size(), found.base_href.c_str(), found.nofollow ? 1 : 0);
    }
  }

  // seconds[page][parser][run]
  std::vector<std::vector<std::vector<double>>> seconds(pages.size(), std::vector<std::vector<double>>(parsers.size()));
  std::size_t sink = 0;
  for (int run = 0; run < runs; ++run) {
    for (std::size_t p = 0; p < pages.size(); ++p) {
      for (std::size_t k = 0; k < parsers.size(); ++k) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < pages[p].iterations; ++i) sink += parsers[k].extract(pages[p].html).hrefs.size();
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        seconds[p][k].push_back(elapsed.count());
      }
    }
  }

  std::printf("\nmedians of %d runs\n%-11s %-14s %12s %10s\n", runs, "page", "parser", "us/page", "MB/s");
  for (std::size_t p = 0; p < pages.size(); ++p) {
    for (std::size_t k = 0; k < parsers.size(); ++k) {
      const double per_page = median(seconds[p][k]) / pages[p].iterations;
      std::printf("%-11s %-14s %12.1f %10.1f\n", pages[p].name.c_str(), parsers[k].name.c_str(), per_page * 1e6,
                  static_cast<double>(pages[p].html.size()) / per_page / 1e6);
    }
  }
  std::printf("(%zu links counted)\n", sink);
  return all_same ? 0 : 1;
}
