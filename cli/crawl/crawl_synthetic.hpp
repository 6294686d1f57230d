// crawl_synthetic.hpp: `fetcher crawl --synthetic N`: a generated site on the local origin,
// crawled and set against the origin's model.
#pragma once

#include "commands.hpp"

namespace fetcher::cli {

// Crawls the generated site (or with --emit-site writes its files and crawls nothing), then says
// how long the model's ideal crawl takes and whether the origin saw the set a correct crawler
// fetches, each page once. Exit status: exit_ok when the crawl was correct.
int synthetic_crawl(const CrawlArgs& args);

}  // namespace fetcher::cli
