// site_graph_paths.hpp: what the parts of the site graph share (site_graph.hpp): which family a
// path of a graph site belongs to, the seeded generators its pages draw from, and the links of a
// page, which the bodies write and the expected crawl follows.
#pragma once

#include "seeded.hpp"

#include <fetcher/origin/site_graph.hpp>
#include <fetcher/origin/sites.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace fetcher::origin::detail {

inline std::string_view without_query(std::string_view target) { return target.substr(0, target.find('?')); }

// A decimal number as the origin writes it: digits, no leading zero, at most nine of them.
std::optional<unsigned> parse_number(std::string_view text);

// The paths of a graph site (site_graph.hpp).
enum class Family { home, page, moved, file, private_page, nofollow, trap, robots, missing };

struct Classified {
  Family family = Family::missing;
  unsigned number = 0;
};

// The family of `path` (no query) on `site`, and its number K; missing for any other path.
Classified classify(const Site& site, std::string_view path);

// A generator for one purpose ("forms", "specials", "rel", ...) of one page.
SplitMix64 seeded(const Site& site, std::string_view page_key, std::string_view purpose);

// How many numbers the special links (moved, missing, file, private, trap, query) draw from.
unsigned special_pool(const Site& site);

// The links of `target` on `site` for a request with `scheme`, and which anchor is an <area>
// (static_cast<std::size_t>(-1): none). Without `sites`, a page has no cross links.
GraphPage build_page(const SiteSet* sites, const Site& site, std::string_view scheme, std::string_view target,
                     std::size_t* area_index = nullptr);

}  // namespace fetcher::origin::detail
