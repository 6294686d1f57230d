// crawl_flags.cpp: `fetcher crawl`'s flags (CrawlArgs::add_to): what to crawl and where the pages
// go, the shared crawl's, and the synthetic site's, in the order --help lists them.
#include "commands.hpp"
#include "common/units.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace fetcher::cli {
namespace {

constexpr const char* crawl_examples = R"(Examples:
  fetcher crawl https://docs.python.org/3/ --max-pages 200 --format json --output pages.jsonl
  fetcher crawl https://example.org/ --per-host 4 --delay 250ms --warc site.warc --save pages/
  fetcher crawl --synthetic 2000 --hosts 4 --latency 20ms     # a generated site on the local origin
)";

// Seeds, limits, politeness, output and the crawl's engine.
void add_crawl_flags(CLI::App& app, CrawlArgs& args) {
  app.add_option("seeds", args.seeds, "URLs to start from");
  app.add_option("-i,--input", args.input_lists, "Read seed URLs from this list file (- for stdin)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--max-pages", args.max_pages, "Fetch at most this many pages (e.g. 500, 10k); default no limit");
  app.add_option("--max-depth", args.max_depth, "Follow links at most this many steps from a seed; default no limit");
  app.add_option("--scope", args.scope, "host (the seeds' hosts), domain (and their subdomains) or any")
      ->capture_default_str();
  app.add_option("--per-host", args.per_host, "Fetches in flight per host")->capture_default_str();
  app.add_option("--delay", args.delay, "Least time between two request starts on one host, e.g. 500ms")
      ->capture_default_str();
  app.add_option("--robots", args.robots, "on: obey robots.txt (RFC 9309); off: ignore it")->capture_default_str();
  app.add_option("--format", args.format,
                 "json: one JSON object per page as it finishes (default: none, a summary only)");
  app.add_option("--output", args.output, "Write the per-page records to this file (implies --format json)");
  app.add_option("--save", args.save, "Save bodies under this directory");
  app.add_option("--warc", args.warc, "Write the requests and responses to FILE as WARC/1.1");
  // The old spellings, kept for one release: hidden, each with a deprecation note (common/output_flags.hpp).
  app.add_option("--jsonl", args.old_jsonl)->group("");
  app.add_option("-o", args.old_o)->group("");
  app.add_option("--output-dir", args.old_output_dir)->group("");
  app.add_option("--strategy", args.strategy, "async (one event loop) or async:N (N loops)")->capture_default_str();
  app.add_option("--max-in-flight", args.max_in_flight, "Most fetches at once over all hosts (0 = no limit)")
      ->capture_default_str()
      ->transform(count_units());
  app.add_flag("-q,--quiet", args.quiet, "No progress line and no summary on stderr");
  app.add_option("--color", args.color, "auto, always or never (NO_COLOR is honoured)")->capture_default_str();
}

// --frontier, --crawl-id and the rest of a crawl shared through Redis.
void add_shared_flags(CLI::App& app, CrawlArgs& args) {
  const std::string shared_group = "Shared crawl (many workers through Redis)";
  app.add_option("--frontier", args.frontier,
                 "Share the crawl through Redis at redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]")
      ->group(shared_group);
  app.add_option("--crawl-id", args.crawl_id, "The shared crawl's name; workers with the same id crawl together")
      ->group(shared_group);
  app.add_option("--export", args.export_file, "When the crawl is over, write every URL's result to FILE as JSON Lines")
      ->group(shared_group);
  app.add_option("--claim-idle", args.claim_idle,
                 "A URL a worker holds this long without a sign of life goes to another, e.g. 30s")
      ->capture_default_str()
      ->group(shared_group);
  app.add_option("--redis-timeout", args.redis_timeout, "Give up when Redis is lost this long, e.g. 10s")
      ->capture_default_str()
      ->group(shared_group);
  app.add_option("--worker", args.worker, "This worker's name in the crawl (default: host name and pid)")
      ->group(shared_group);
  // Which crawl settings the command line gives: a shared crawl checks those against the crawl's
  // own and adopts the rest.
  app.final_callback([&args, &app] {
    for (const char* name : {"max-pages", "max-depth", "scope", "per-host", "delay", "robots", "user-agent"}) {
      if (app.count(std::string("--") + name) > 0) args.given.insert(name);
    }
  });
}

// --synthetic N and the generated site's shape.
void add_synthetic_flags(CLI::App& app, CrawlArgs& args) {
  const std::string synthetic_group = "Synthetic site (with --synthetic)";
  auto* synthetic_option =
      app.add_option("--synthetic", args.synthetic.urls,
                     "Crawl a generated site of this many pages on the local origin (e.g. 2000, 10k)")
          ->group(synthetic_group);
  // The site's shape: each of these needs --synthetic.
  const auto site_option = [&](const char* name, auto& value, const char* description) {
    return app.add_option(name, value, description)->needs(synthetic_option)->group(synthetic_group);
  };
  site_option("--hosts", args.synthetic.hosts, "Synthetic hosts, pages spread evenly")->capture_default_str();
  site_option("--latency", args.synthetic.latency, "Each host's latency to first byte, e.g. 20ms")
      ->capture_default_str();
  site_option("--jitter", args.synthetic.jitter, "Uniform +-jitter around the latency, seeded")->capture_default_str();
  site_option("--body", args.synthetic.body, "Body size of every page, e.g. 2KB, 30KB")->capture_default_str();
  site_option("--capacity", args.synthetic.capacity, "Requests each host serves at once (0 = unlimited)")
      ->capture_default_str();
  site_option("--emit-site", args.emit_site,
              "Write the site (sites.toml, seeds.txt, expected.txt) to DIR; crawl nothing");
  site_option("--links", args.links, "Links on each page to other pages of its host")->capture_default_str();
}

}  // namespace

void CrawlArgs::add_to(CLI::App& app) {
  app.footer(crawl_examples);
  add_crawl_flags(app, *this);
  add_shared_flags(app, *this);
  add_synthetic_flags(app, *this);
  client.add_to(app);
}

}  // namespace fetcher::cli
