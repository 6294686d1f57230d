// frontier.hpp: the URLs a crawl has queued and not yet handed to the scheduler, one queue per
// host (numbered by the crawler), each taken breadth-first: lowest depth first, then in the
// order found. A URL waits here as one string; the page it was found on is shared by all of
// that page's links.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fetcher::crawl {

struct FrontierEntry {
  std::string url;  // canonical
  unsigned depth = 0;
  std::shared_ptr<const std::string> referrer;  // null for a seed
};

class Frontier {
 public:
  void push(std::size_t host, FrontierEntry entry);
  // The host's next URL (lowest depth, then first found), or nothing when it has none.
  std::optional<FrontierEntry> pop(std::size_t host);
  bool empty(std::size_t host) const;
  // Forgets every URL of `host` (its robots.txt allows nothing); returns how many there were.
  std::uint64_t drop(std::size_t host);
  std::uint64_t size() const { return size_; }

 private:
  struct HostQueue {
    std::vector<std::deque<FrontierEntry>> by_depth;
    std::size_t lowest = 0;  // no URL at a depth below this one
    std::uint64_t size = 0;
  };
  std::vector<HostQueue> hosts_;
  std::uint64_t size_ = 0;
};

}  // namespace fetcher::crawl
