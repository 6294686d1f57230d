// shared_crawler_fetches.cpp: the scheduler's threads of a shared crawl's worker
// (shared_crawler_impl.hpp). A finished fetch becomes a completion, with the page parsed and its
// record made here, on the thread that fetched it; the run() thread records it in Redis.
#include "shared_crawler_impl.hpp"

#include <fetcher/crawl/url_hash.hpp>

#include <algorithm>

namespace fetcher::crawl {

void SharedCrawler::Impl::on_result(const FetchResult& result) {
  try {
    handle(result);
  } catch (...) {
    std::lock_guard lock(mutex);
    if (!handler_failure) handler_failure = std::current_exception();
    wake.notify_all();
  }
}

void SharedCrawler::Impl::handle(const FetchResult& result) {
  Completion done;
  {
    std::lock_guard lock(mutex);
    auto found = in_flight.find(result.index);
    if (found == in_flight.end()) return;
    done.job = std::move(found->second);
    in_flight.erase(found);
  }
  done.cancelled = result.error == ErrorKind::cancelled;
  // The request is written once its connection (and TLS) is ready: the start the host sees.
  const auto connected = std::max(result.timings.connect, result.timings.tls);
  done.sent = Clock::now() - std::chrono::duration_cast<Clock::duration>(result.timings.total - connected);
  if (!done.cancelled) {
    if (done.job.robots) {
      done.robots = robots_record(result, done.job.robots->body());
    } else {
      make_record(done, result);
    }
  }
  std::lock_guard lock(mutex);
  completions.push_back(std::move(done));
  wake.notify_all();
}

void SharedCrawler::Impl::make_record(Completion& done, const FetchResult& result) {
  const auto& entry = done.job.held.entry;
  const auto links_started = thread_cpu_now();
  auto found = links_of_page(entry.url, result, *done.job.page, *scope);
  auto& record = done.record;
  record.entry = entry;
  record.hash = url_hash(entry.url);
  record.lease_host = keys_of(entry.url).host;
  record.lease_token = done.job.token;
  std::uint64_t beyond_depth = 0;
  if (!found.nofollow) {
    for (auto& link : found.in_scope) {
      if (entry.depth + 1 > options.max_depth) {
        ++beyond_depth;
        continue;
      }
      record.links.push_back(LinkToQueue{std::move(link.url), link.hash, entry.depth + 1});
    }
  }
  if (!found.location.empty()) {
    if (scope->in_scope(keys_of(found.location).host)) {
      const auto hash = url_hash(found.location);
      record.links.push_back(LinkToQueue{std::move(found.location), hash, entry.depth});
    }
  }
  auto page = crawl_page(entry.url, entry.referrer, entry.depth, found.in_scope.size(), result, done.job.page->body());
  if (options.record_exchange) page.request_head = page_request_head(*client, entry.url, page_headers);
  std::lock_guard lock(mutex);  // the recorder sees one page at a time
  stats.parse_cpu += found.parse_cpu;
  stats.bad_links += found.bad_links;
  stats.out_of_scope += found.out_of_scope.size();
  stats.beyond_max_depth += beyond_depth;
  if (found.nofollow) stats.nofollow_skipped += found.in_scope.size();
  count_page(stats, result);
  record.result = recorder ? recorder(page) : entry.url;
  if (record.result.empty()) record.result = entry.url;  // empty means "no page"
  stats.links_cpu += thread_cpu_now() - links_started - found.parse_cpu;
}

}  // namespace fetcher::crawl
