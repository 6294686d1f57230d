// commands.hpp: the subcommands of `fetcher`, each a function from parsed arguments to an exit
// code (0 all fetched, 1 some URLs failed, 2 usage or input error).
#pragma once

#include "common/client_flags.hpp"
#include "common/synthetic.hpp"

#include <fetcher/bench/default_sweep.hpp>

#include <stdexcept>
#include <set>
#include <string>
#include <vector>

namespace fetcher::cli {

constexpr int exit_ok = 0;
constexpr int exit_some_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_internal = 3;  // a measured child or the origin process failed

// Thrown when something of ours broke mid-run (not the user's input, not a URL's failure).
class InternalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchArgs {
  std::vector<std::string> lists;  // empty: the three course lists
  bool live = false;
  std::string strategies{bench::default_strategy_names};
  std::string sites;         // empty: urls/sites.toml
  SyntheticFlags synthetic;  // synthetic.urls non-empty: a generated list and sites instead
  std::string format = "table";
  std::string output;  // empty: standard output
  std::size_t max_in_flight = 0;
  unsigned runs = 1;                // each strategy this many times; the median run is reported
  bool quiet = false;               // no progress line
  std::string color = "auto";       // auto, always, never (NO_COLOR counts for auto)
  bool charts = true;               // bars and a histogram under each table
  std::string histogram;            // the strategy whose latencies are drawn; empty: async, "none": off
  bool explain = false;             // a reading of the results after each table
  std::string report;               // an HTML report to write, or empty
  std::string huge_pages = "auto";  // auto, on, off: glibc's heap on huge pages in the children
  std::string shard;                // with --live: "i/N", this worker's share of the lists' hosts
  ClientFlags client;
};

struct GetArgs {
  std::vector<std::string> urls;
  std::vector<std::string> input_lists;
  std::string strategy = "async";
  std::size_t max_in_flight = 0;
  std::string format;  // --format: table or json (JSON Lines); empty: not given, table
  std::string output;  // --output FILE: the lines go here; empty: standard output
  std::string save;    // --save DIR: bodies go here; empty: not saved
  // The old spellings, hidden, for one release (common/output_flags.hpp).
  bool old_json = false;       // --json: --format json
  std::string old_o;           // -o DIR: --save DIR
  std::string old_output_dir;  // --output-dir DIR: --save DIR
  std::string shard;           // "i/N": fetch only the URLs of hosts in this shard
  bool quiet = false;          // no summary line
  std::string color = "auto";
  ClientFlags client;
};

struct ServeArgs {
  std::string sites;
  std::string address = "127.0.0.1";
  unsigned http_port = 0;
  unsigned https_port = 0;
  bool control = false;  // the bench's line protocol on stdin/stdout
};

// The bench's measured child: one list, one strategy, results as JSON lines on stdout.
struct RunStrategyArgs {
  std::string list;
  std::string strategy;
  std::size_t max_in_flight = 0;
  ClientFlags client;
};

// `fetcher load` (load_command.cpp): one URL many times over kept-alive connections.
struct LoadArgs {
  std::string url;
  std::string connections = "32";  // -c; "1k" accepted
  std::string requests;            // -n; empty: 10k unless -d is given
  std::string duration;            // -d; empty: no time limit
  unsigned threads = 1;            // event loops
  std::string format = "table";    // table or json
  std::string output;              // --output FILE; empty: standard output
  ClientFlags client;

  void add_to(CLI::App& app);
};

// `fetcher crawl` (crawl_command.cpp): a polite breadth-first crawl from seed URLs.
struct CrawlArgs {
  std::vector<std::string> seeds;
  std::vector<std::string> input_lists;  // -i: seed lists
  std::string max_pages;                 // empty: no limit; "10k" accepted
  int max_depth = -1;                    // -1: no limit
  std::string scope = "host";
  unsigned per_host = 2;
  std::string delay = "0ms";
  std::string robots = "on";
  std::string format;  // --format: json (one object per page); empty: not given
  std::string output;  // --output FILE: the per-page records; empty: standard output
  std::string save;    // --save DIR: save bodies here
  std::string warc;
  // The old spellings, hidden, for one release (common/output_flags.hpp).
  std::string old_jsonl;       // --jsonl FILE|-: --format json [--output FILE]
  std::string old_o;           // -o DIR: --save DIR
  std::string old_output_dir;  // --output-dir DIR: --save DIR
  std::string strategy = "async";
  std::size_t max_in_flight = 0;
  bool quiet = false;  // no progress line, no summary
  std::string color = "auto";
  // The crawl shared through Redis: --frontier redis://... --crawl-id ID.
  std::string frontier;
  std::string crawl_id;
  std::string export_file;  // the crawl's results as JSON Lines, once it is over
  std::string claim_idle = "30s";
  std::string redis_timeout = "10s";
  std::string worker;           // this worker's name; empty: host name and pid
  std::set<std::string> given;  // the crawl settings set on the command line, by flag name
  SyntheticFlags synthetic;     // synthetic.urls non-empty: crawl a generated site
  unsigned links = 10;          // --synthetic: links on each page to its host's pages
  std::string emit_site;        // --synthetic: write the site's files here and stop
  ClientFlags client;

  void add_to(CLI::App& app);
};

int bench_command(const BenchArgs& args);
int crawl_command(const CrawlArgs& args);
int get_command(const GetArgs& args);
int serve_command(const ServeArgs& args);
int run_strategy_command(const RunStrategyArgs& args);
int load_command(const LoadArgs& args);

// Where the course lists and sites.toml live: $FETCHER_URLS_DIR, else the source tree's urls/.
std::string urls_directory();

}  // namespace fetcher::cli
