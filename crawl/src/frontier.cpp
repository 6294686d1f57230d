// frontier.cpp: see frontier.hpp.
#include "frontier.hpp"

#include <algorithm>

namespace fetcher::crawl {

void Frontier::push(std::size_t host, FrontierEntry entry) {
  if (host >= hosts_.size()) hosts_.resize(host + 1);
  auto& queue = hosts_[host];
  if (entry.depth >= queue.by_depth.size()) queue.by_depth.resize(entry.depth + 1);
  queue.lowest = std::min<std::size_t>(queue.lowest, entry.depth);
  queue.by_depth[entry.depth].push_back(std::move(entry));
  ++queue.size;
  ++size_;
}

std::optional<FrontierEntry> Frontier::pop(std::size_t host) {
  if (host >= hosts_.size() || hosts_[host].size == 0) return std::nullopt;
  auto& queue = hosts_[host];
  while (queue.by_depth[queue.lowest].empty()) ++queue.lowest;
  auto& level = queue.by_depth[queue.lowest];
  auto entry = std::move(level.front());
  level.pop_front();
  // A drained level gives its memory back: a long crawl goes through many of them.
  if (level.empty()) std::deque<FrontierEntry>().swap(level);
  --queue.size;
  --size_;
  return entry;
}

bool Frontier::empty(std::size_t host) const { return host >= hosts_.size() || hosts_[host].size == 0; }

std::uint64_t Frontier::drop(std::size_t host) {
  if (host >= hosts_.size()) return 0;
  const auto dropped = hosts_[host].size;
  hosts_[host] = HostQueue{};
  size_ -= dropped;
  return dropped;
}

}  // namespace fetcher::crawl
