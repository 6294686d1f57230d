// bench_plan.hpp: what `fetcher bench` is about to do, worked out and checked before anything
// starts (a usage error costs no time): the lists read (sharded, or generated with --synthetic),
// the strategies, the output format, the client's flags, the sites model and the model's ideal
// time of every measurement. Planning also prints the warnings about the input.
#pragma once

#include "bench/bench_report.hpp"
#include "commands.hpp"
#include "common/synthetic.hpp"
#include "common/terminal_style.hpp"

#include <fetcher/origin/sites.hpp>
#include <fetcher/strategy.hpp>
#include <fetcher/url_list.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fetcher::cli {

struct BenchPlan {
  // The files the measuring children read, one a list: with --shard, this shard's lines written
  // aside; with --synthetic, the generated list.
  std::vector<std::string> list_paths;
  std::vector<std::vector<FetchRequest>> lists;  // as read, each list's requests
  std::vector<std::vector<std::string>> urls;    // each list's URLs, for the model
  std::optional<SyntheticSpec> synthetic;        // --synthetic's workload
  std::string sites_path;                        // the origin's sites file; empty with --live
  std::optional<origin::SiteSet> sites;          // the sites model; none with --live
  std::vector<Strategy> strategies;
  OutputFormat format = OutputFormat::table;
  ColorMode color = ColorMode::automatic;
  ClientFlags client;  // validated; start_origin (bench_measure.hpp) points it at the origin
  // The model's ideal time of each list (outer) and strategy (inner), negative when unknown; and
  // of all the measurements, runs included: the table's ideal column and the progress estimate.
  std::vector<std::vector<double>> ideals;
  double total_ideal_s = -1;
  // Where the generated and sharded lists live; removed with the plan.
  std::unique_ptr<TemporaryDirectory> synthetic_files;
  std::unique_ptr<TemporaryDirectory> shard_files;
};

// Reads and checks everything `args` names; throws std::invalid_argument for a usage error.
// Prints to stderr each bad line of the lists, the --insecure warning, and the warning for URLs
// on hosts the sites model does not know.
BenchPlan plan_bench(const BenchArgs& args);

// The bench's options in effect, defaults included, for the report's metadata.
nlohmann::json bench_options(const BenchArgs& args, const BenchPlan& plan);

}  // namespace fetcher::cli
