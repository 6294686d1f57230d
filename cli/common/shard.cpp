// shard.cpp: see shard.hpp.
#include "common/shard.hpp"

#include <fetcher/crawl/url_hash.hpp>
#include <fetcher/url.hpp>

#include <charconv>
#include <stdexcept>
#include <string>

namespace fetcher::cli {

namespace {

bool parse_unsigned(std::string_view text, unsigned& value) {
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && stop == end && !text.empty();
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !parse_unsigned(text.substr(0, slash), shard.index) ||
      !parse_unsigned(text.substr(slash + 1), shard.count)) {
    throw std::invalid_argument("--shard: '" + std::string(text) + "' is not INDEX/COUNT (e.g. 0/4)");
  }
  if (shard.count == 0 || shard.count > 100000) {
    throw std::invalid_argument("--shard: " + std::string(text) + ": the count must be 1 to 100000");
  }
  if (shard.index >= shard.count) {
    throw std::invalid_argument("--shard: " + std::string(text) + ": the index counts from 0, so it must be below " +
                                std::to_string(shard.count));
  }
  return shard;
}

unsigned shard_of(std::string_view url, unsigned count) {
  UrlParts parts;
  std::string error;
  const std::string_view key = split_url(url, parts, error) ? std::string_view(parts.host) : url;
  return static_cast<unsigned>(crawl::url_hash(key) % count);
}

std::vector<FetchRequest> select_shard(std::vector<FetchRequest> requests, Shard shard) {
  std::vector<FetchRequest> kept;
  for (auto& request : requests) {
    if (shard_of(request.url, shard.count) == shard.index) kept.push_back(std::move(request));
  }
  return kept;
}

}  // namespace fetcher::cli
