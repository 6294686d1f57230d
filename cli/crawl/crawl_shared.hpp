// crawl_shared.hpp: `fetcher crawl --frontier redis://... --crawl-id ID`: one worker of a crawl
// shared through Redis.
#pragma once

#include "commands.hpp"

namespace fetcher::cli {

// Joins the crawl (or starts it), fetches until no URL is queued or held by any worker, and with
// --export writes the crawl's results; throws std::invalid_argument for flags a shared crawl
// cannot take. Exit status: exit_some_failed when a body could not be saved.
int shared_crawl(const CrawlArgs& args);

}  // namespace fetcher::cli
