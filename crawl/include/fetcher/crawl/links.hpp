// links.hpp: the links a crawler follows on an HTML page, found by an HTML5 parser.
//
// extract_links() parses the page as a browser would (HTML5 tokenizer and tree rules, so markup
// inside comments, <script>, <style>, <textarea> and the like is text, not links) and returns:
//   - the href of every <a> and <area> element, in document order, with entities decoded and
//     nothing else changed (resolving and filtering is the crawler's job), except those whose
//     rel attribute holds the token "nofollow" (case-insensitive, among other tokens);
//   - the href of the first <base> element that has one;
//   - whether a <meta name="robots" content="..."> (name case-insensitive) says "nofollow" or
//     "none": the page's links are then not to be followed (hrefs is still filled, for counts).
// An <a> without href, or with an empty one, gives nothing.
// Safe to call from several threads at once. Parse time grows with the square of the nesting depth
// (the HTML5 tree builder looks through the open elements at each tag), so the caller bounds the
// page size it hands over.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

struct PageLinks {
  std::vector<std::string> hrefs;  // as written, entities decoded; rel=nofollow ones left out
  std::string base_href;           // empty when the page has no <base href>
  bool nofollow = false;           // <meta name="robots" content="nofollow"> (or "none")
};

PageLinks extract_links(std::string_view html);

// True for a Content-Type the crawler parses: text/html or application/xhtml+xml (parameters
// such as charset ignored, case-insensitive). An empty Content-Type is not HTML.
bool is_html(std::string_view content_type);

}  // namespace fetcher::crawl
