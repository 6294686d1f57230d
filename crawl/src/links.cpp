// links.cpp: see links.hpp.
#include <fetcher/crawl/links.hpp>
