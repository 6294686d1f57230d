// bench_plan.cpp: reading and checking what `fetcher bench` is asked to do (bench_plan.hpp).
#include "bench/bench_plan.hpp"

#include "common/run_metadata.hpp"
#include "common/shard.hpp"

#include <fetcher/bench/ideal.hpp>
#include <fetcher/url.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace fetcher::cli {
namespace {

// --synthetic: the list and the sites are generated into a directory removed with the plan.
void generate_synthetic(const BenchArgs& args, BenchPlan& plan) {
  if (!args.lists.empty()) throw std::invalid_argument("--synthetic: give URL lists or --synthetic, not both");
  if (!args.sites.empty()) throw std::invalid_argument("--synthetic: generates its own sites; drop --sites");
  if (args.live) throw std::invalid_argument("--synthetic: runs against the emulated origin; drop --live");
  plan.synthetic = parse_synthetic(args.synthetic);
  plan.synthetic_files = std::make_unique<TemporaryDirectory>("fetcher-synthetic-");
  plan.sites_path = (plan.synthetic_files->path() / "sites.toml").string();
  write_file(plan.sites_path, synthetic_sites_toml(*plan.synthetic));
  std::string lines;
  for (const auto& url : synthetic_urls(*plan.synthetic)) lines += url + "\n";
  plan.list_paths.push_back((plan.synthetic_files->path() / "synthetic.txt").string());
  write_file(plan.list_paths.back(), lines);
}

// Reads every list, each bad line named on stderr; with --shard, keeps this shard's lines and
// writes them aside for the measured children, which read the list by path.
void read_lists(const BenchArgs& args, BenchPlan& plan) {
  std::optional<Shard> shard;
  if (!args.shard.empty()) {
    if (!args.live) throw std::invalid_argument("--shard: splits a live run over machines; add --live");
    shard = parse_shard(args.shard);
    plan.shard_files = std::make_unique<TemporaryDirectory>("fetcher-shard-");
  }
  for (auto& path : plan.list_paths) {
    if (path == "-") throw std::invalid_argument("bench: lists must be files (the list is read once per strategy)");
    plan.lists.push_back(load_url_list(path));
    auto& list = plan.lists.back();
    if (shard) {
      list = select_shard(std::move(list), *shard);
      std::string lines;
      for (const auto& request : list) lines += request.url + "\n";
      const auto name = std::to_string(plan.lists.size()) + "-" + std::filesystem::path(path).filename().string();
      path = (plan.shard_files->path() / name).string();
      write_file(path, lines);
    }
    for (const auto& request : list) {
      if (!request.error.empty()) std::cerr << request.source << ": " << request.error << "\n";
    }
  }
}

// --histogram names one of the strategies run, or "none"; empty picks async or the fastest.
void check_histogram_choice(const std::string& choice, const std::vector<Strategy>& strategies) {
  if (choice.empty() || choice == "none") return;
  const auto wanted = Strategy::parse(choice);
  if (std::find(strategies.begin(), strategies.end(), wanted) == strategies.end()) {
    throw std::invalid_argument("--histogram: '" + choice + "' is not among the strategies run");
  }
}

// The warning for URLs the emulated origin cannot answer as their sites would (it has no model of
// their hosts, so they fail with a certificate or a 404 that says nothing of why); empty when
// every good URL's host is modelled. Names up to three hosts.
std::string unmodelled_hosts_warning(const origin::SiteSet& sites,
                                     const std::vector<std::vector<FetchRequest>>& lists) {
  std::size_t count = 0;
  std::vector<std::string> hosts;
  for (const auto& list : lists) {
    for (const auto& request : list) {
      UrlParts parts;
      std::string error;
      if (!request.error.empty() || !split_url(request.url, parts, error) || sites.find(parts.host)) continue;
      ++count;
      if (std::find(hosts.begin(), hosts.end(), parts.host) == hosts.end()) hosts.push_back(parts.host);
    }
  }
  if (count == 0) return {};
  std::string named;
  for (std::size_t i = 0; i < hosts.size() && i < 3; ++i) named += (i ? ", " : "") + hosts[i];
  if (hosts.size() > 3) named += " and " + std::to_string(hosts.size() - 3) + " more";
  return std::to_string(count) + (count == 1 ? " URL is on a host" : " URLs are on hosts") +
         " the emulated origin does not model (" + named + "); use --live or add them to a sites file";
}

// Without --live: the sites model, from --sites, the generated sites or urls/sites.toml.
void load_sites(const BenchArgs& args, BenchPlan& plan) {
  if (args.live) return;
  if (plan.sites_path.empty()) plan.sites_path = args.sites.empty() ? urls_directory() + "/sites.toml" : args.sites;
  plan.sites = origin::load_sites(plan.sites_path);
  if (const auto warning = unmodelled_hosts_warning(*plan.sites, plan.lists); !warning.empty()) {
    std::cerr << "fetcher: warning: " << warning << "\n";
  }
}

// The model's ideal of every measurement, known before any runs.
void compute_ideals(const BenchArgs& args, BenchPlan& plan) {
  plan.urls.assign(plan.lists.size(), {});
  plan.ideals.assign(plan.lists.size(), std::vector<double>(plan.strategies.size(), -1));
  plan.total_ideal_s = plan.sites ? 0 : -1;
  for (std::size_t l = 0; l < plan.lists.size(); ++l) {
    for (const auto& request : plan.lists[l]) plan.urls[l].push_back(request.url);
    for (std::size_t s = 0; s < plan.strategies.size() && plan.sites; ++s) {
      plan.ideals[l][s] = bench::ideal_seconds(*plan.sites, plan.urls[l], plan.strategies[s], args.max_in_flight);
      plan.total_ideal_s += plan.ideals[l][s] * args.runs;
    }
  }
}

}  // namespace

BenchPlan plan_bench(const BenchArgs& args) {
  BenchPlan plan;
  plan.list_paths = args.lists;
  if (!args.synthetic.urls.empty()) generate_synthetic(args, plan);
  if (plan.list_paths.empty()) {
    for (const char* name : {"mipt.txt", "python-docs.txt", "popular.txt"}) {
      plan.list_paths.push_back(urls_directory() + "/" + name);
    }
  }
  read_lists(args, plan);
  plan.strategies = parse_strategies(args.strategies);
  plan.format = parse_output_format(args.format);
  plan.color = parse_color_mode(args.color);
  check_histogram_choice(args.histogram, plan.strategies);
  plan.client = args.client;
  (void)plan.client.to_options();  // validates the flags now, in this process
  if (plan.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  load_sites(args, plan);
  compute_ideals(args, plan);
  return plan;
}

nlohmann::json bench_options(const BenchArgs& args, const BenchPlan& plan) {
  const auto& synthetic = plan.synthetic;
  nlohmann::json options = {{"lists", synthetic ? std::vector<std::string>() : plan.list_paths},
                            {"live", args.live},
                            {"sites", args.live || synthetic ? std::string() : plan.sites_path},
                            {"strategies", args.strategies},
                            {"max_in_flight", args.max_in_flight},
                            {"runs", args.runs},
                            {"huge_pages", args.huge_pages},
                            {"client", client_options_json(args.client)}};
  if (synthetic) {
    options["synthetic"] = {{"urls", synthetic->urls},
                            {"hosts", synthetic->hosts},
                            {"latency_ms", synthetic->latency.count()},
                            {"jitter_ms", synthetic->jitter.count()},
                            {"body_bytes", synthetic->body_bytes},
                            {"capacity", synthetic->capacity},
                            {"scheme", synthetic->scheme}};
  }
  return options;
}

}  // namespace fetcher::cli
