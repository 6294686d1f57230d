// crawl_synthetic.cpp: `fetcher crawl --synthetic N`: the generated site written and served by the
// local origin, the crawl of it, and the check of what the origin saw against the origin's model:
// the ideal crawl time and the set a correct crawler fetches.
#include "crawl/crawl_synthetic.hpp"

#include "common/interrupt.hpp"
#include "common/origin_process.hpp"
#include "common/synthetic.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"
#include "crawl/crawl_output.hpp"
#include "crawl/crawl_run.hpp"

#include <fetcher/bench/ideal_crawl.hpp>
#include <fetcher/origin/site_graph.hpp>
#include <fetcher/origin/sites.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <unistd.h>

namespace fetcher::cli {
namespace {

using InScope = std::function<bool(std::string_view host)>;

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

// --emit-site DIR, for other crawlers (tests/perf/peers.sh): the site, its seeds, and the set to
// fetch.
void emit_site(const std::string& dir, const std::string& sites_toml, const origin::SiteSet& sites,
               const crawl::CrawlOptions& options, const InScope& in_scope) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path into(dir);
  write_file(into / "sites.toml", sites_toml);
  std::string lines;
  for (const auto& seed : options.seeds) lines += seed + "\n";
  write_file(into / "seeds.txt", lines);
  lines.clear();
  for (const auto& [url, depth] : origin::expected_crawl(sites, options.seeds, in_scope, options.robots).pages)
    lines += url + "\n";
  write_file(into / "expected.txt", lines);
}

// The client's options with the origin's connect-to rules first, and its CA trusted unless
// --cacert names one.
FetchOptions client_options_for(ClientFlags client, const OriginProcess& origin) {
  const auto rules = origin.connect_to_rules();
  client.connect_to.insert(client.connect_to.begin(), rules.begin(), rules.end());
  if (client.cacert.empty()) client.cacert = origin.ca_file();
  return client.to_options();
}

// The crawl set against the model: prints the ideal line (or why there is none) and returns the
// verdict on what the origin saw. Without the model, only its counts are checked.
std::string model_verdict(const origin::SiteSet& sites, const crawl::CrawlOptions& options, const InScope& in_scope,
                          bool model, OriginProcess& origin, const std::string& scheme, double wall) {
  if (!model) {
    const auto correct = check_counts_only(origin.command("paths"));
    std::cerr << "  ideal    not computed: the model walks every link of the site, too many here\n";
    return correct;
  }
  const auto& seeds = options.seeds;
  const auto ideal = bench::ideal_crawl(sites, seeds, in_scope, options.per_host, options.delay, options.robots,
                                        options.max_in_flight, options.max_pages, options.max_depth);
  const auto expected = origin::expected_crawl(sites, seeds, in_scope, options.robots, options.max_depth);
  const auto correct =
      check_against_graph(expected, origin.command("paths"), scheme, options.max_pages < expected.pages.size());
  char ratio[32] = "-";
  if (ideal.seconds > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", wall / ideal.seconds);
  std::cerr << "  ideal    " << format_seconds(ideal.seconds) << " (the origin's model: per-host " << options.per_host
            << ", zero client overhead), wall/ideal " << ratio << "\n";
  return correct;
}

}  // namespace

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
  const auto options = crawl_options(args, synthetic_crawl_seeds(spec));
  const InScope in_scope = [&sites](std::string_view host) { return sites.find(host) != nullptr; };
  const bool model = spec.urls * (args.links + 16) <= model_link_budget;
  if (!args.emit_site.empty()) {
    if (!model) throw std::invalid_argument("--emit-site: the site is too large to list its expected set");
    emit_site(args.emit_site, sites_toml, sites, options, in_scope);
    return exit_ok;
  }

  if (!args.quiet)
    std::cerr << "fetcher: crawling a generated site: " << describe(spec) << ", " << args.links << " links a page\n";
  OriginProcess origin((directory.path() / "sites.toml").string(), {});
  const auto run = run_crawl(args, options, client_options_for(args.client, origin));
  const auto style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  const double wall = std::chrono::duration<double>(run.stats.wall).count();
  std::cerr << crawl_summary(run.stats, style);
  std::cerr << crawl_client_line(run.cpu_seconds, run.stats.pages, run.peak_rss_bytes);
  std::cerr << crawl_cpu_split_line(run.stats);
  const auto correct = model_verdict(sites, options, in_scope, model, origin, spec.scheme, wall);
  std::cerr << "  correct  " << correct << "\n";
  if (run.interrupted) {
    std::cerr << "  (interrupted)\n";
    return exit_code_for_signal(run.signal);
  }
  // The site's broken links fail by design: the check against the graph is what passes or not.
  const bool passed = correct.starts_with("yes") || correct.starts_with("nothing requested twice");
  return passed && run.save_failures == 0 ? exit_ok : exit_some_failed;
}

}  // namespace fetcher::cli
