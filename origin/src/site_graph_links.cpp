// site_graph_links.cpp: the links of a graph site's pages (site_graph.hpp): which pages each
// links, and in which spelling. The origin writes every href itself, so it knows the URL each one
// means without parsing it back.
#include <fetcher/origin/site_graph.hpp>

#include "ascii_case.hpp"
#include "site_graph_paths.hpp"

#include <algorithm>
#include <string>

namespace fetcher::origin {
namespace detail {
namespace {

constexpr std::string_view external_host = "outside.invalid";

// Where a page's relative hrefs resolve: its <base href>, else its own URL.
struct ResolutionBase {
  std::string scheme;  // of the base: the request's, or the one an absolute <base href> names
  std::string dir;     // the directory relative paths start from: "/page/", "/", "/docs/v2/"
  unsigned depth = 0;  // segments in dir
};

std::string repeat_dots(unsigned count) {
  std::string dots;
  for (unsigned i = 0; i < count; ++i) dots += "../";
  return dots;
}

class PageWriter {
 public:
  PageWriter(const SiteSet* sites, const Site& site, std::string_view scheme, std::string_view page_key,
             std::string_view own_path, GraphPage& page)
      : sites_(sites), site_(site), page_key_(page_key), page_(page), forms_(seeded(site, page_key, "forms")),
        specials_(seeded(site, page_key, "specials")) {
    base_.scheme = to_lower(scheme);
    base_.dir = std::string(own_path.substr(0, own_path.rfind('/') + 1));
    base_.depth = static_cast<unsigned>(std::count(base_.dir.begin(), base_.dir.end(), '/')) - 1;
    if (site.link_forms) choose_base();
  }

  // Links of /page/K (and of the home page, which is /page/0 written from "/").
  void write_page_links(unsigned number) {
    if (site_.chain && number + 1 < site_.pages) add_page_link(number + 1);
    for (const auto& path : page_links(site_, page_key_)) add_page_link(parse_number(path.substr(6)).value_or(0));
    add_cross_links();
    const unsigned pool = special_pool(site_);
    if (site_.link_forms) {
      const auto number_text = std::to_string(specials_.below(pool));
      add("/page/" + number_text + "?a=1&amp;b=2", local_url("/page/" + number_text + "?a=1&b=2"));
    }
    for (unsigned i = 0; i < site_.moved_links; ++i) add_special("/moved/", "");
    for (unsigned i = 0; i < site_.broken_links; ++i) {
      const auto path = "/missing/" + std::to_string(specials_.below(pool));
      add(path, local_url(path));
    }
    for (unsigned i = 0; i < site_.binary_links; ++i) add_special("/file/", ".bin");
    if (site_.robots == Site::Robots::rules) add_special("/private/", "");
    if (site_.traps) {
      const auto trap = "/trap/" + std::to_string(specials_.below(pool));
      add(trap, local_url(trap), true);
      add_special("/nofollow/", "");
    }
    if (site_.external_links) add_external_links();
  }

  void write_trap_links(unsigned number) {
    for (const unsigned next : {number, number + 1}) {
      const auto path = "/trap/" + std::to_string(next);
      add(path, local_url(path));
    }
  }

  std::size_t area_index() const { return area_index_; }

 private:
  void choose_base() {
    auto generator = seeded(site_, page_key_, "base");
    if (generator.below(4) != 0) return;
    if (generator.below(2) == 0) {
      page_.base_href = "/docs/v2/";
      base_.dir = "/docs/v2/";
      base_.depth = 2;
    } else {
      page_.base_href = site_.scheme + "://" + site_.host + "/static/";
      base_.scheme = site_.scheme;
      base_.dir = "/static/";
      base_.depth = 1;
    }
  }

  std::string local_url(std::string_view path) const { return base_.scheme + "://" + site_.host + std::string(path); }

  void add(std::string href, std::string url, bool nofollow = false) {
    page_.links.push_back({std::move(href), std::move(url), nofollow});
  }

  void add_special(std::string_view prefix, std::string_view suffix) {
    const auto path = std::string(prefix) + std::to_string(specials_.below(special_pool(site_))) + std::string(suffix);
    add(path, local_url(path));
  }

  // A link to /page/NUMBER of this site, in one of the spellings (site_graph.hpp).
  void add_page_link(unsigned number) {
    const std::string n = std::to_string(number);
    const std::string path = "/page/" + n;
    if (!site_.link_forms) {
      add(path, local_url(path));
      return;
    }
    const std::string absolute = site_.scheme + "://" + site_.host;
    const std::string own_scheme_url = site_.scheme + "://" + site_.host + path;
    switch (forms_.below(12)) {
      case 0: add(path, local_url(path)); break;
      case 1: add(relative(n), local_url(path)); break;
      case 2: add("./" + relative(n), local_url(path)); break;
      case 3: add((base_.depth == 0 ? "page/./" : repeat_dots(base_.depth) + "page/") + n, local_url(path)); break;
      case 4: add(absolute + path, own_scheme_url); break;
      case 5: add(absolute + (site_.scheme == "https" ? ":443" : ":80") + path, own_scheme_url); break;
      case 6: add(path + "#s" + n, local_url(path)); break;
      case 7: add("/%70age/" + n, local_url(path)); break;
      case 8: add(to_upper(site_.scheme) + "://" + to_upper(site_.host) + path, own_scheme_url); break;
      case 9: add("/a/../page/./" + n, local_url(path)); break;
      case 10: add("//" + site_.host + path, local_url(path)); break;
      default: add("/page&#47;" + n, local_url(path)); break;
    }
    if (page_.links.size() == 2 && area_index_ == npos) area_index_ = 1;
  }

  // /page/N written relative to the base directory.
  std::string relative(const std::string& n) const {
    if (base_.dir == "/page/") return n;
    if (base_.dir == "/") return "page/" + n;
    return repeat_dots(base_.depth) + "page/" + n;
  }

  void add_cross_links() {
    if (site_.cross_links == 0 || sites_ == nullptr || sites_->sites.size() < 2) return;
    const Site* self = sites_->find(site_.host);
    const auto self_index =
        self == nullptr ? sites_->sites.size() : static_cast<std::size_t>(self - sites_->sites.data());
    const auto others = self == nullptr ? sites_->sites.size() : sites_->sites.size() - 1;
    auto generator = seeded(site_, page_key_, "cross");
    for (unsigned i = 0; i < site_.cross_links; ++i) {
      auto index = static_cast<std::size_t>(generator.below(others));
      if (index >= self_index) ++index;
      const Site& other = sites_->sites[index];
      const std::string path = "/page/" + std::to_string(generator.below(other.pages));
      const std::string url = other.scheme + "://" + other.host + path;
      const bool upper = site_.link_forms && generator.below(2) == 0;
      add(upper ? other.scheme + "://" + to_upper(other.host) + path : url, url);
    }
  }

  void add_external_links() {
    add("http://" + std::string(external_host) + "/x", "http://" + std::string(external_host) + "/x");
    add("mailto:webmaster@" + std::string(external_host), "");
    add("javascript:void(0)", "");
    add("tel:+10000000000", "");
    add("ftp://" + site_.host + "/file.txt", "");
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  const SiteSet* sites_;
  const Site& site_;
  std::string page_key_;
  GraphPage& page_;
  SplitMix64 forms_;
  SplitMix64 specials_;
  ResolutionBase base_;
  std::size_t area_index_ = npos;
};

}  // namespace

GraphPage build_page(const SiteSet* sites, const Site& site, std::string_view scheme, std::string_view target,
                     std::size_t* area_index) {
  GraphPage page;
  if (!site.has_graph()) {
    const std::string base = to_lower(scheme) + "://" + site.host;
    for (auto& path : page_links(site, target)) {
      std::string url = base + path;
      page.links.push_back({std::move(path), std::move(url), false});
    }
    return page;
  }
  const std::string_view path = without_query(target);
  const Classified classified = classify(site, path);
  switch (classified.family) {
    case Family::home:
    case Family::page: {
      const std::string key = "/page/" + std::to_string(classified.number);
      PageWriter writer(sites, site, scheme, key, path, page);
      writer.write_page_links(classified.number);
      if (area_index != nullptr) *area_index = writer.area_index();
      break;
    }
    case Family::nofollow: {
      PageWriter writer(sites, site, scheme, path, path, page);
      page.meta_nofollow = true;
      writer.write_trap_links(classified.number);
      break;
    }
    case Family::trap: {
      const auto next = "/trap/" + std::to_string(classified.number + 1);
      page.links.push_back({next, to_lower(scheme) + "://" + site.host + next, false});
      break;
    }
    default: break;
  }
  return page;
}

}  // namespace detail

GraphPage graph_page(const SiteSet& sites, const Site& site, std::string_view scheme, std::string_view target) {
  return detail::build_page(&sites, site, scheme, target);
}

}  // namespace fetcher::origin
