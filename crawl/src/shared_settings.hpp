// shared_settings.hpp: step 1 of a shared crawl's worker (shared_crawler.hpp): joining the crawl,
// with the settings every worker of it runs by.
#pragma once

#include "shared_frontier.hpp"

#include <fetcher/crawl/crawler.hpp>
#include <fetcher/crawl/shared_crawler.hpp>

#include <string>

namespace fetcher::crawl {

// Joins the crawl shared.crawl_id. The first worker stores its settings (`options` and
// `user_agent`) and queues the seeds; a later one checks the settings named in shared.given
// against the stored ones and adopts the stored ones into `options` and `user_agent`. Seeds are
// made canonical in place. Returns true when this worker started the crawl. Throws
// std::invalid_argument for a bad seed, a conflict, or a crawl not started and no seeds given.
bool join_shared_crawl(SharedFrontier& frontier, SharedCrawlOptions& shared, CrawlOptions& options,
                       std::string& user_agent);

}  // namespace fetcher::crawl
