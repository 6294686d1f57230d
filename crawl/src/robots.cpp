// robots.cpp: see robots.hpp.
#include <fetcher/crawl/robots.hpp>
