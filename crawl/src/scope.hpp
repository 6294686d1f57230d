// scope.hpp: which hosts a crawl follows links to (CrawlScope), decided from its seeds' hosts.
#pragma once

#include <fetcher/crawl/crawler.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

class ScopeFilter {
 public:
  // `seed_hosts`: the seeds' hosts, lower case, without port.
  ScopeFilter(CrawlScope scope, const std::vector<std::string>& seed_hosts);
  bool in_scope(std::string_view host) const;

 private:
  CrawlScope scope_;
  std::vector<std::string> hosts_;    // host: exactly these
  std::vector<std::string> domains_;  // domain: these and their subdomains
};

}  // namespace fetcher::crawl
