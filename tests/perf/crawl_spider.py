#!/usr/bin/env python3
"""crawl_spider.py: Scrapy's crawl of a site, for tests/perf/peers.sh's crawl section.

  /usr/bin/python3 crawl_spider.py SEEDS_FILE --proxy http://127.0.0.1:PORT --per-host N [--max-pages M]

A minimal breadth-first spider: the seeds from SEEDS_FILE (one URL a line), every <a>/<area>
href that LinkExtractor finds on the seeds' hosts followed (allow_domains = those hosts, nothing
else denied), robots.txt obeyed (Scrapy's default parser, Protego). Two things Scrapy does not do
by itself are done here, because the site has a nofollow trap (an endless /trap/N chain behind
rel="nofollow") that every polite crawler must skip: links with rel="nofollow" are not followed,
and neither are the links of a page whose <meta name="robots"> says nofollow or none. Scrapy's
LinkExtractor finds rel="nofollow" itself (Link.nofollow), case-sensitively in 2.8: with
--nofollow-any-case, rel="external NoFollow" counts too. deny_extensions is emptied: Scrapy's
default skips .bin and other binary-looking links, and the site's set includes them.

Prints one JSON line: {"tool", "pages", "robots", "responses", "wall_s", "cpu_user_s", "cpu_sys_s",
"finish_reason"}: pages are the responses Scrapy counted (robots.txt excluded), wall and CPU cover
the crawl only (from CrawlerProcess.start to its end: not the interpreter's start-up or imports).
"""
import argparse
import json
import os
import re
import resource
import sys
import time
from urllib.parse import urlsplit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds")
    parser.add_argument("--proxy", required=True, help="HTTP proxy (the origin) for every request")
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--max-pages", type=int, default=0, help="safety bound (CLOSESPIDER_PAGECOUNT); 0 = none")
    parser.add_argument("--nofollow-any-case", action="store_true",
                        help='read rel="NoFollow" as nofollow too (Scrapy 2.8 compares case-sensitively)')
    args = parser.parse_args()
    with open(args.seeds) as f:
        seeds = [line.strip() for line in f if line.strip() and not line.startswith("#")]

    # Through the environment, not request.meta: RobotsTxtMiddleware's own robots.txt requests
    # carry no meta of ours, and HttpProxyMiddleware reads these when the crawler starts.
    os.environ["http_proxy"] = args.proxy
    os.environ.pop("no_proxy", None)
    os.environ.pop("NO_PROXY", None)

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import TextResponse
    from scrapy.linkextractors import LinkExtractor

    if args.nofollow_any_case:
        # HTML's rel values are ASCII case-insensitive; Scrapy 2.8's rel_has_nofollow is not, so
        # rel="external NoFollow" reads as a link to follow. The same test, lower-cased.
        import scrapy.linkextractors.lxmlhtml as lxmlhtml
        lxmlhtml.rel_has_nofollow = lambda rel: rel is not None and "nofollow" in rel.lower().replace(",", " ").split()

    hosts = sorted({urlsplit(seed).hostname for seed in seeds})

    class Spider(scrapy.Spider):
        name = "peers-crawl"
        start_urls = seeds
        allowed_domains = hosts
        extractor = LinkExtractor(allow_domains=hosts, tags=("a", "area"), attrs=("href",),
                                  deny_extensions=())

        def parse(self, response):
            if not isinstance(response, TextResponse):
                return
            # <meta name="robots">: "nofollow", or "none" (noindex, nofollow), any case.
            meta = " ".join(response.xpath('//meta[translate(@name,"ROBTS","robts")="robots"]/@content').getall())
            if {"nofollow", "none"} & set(re.split(r"[\s,]+", meta.lower())):
                return
            for link in self.extractor.extract_links(response):
                if not link.nofollow:
                    yield response.follow(link.url, callback=self.parse)

    settings = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 256,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        # Breadth-first, as Scrapy's FAQ says.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "REDIRECT_ENABLED": True,
        "HTTPCACHE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "CLOSESPIDER_PAGECOUNT": args.max_pages,
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Spider)
    process.crawl(crawler)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    process.start()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    stats = crawler.stats.get_stats()
    responses = stats.get("downloader/response_count", 0)
    robots = stats.get("robotstxt/response_count", 0)
    print(json.dumps({"tool": "scrapy, nofollow any case" if args.nofollow_any_case else "scrapy", "pages": responses - robots, "robots": robots, "responses": responses,
                      "wall_s": wall, "cpu_user_s": after.ru_utime - usage.ru_utime,
                      "cpu_sys_s": after.ru_stime - usage.ru_stime,
                      "finish_reason": stats.get("finish_reason")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
