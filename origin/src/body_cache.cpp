// body_cache.cpp: one lookup for plain and gzip bodies; a gzip body is made from the plain one.
#include "body_cache.hpp"

#include "server_common.hpp"

namespace fetcher::origin {
namespace {

constexpr std::size_t body_cache_limit_bytes = std::size_t{64} << 20;

}  // namespace

std::shared_ptr<const std::string> BodyCache::body(std::size_t site_index, const std::string& path, bool gzip) {
  const std::string key = (gzip ? "gzip|" : "") + path_key(site_index, path);
  {
    std::lock_guard lock(mutex_);
    if (const auto found = bodies_.find(key); found != bodies_.end()) return found->second;
  }
  auto made = std::make_shared<const std::string>(gzip ? gzip_compress(*body(site_index, path))
                                                       : make_body(sites_, sites_.sites[site_index], path));
  std::lock_guard lock(mutex_);
  if (cached_bytes_ + made->size() <= body_cache_limit_bytes) {
    if (bodies_.emplace(key, made).second) cached_bytes_ += made->size();
  }
  return made;
}

}  // namespace fetcher::origin
