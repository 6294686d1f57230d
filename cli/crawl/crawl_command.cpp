// crawl_command.cpp: `fetcher crawl`, the crawl layer's crawler as a command: seeds in, pages out
// as JSON Lines, WARC and saved bodies, a progress line while it runs and a summary at the end.
#include "commands.hpp"
#include "common/build_info.hpp"
#include "common/interrupt.hpp"
#include "common/output_flags.hpp"
#include "common/origin_process.hpp"
#include "common/result_json.hpp"
#include "common/saved_bodies.hpp"
#include "common/synthetic.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"
#include "crawl/crawl_output.hpp"

#include <fetcher/bench/ideal_crawl.hpp>
#include <fetcher/crawl/crawler.hpp>
#include <fetcher/crawl/shared_crawler.hpp>
#include <fetcher/crawl/warc.hpp>
#include <fetcher/origin/site_graph.hpp>
#include <fetcher/run.hpp>
#include <fetcher/url_list.hpp>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stop_token>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace fetcher::cli {
namespace {

// Redraws the progress line on stderr every quarter second while the crawl runs.
class ProgressLine {
 public:
  ProgressLine(std::function<crawl::CrawlStats()> stats, bool enabled) : stats_(std::move(stats)) {
    if (!enabled) return;
    started_ = std::chrono::steady_clock::now();
    thread_ = std::jthread([this](std::stop_token stop) { draw_until(stop); });
  }
  ~ProgressLine() { finish(); }
  void finish() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
    std::cerr << "\r\033[K" << std::flush;
  }

 private:
  void draw_until(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      wake_.wait_for(lock, std::chrono::milliseconds(250));
      if (stop.stop_requested()) break;
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      const auto line = crawl_progress_line(stats_(), elapsed);
      std::cerr << "\r\033[K" << truncate_to_width(line, terminal_columns(STDERR_FILENO) - 1) << std::flush;
    }
  }

  std::function<crawl::CrawlStats()> stats_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::jthread thread_;
};

// Where the per-page records and the bodies go, once the old spellings are settled.
struct CrawlOutput {
  std::string records;  // "": none; "-": standard output; else the file
  std::string save;     // --save DIR; empty: bodies are not saved
};

// --format, --output and --save, with the old spellings (--jsonl, -o, --output-dir) applied: each
// prints its deprecation note, and one given together with its replacement is a usage error.
CrawlOutput settle_output_flags(const CrawlArgs& args) {
  if (!args.format.empty() && args.format != "json") {
    throw std::invalid_argument("--format: a crawl writes json (one object per page), not '" + args.format + "'");
  }
  std::vector<std::string> notes;
  CrawlOutput how;
  if (!args.format.empty() || !args.output.empty()) how.records = args.output.empty() ? "-" : args.output;
  const bool new_records = !args.format.empty() || !args.output.empty();
  if (take_old_spelling(notes, "crawl", !args.old_jsonl.empty(), "--jsonl", new_records,
                        args.format.empty() ? "--output" : "--format",
                        args.old_jsonl == "-" ? "--format json" : "--format json --output FILE")) {
    how.records = args.old_jsonl;
  }
  how.save = save_directory(notes, "crawl", args.save, args.old_o, args.old_output_dir);
  for (const auto& note : notes) std::cerr << note << "\n";
  return how;
}

// Where the pages go: JSON Lines, a WARC archive, saved bodies. Called one page at a time.
class PageSinks {
 public:
  PageSinks(const CrawlArgs& args, const CrawlOutput& how) : save_dir_(how.save) {
    if (!how.records.empty() && how.records != "-") open_report_file(jsonl_file_, how.records);
    jsonl_ = how.records.empty() ? nullptr : (how.records == "-" ? &std::cout : &jsonl_file_);
    if (!save_dir_.empty()) {
      std::error_code error;
      std::filesystem::create_directories(save_dir_, error);
      if (error || !std::filesystem::is_directory(save_dir_)) {
        throw std::runtime_error("--save " + save_dir_ + ": cannot create directory" +
                                 (error ? ": " + error.message() : std::string()));
      }
    }
    if (!args.warc.empty()) {
      warc_ = std::make_unique<crawl::WarcWriter>(
          args.warc, "fetcher/" + fetcher_version(),
          std::vector<std::pair<std::string, std::string>>{{"robots", args.robots == "on" ? "obey" : "ignore"},
                                                           {"http-header-user-agent", args.client.user_agent}});
    }
  }

  void write(const crawl::CrawlPage& page) {
    const auto& result = *page.result;
    std::string saved;
    ++numbered_;
    if (!save_dir_.empty() && result.delivered() && !result.body_skipped) {
      saved = save_body(std::filesystem::path(save_dir_) / safe_file_name(numbered_, 6, page.url), page.body);
      if (saved.empty()) ++save_failures_;
    }
    if (warc_ && result.delivered() && !result.body_skipped) {
      crawl::WarcExchange exchange;
      exchange.target_uri = page.url;
      exchange.date = page.started;
      exchange.request_head = page.request_head;
      exchange.status = result.status;
      for (std::size_t i = 0; i < result.headers.size(); ++i) {
        exchange.response_fields.emplace_back(result.headers[i].name, result.headers[i].value);
      }
      exchange.payload = page.body;
      warc_->write(exchange);
    }
    if (jsonl_) {
      auto record = page_to_json(page);
      if (!saved.empty()) record["saved"] = saved;
      *jsonl_ << json_line(record) << '\n' << std::flush;
      if (!*jsonl_) throw std::runtime_error("--output: cannot write: " + std::string(std::strerror(errno)));
    }
  }

  std::uint64_t save_failures() const { return save_failures_; }

 private:
  std::string save_dir_;
  std::ofstream jsonl_file_;
  std::ostream* jsonl_ = nullptr;
  std::unique_ptr<crawl::WarcWriter> warc_;
  std::uint64_t numbered_ = 0;
  std::uint64_t save_failures_ = 0;
};

crawl::CrawlOptions crawl_options(const CrawlArgs& args, std::vector<std::string> seeds) {
  crawl::CrawlOptions options;
  options.seeds = std::move(seeds);
  if (!args.max_pages.empty()) options.max_pages = parse_count("--max-pages", args.max_pages);
  if (args.max_depth >= 0) options.max_depth = static_cast<unsigned>(args.max_depth);
  if (!crawl::parse_crawl_scope(args.scope, options.scope)) {
    throw std::invalid_argument("--scope: '" + args.scope + "' is not host, domain or any");
  }
  if (args.per_host == 0) throw std::invalid_argument("--per-host: must be at least 1");
  options.per_host = args.per_host;
  options.delay = parse_duration("--delay", args.delay);
  if (args.robots != "on" && args.robots != "off")
    throw std::invalid_argument("--robots: '" + args.robots + "' is not on or off");
  options.robots = args.robots == "on";
  options.strategy = Strategy::parse(args.strategy);
  if (options.strategy.kind != Strategy::Kind::async) {
    throw std::invalid_argument("--strategy: a crawl runs on event loops: async or async:N, not " + args.strategy);
  }
  options.max_in_flight = args.max_in_flight;
  options.keep_bodies = !args.save.empty() || !args.old_o.empty() || !args.old_output_dir.empty() || !args.warc.empty();
  options.record_exchange = !args.warc.empty();
  return options;
}

}  // namespace

namespace {

std::vector<std::string> seeds_of(const CrawlArgs& args) {
  std::vector<std::string> seeds = args.seeds;
  for (const auto& path : args.input_lists) {
    for (auto& request : load_url_list(path)) {
      if (!request.error.empty()) {
        std::cerr << "fetcher: " << printable(request.source) << ": " << printable(request.error) << " (skipped)\n";
        continue;
      }
      seeds.push_back(std::move(request.url));
    }
  }
  return seeds;
}

// This process's CPU (user + system) and peak resident set so far.
struct ProcessUsage {
  double cpu_seconds = 0;
  std::uint64_t peak_rss_bytes = 0;
};

ProcessUsage process_usage() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return {static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
          static_cast<std::uint64_t>(usage.ru_maxrss) * 1024};
}

struct CrawlRun {
  crawl::CrawlStats stats;
  double cpu_seconds = 0;  // this process, user + system
  std::uint64_t peak_rss_bytes = 0;
  bool interrupted = false;
  int signal = 0;
  std::uint64_t save_failures = 0;
};

CrawlRun run_crawl(const CrawlArgs& args, crawl::CrawlOptions options, const FetchOptions& fetch_options) {
  PageSinks sinks(args, settle_output_flags(args));
  raise_open_files_limit();
  Client client(fetch_options);
  crawl::Crawler crawler(client, std::move(options), [&sinks](const crawl::CrawlPage& page) { sinks.write(page); });
  std::stop_source stop;
  InterruptWatcher interrupt([&stop] { stop.request_stop(); });
  ProgressLine progress([&crawler] { return crawler.stats(); }, !args.quiet && is_terminal(STDERR_FILENO));
  CrawlRun run;
  run.stats = crawler.run(stop.get_token());
  progress.finish();
  run.interrupted = interrupt.interrupted();
  run.signal = interrupt.signal();
  run.save_failures = sinks.save_failures();
  const auto usage = process_usage();
  run.cpu_seconds = usage.cpu_seconds;
  run.peak_rss_bytes = usage.peak_rss_bytes;
  return run;
}

int exit_code(const CrawlRun& run) {
  if (run.interrupted) return exit_code_for_signal(run.signal);
  return run.stats.failed > 0 || run.save_failures > 0 ? exit_some_failed : exit_ok;
}

// What the origin saw against what a correct crawler fetches: "yes" or "no (...)". With
// max_pages the crawl is cut short, so only "nothing twice, nothing not expected" is checked.
std::string check_against_graph(const origin::ExpectedCrawl& expected, const nlohmann::json& paths,
                                const std::string& scheme, bool cut_short) {
  std::uint64_t twice = 0, unexpected = 0, robots = 0, pages = 0;
  for (const auto& path : paths.at("paths")) {
    const auto target = path.at("target").get<std::string>();
    const auto requests = path.at("requests").get<std::uint64_t>();
    if (target == "/robots.txt") {
      robots += requests;
      twice += requests > 1;
      continue;
    }
    ++pages;
    twice += requests > 1;
    if (!expected.pages.contains(scheme + "://" + path.at("host").get<std::string>() + target)) ++unexpected;
  }
  const auto missing =
      cut_short ? 0 : expected.pages.size() - std::min<std::uint64_t>(expected.pages.size(), pages - unexpected);
  if (twice == 0 && unexpected == 0 && missing == 0 && robots == expected.robots_hosts.size()) {
    return cut_short ? "yes (cut short by --max-pages: nothing requested twice or outside the set)"
                     : "yes (every page once, robots.txt once per host)";
  }
  std::ostringstream out;
  out << "no (" << missing << " missing, " << unexpected << " not in the set, " << twice << " requested twice, "
      << robots << " robots.txt for " << expected.robots_hosts.size() << " hosts)";
  return out.str();
}

// The origin's model walks every page of the site and every link on it; past this many links it
// would take longer than the crawl (minutes for a million pages), so it is left out.
constexpr std::uint64_t model_link_budget = 20'000'000;

// Without the model: only what the origin's counts say alone.
std::string check_counts_only(const nlohmann::json& paths) {
  std::uint64_t twice = 0, pages = 0;
  for (const auto& path : paths.at("paths")) {
    pages += path.at("target").get<std::string>() != "/robots.txt";
    twice += path.at("requests").get<std::uint64_t>() > 1;
  }
  if (twice == 0)
    return "nothing requested twice (" + std::to_string(pages) +
           " URLs; the set is not checked: site too large for the model)";
  return "no (" + std::to_string(twice) + " URLs requested twice)";
}

// `fetcher crawl --synthetic N`: a generated site on the local origin, crawled and set against
// the origin's model: the ideal crawl time and the set a correct crawler fetches.
int synthetic_crawl(const CrawlArgs& args) {
  if (!args.seeds.empty() || !args.input_lists.empty()) {
    throw std::invalid_argument("--synthetic crawls a generated site: give no seed URLs");
  }
  const auto spec = parse_synthetic(args.synthetic);
  if (args.links == 0 || args.links > 1000) throw std::invalid_argument("--links: need 1 to 1000 links per page");
  TemporaryDirectory directory("fetcher-crawl-");
  const auto sites_toml = synthetic_crawl_sites_toml(spec, args.links);
  write_file(directory.path() / "sites.toml", sites_toml);
  const auto sites = origin::parse_sites(sites_toml, "synthetic sites");
  auto options = crawl_options(args, synthetic_crawl_seeds(spec));
  const auto seeds = options.seeds;
  const auto in_scope = [&sites](std::string_view host) { return sites.find(host) != nullptr; };
  const bool model = spec.urls * (args.links + 16) <= model_link_budget;
  if (!args.emit_site.empty()) {
    if (!model) throw std::invalid_argument("--emit-site: the site is too large to list its expected set");
    // For other crawlers (tests/perf/peers.sh): the site, its seeds, and the set to fetch.
    std::filesystem::create_directories(args.emit_site);
    const std::filesystem::path into(args.emit_site);
    write_file(into / "sites.toml", sites_toml);
    std::string lines;
    for (const auto& seed : seeds) lines += seed + "\n";
    write_file(into / "seeds.txt", lines);
    lines.clear();
    for (const auto& [url, depth] : origin::expected_crawl(sites, seeds, in_scope, options.robots).pages)
      lines += url + "\n";
    write_file(into / "expected.txt", lines);
    return exit_ok;
  }
  const auto max_pages = options.max_pages;
  const auto max_depth = options.max_depth;
  const auto per_host = options.per_host;
  const auto delay = options.delay;
  const auto robots = options.robots;
  const auto max_in_flight = options.max_in_flight;

  if (!args.quiet)
    std::cerr << "fetcher: crawling a generated site: " << describe(spec) << ", " << args.links << " links a page\n";
  OriginProcess origin((directory.path() / "sites.toml").string(), {});
  auto client_flags = args.client;
  const auto rules = origin.connect_to_rules();
  client_flags.connect_to.insert(client_flags.connect_to.begin(), rules.begin(), rules.end());
  if (client_flags.cacert.empty()) client_flags.cacert = origin.ca_file();
  const auto fetch_options = client_flags.to_options();

  const auto run = run_crawl(args, std::move(options), fetch_options);
  const auto style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  const double wall = std::chrono::duration<double>(run.stats.wall).count();
  std::cerr << crawl_summary(run.stats, style);
  std::cerr << crawl_client_line(run.cpu_seconds, run.stats.pages, run.peak_rss_bytes);
  std::cerr << crawl_cpu_split_line(run.stats);
  std::string correct;
  if (model) {
    const auto ideal =
        bench::ideal_crawl(sites, seeds, in_scope, per_host, delay, robots, max_in_flight, max_pages, max_depth);
    const auto expected = origin::expected_crawl(sites, seeds, in_scope, robots, max_depth);
    correct = check_against_graph(expected, origin.command("paths"), spec.scheme, max_pages < expected.pages.size());
    char ratio[32] = "-";
    if (ideal.seconds > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", wall / ideal.seconds);
    std::cerr << "  ideal    " << format_seconds(ideal.seconds) << " (the origin's model: per-host " << per_host
              << ", zero client overhead), wall/ideal " << ratio << "\n";
  } else {
    correct = check_counts_only(origin.command("paths"));
    std::cerr << "  ideal    not computed: the model walks every link of the site, too many here\n";
  }
  std::cerr << "  correct  " << correct << "\n";
  if (run.interrupted) {
    std::cerr << "  (interrupted)\n";
    return exit_code_for_signal(run.signal);
  }
  // The site's broken links fail by design: the check against the graph is what passes or not.
  const bool passed = correct.starts_with("yes") || correct.starts_with("nothing requested twice");
  return passed && run.save_failures == 0 ? exit_ok : exit_some_failed;
}

// `fetcher crawl --frontier redis://... --crawl-id ID`: one worker of a crawl shared through
// Redis. Pages go to the local sinks (--output, --warc, --save) as they are fetched here; the crawl's
// results, recorded once per URL whichever worker fetched it, go to --export at the end.
int shared_crawl(const CrawlArgs& args) {
  if (args.frontier.empty() || args.crawl_id.empty()) {
    throw std::invalid_argument("a shared crawl needs both --frontier redis://HOST[:PORT][/DB] and --crawl-id ID");
  }
  if (!args.synthetic.urls.empty()) throw std::invalid_argument("--synthetic runs alone, not in a shared crawl");
  auto seeds = seeds_of(args);
  auto options = crawl_options(args, std::move(seeds));
  crawl::SharedCrawlOptions shared;
  shared.redis_url = args.frontier;
  shared.crawl_id = args.crawl_id;
  shared.worker = args.worker;
  shared.claim_idle = parse_duration("--claim-idle", args.claim_idle);
  if (shared.claim_idle < std::chrono::milliseconds(100)) {
    throw std::invalid_argument("--claim-idle: must be at least 100ms (a URL would pass between live workers)");
  }
  shared.redis_timeout = parse_duration("--redis-timeout", args.redis_timeout);
  shared.given = args.given;
  if (!options.seeds.empty()) shared.given.insert("seeds");
  std::ofstream export_stream;
  if (!args.export_file.empty()) {
    // Opened now, so a path that cannot be written fails before the crawl rather than after it.
    export_stream.open(args.export_file, std::ios::binary | std::ios::trunc);
    if (!export_stream) {
      throw std::runtime_error("--export " + args.export_file + ": cannot open for writing: " + std::strerror(errno));
    }
  }
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  PageSinks sinks(args, settle_output_flags(args));
  raise_open_files_limit();
  crawl::SharedCrawler crawler(args.client.to_options(), std::move(options), shared,
                               [&sinks](const crawl::CrawlPage& page) {
                                 sinks.write(page);
                                 return json_line(page_to_json(page));
                               });
  if (!args.quiet) {
    std::cerr << "fetcher: " << (crawler.started_the_crawl() ? "started" : "joined") << " crawl " << args.crawl_id
              << "\n";
  }
  std::stop_source stop;
  InterruptWatcher interrupt([&stop] { stop.request_stop(); });
  ProgressLine progress([&crawler] { return crawler.stats(); }, !args.quiet && is_terminal(STDERR_FILENO));
  const auto stats = crawler.run(stop.get_token());
  progress.finish();
  const auto style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  if (!args.quiet || interrupt.interrupted()) {
    std::cerr << crawl_summary(stats.worker, style);
    const auto usage = process_usage();
    std::cerr << crawl_client_line(usage.cpu_seconds, stats.worker.pages, usage.peak_rss_bytes);
    const double pages = static_cast<double>(std::max<std::uint64_t>(stats.worker.pages, 1));
    char per_page[32];
    std::snprintf(per_page, sizeof per_page, "%.1f", static_cast<double>(stats.redis_commands) / pages);
    std::cerr << "  shared   crawl " << args.crawl_id << ": " << stats.crawl_pages << " pages recorded by all workers; "
              << "this worker reclaimed " << stats.reclaimed << ", fetched " << stats.recorded_elsewhere
              << " that another had recorded, waited for a lease " << stats.lease_waits << " times, sent "
              << stats.redis_commands << " Redis commands (" << per_page << " a page)\n";
  }
  if (interrupt.interrupted()) {
    std::cerr << "  (interrupted: the URLs this worker held go to other workers after --claim-idle)\n";
    return exit_code_for_signal(interrupt.signal());
  }
  if (!args.export_file.empty()) {
    const auto written = crawler.export_results(export_stream);
    export_stream.flush();
    if (!export_stream)
      throw std::runtime_error("--export " + args.export_file + ": cannot write: " + std::strerror(errno));
    if (!args.quiet) std::cerr << "  export   " << written << " results to " << args.export_file << "\n";
  }
  return sinks.save_failures() > 0 ? exit_some_failed : exit_ok;
}

}  // namespace

int crawl_command(const CrawlArgs& args) {
  if (!args.frontier.empty() || !args.crawl_id.empty() || !args.export_file.empty()) return shared_crawl(args);
  if (!args.synthetic.urls.empty()) return synthetic_crawl(args);
  auto seeds = seeds_of(args);
  if (seeds.empty()) throw std::invalid_argument("crawl: no seed URLs (give URLs as arguments or -i FILE)");
  auto options = crawl_options(args, std::move(seeds));
  const auto err_style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  const auto fetch_options = args.client.to_options();
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  const auto run = run_crawl(args, std::move(options), fetch_options);
  if (!args.quiet || run.interrupted) {
    std::cerr << crawl_summary(run.stats, err_style);
    std::cerr << crawl_client_line(run.cpu_seconds, run.stats.pages, run.peak_rss_bytes);
    if (run.interrupted) std::cerr << "  (interrupted)\n";
  }
  return exit_code(run);
}

}  // namespace fetcher::cli

namespace fetcher::cli {

namespace {
constexpr const char* crawl_examples = R"(Examples:
  fetcher crawl https://docs.python.org/3/ --max-pages 200 --format json --output pages.jsonl
  fetcher crawl https://example.org/ --per-host 4 --delay 250ms --warc site.warc --save pages/
  fetcher crawl --synthetic 2000 --hosts 4 --latency 20ms     # a generated site on the local origin
)";
}  // namespace

void CrawlArgs::add_to(CLI::App& app) {
  app.footer(crawl_examples);
  app.add_option("seeds", seeds, "URLs to start from");
  app.add_option("-i,--input", input_lists, "Read seed URLs from this list file (- for stdin)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--max-pages", max_pages, "Fetch at most this many pages (e.g. 500, 10k); default no limit");
  app.add_option("--max-depth", max_depth, "Follow links at most this many steps from a seed; default no limit");
  app.add_option("--scope", scope, "host (the seeds' hosts), domain (and their subdomains) or any")
      ->capture_default_str();
  app.add_option("--per-host", per_host, "Fetches in flight per host")->capture_default_str();
  app.add_option("--delay", delay, "Least time between two request starts on one host, e.g. 500ms")
      ->capture_default_str();
  app.add_option("--robots", robots, "on: obey robots.txt (RFC 9309); off: ignore it")->capture_default_str();
  app.add_option("--format", format, "json: one JSON object per page as it finishes (default: none, a summary only)");
  app.add_option("--output", output, "Write the per-page records to this file (implies --format json)");
  app.add_option("--save", save, "Save bodies under this directory");
  app.add_option("--warc", warc, "Write the requests and responses to FILE as WARC/1.1");
  // The old spellings, kept for one release: hidden, each with a deprecation note (common/output_flags.hpp).
  app.add_option("--jsonl", old_jsonl)->group("");
  app.add_option("-o", old_o)->group("");
  app.add_option("--output-dir", old_output_dir)->group("");
  app.add_option("--strategy", strategy, "async (one event loop) or async:N (N loops)")->capture_default_str();
  app.add_option("--max-in-flight", max_in_flight, "Most fetches at once over all hosts (0 = no limit)")
      ->capture_default_str()
      ->transform(count_units());
  app.add_flag("-q,--quiet", quiet, "No progress line and no summary on stderr");
  app.add_option("--color", color, "auto, always or never (NO_COLOR is honoured)")->capture_default_str();
  const std::string shared_group = "Shared crawl (many workers through Redis)";
  app.add_option("--frontier", frontier, "Share the crawl through Redis at redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]")
      ->group(shared_group);
  app.add_option("--crawl-id", crawl_id, "The shared crawl's name; workers with the same id crawl together")
      ->group(shared_group);
  app.add_option("--export", export_file, "When the crawl is over, write every URL's result to FILE as JSON Lines")
      ->group(shared_group);
  app.add_option("--claim-idle", claim_idle,
                 "A URL a worker holds this long without a sign of life goes to another, e.g. 30s")
      ->capture_default_str()
      ->group(shared_group);
  app.add_option("--redis-timeout", redis_timeout, "Give up when Redis is lost this long, e.g. 10s")
      ->capture_default_str()
      ->group(shared_group);
  app.add_option("--worker", worker, "This worker's name in the crawl (default: host name and pid)")
      ->group(shared_group);
  // Which crawl settings the command line gives: a shared crawl checks those against the crawl's
  // own and adopts the rest.
  app.final_callback([this, &app] {
    for (const char* name : {"max-pages", "max-depth", "scope", "per-host", "delay", "robots", "user-agent"}) {
      if (app.count(std::string("--") + name) > 0) given.insert(name);
    }
  });
  auto* synthetic_option =
      app.add_option("--synthetic", synthetic.urls,
                     "Crawl a generated site of this many pages on the local origin (e.g. 2000, 10k)")
          ->group("Synthetic site (with --synthetic)");
  app.add_option("--hosts", synthetic.hosts, "Synthetic hosts, pages spread evenly")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--latency", synthetic.latency, "Each host's latency to first byte, e.g. 20ms")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--jitter", synthetic.jitter, "Uniform +-jitter around the latency, seeded")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--body", synthetic.body, "Body size of every page, e.g. 2KB, 30KB")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--capacity", synthetic.capacity, "Requests each host serves at once (0 = unlimited)")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--emit-site", emit_site, "Write the site (sites.toml, seeds.txt, expected.txt) to DIR; crawl nothing")
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  app.add_option("--links", links, "Links on each page to other pages of its host")
      ->capture_default_str()
      ->needs(synthetic_option)
      ->group("Synthetic site (with --synthetic)");
  client.add_to(app);
}

}  // namespace fetcher::cli
