// body_cache.hpp: the sites' pages, plain and gzip-compressed, made once and kept up to a limit.
#pragma once

#include <fetcher/origin/sites.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fetcher::origin {

class BodyCache {
 public:
  explicit BodyCache(const SiteSet& sites) : sites_(sites) {}

  // The body of a site's page, gzip-compressed when `gzip`. Kept while the cache has room;
  // past that, made again on each request.
  std::shared_ptr<const std::string> body(std::size_t site_index, const std::string& path, bool gzip = false);

 private:
  const SiteSet& sites_;
  std::mutex mutex_;
  // Keyed by path_key, after "gzip|" for a compressed body.
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies_;
  std::size_t cached_bytes_ = 0;
};

}  // namespace fetcher::origin
