// crawler.cpp: see crawler.hpp.
#include <fetcher/crawl/crawler.hpp>
