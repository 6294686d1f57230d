// warc.cpp: see warc.hpp.
#include <fetcher/crawl/warc.hpp>
