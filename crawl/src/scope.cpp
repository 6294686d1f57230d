// scope.cpp: see scope.hpp.
#include "scope.hpp"

#include <algorithm>

namespace fetcher::crawl {

namespace {

bool is_ip_address(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() &&
         std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::string_view to_string(CrawlScope scope) {
  switch (scope) {
    case CrawlScope::host: return "host";
    case CrawlScope::domain: return "domain";
    case CrawlScope::any: return "any";
  }
  return "host";
}

bool parse_crawl_scope(std::string_view text, CrawlScope& scope) {
  for (const auto candidate : {CrawlScope::host, CrawlScope::domain, CrawlScope::any}) {
    if (text == to_string(candidate)) {
      scope = candidate;
      return true;
    }
  }
  return false;
}

ScopeFilter::ScopeFilter(CrawlScope scope, const std::vector<std::string>& seed_hosts) : scope_(scope) {
  for (const auto& host : seed_hosts) {
    if (std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) hosts_.push_back(host);
    // "www.a.org" stands for the site "a.org"; an address has no subdomains.
    std::string domain = host;
    if (!is_ip_address(host) && domain.starts_with("www.") && domain.find('.', 4) != std::string::npos) {
      domain.erase(0, 4);
    }
    if (std::find(domains_.begin(), domains_.end(), domain) == domains_.end()) domains_.push_back(domain);
  }
}

bool ScopeFilter::in_scope(std::string_view host) const {
  switch (scope_) {
    case CrawlScope::any: return true;
    case CrawlScope::host: return std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
    case CrawlScope::domain:
      return std::any_of(domains_.begin(), domains_.end(), [&](const std::string& domain) {
        if (host == domain) return true;
        return !is_ip_address(host) && host.size() > domain.size() && host.ends_with(domain) &&
               host[host.size() - domain.size() - 1] == '.';
      });
  }
  return false;
}

}  // namespace fetcher::crawl
