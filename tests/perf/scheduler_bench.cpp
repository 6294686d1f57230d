// scheduler_bench.cpp: the scheduler's targets, measured against the emulated origin running in
// a process of its own (`fetcher serve --control`), so the figures are the client's alone.
//
//   scheduler_bench fairness [--urls 2000] [--runs 3]
//     URLs interleaved over a 10 ms host and a 50 ms host, 2 in flight per host, pushed into one
//     run. Prints, per way of running it, when the fast host's last result came and when the run
//     ended, beside the ideals: the fast host's URLs alone, and the slow host's. The two ways:
//     the Scheduler (host-aware: a URL waiting for its host holds no slot), and run() with the
//     client's own per-host limit under an in-flight cap of 8, as a crawler had to before it.
//
//   scheduler_bench scale [--urls 1000000] [--hosts 100] [--runs 1]
//     Zero-latency hosts, keep-alive, async, 32 in flight; every result pushes the next URL, so
//     the run grows while it runs. Prints peak RSS, CPU per request and requests/s, and beside
//     them `fetcher load` against the same origin (one URL, 32 connections, the same request
//     count up to 200,000): the throughput mode's CPU per request, measured in the same run.
//
// Each figure is the median of --runs runs. Needs the built `fetcher` (FETCHER_CLI_PATH, or
// --fetcher PATH).
#include "process_origin.hpp"
#include "run_process.hpp"

#include <fetcher/run.hpp>
#include <fetcher/scheduler.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace {

using namespace fetcher;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

FetchOptions bench_options(const testing::ProcessOrigin& origin) {
  auto options = origin.client_options();  // connect-to rules and the origin's CA
  options.connect_timeout = std::chrono::seconds(10);
  options.first_byte_timeout = std::chrono::seconds(60);
  options.total_timeout = std::chrono::seconds(120);
  return options;
}

// --- fairness ------------------------------------------------------------------------------

constexpr int fast_latency_ms = 10;
constexpr int slow_latency_ms = 50;
constexpr unsigned per_host = 2;

const char* const fairness_sites = R"(
seed = 1
[[site]]
host = "fast.test"
latency_ms = 10
body_bytes = 2000
capacity = 0

[[site]]
host = "slow.test"
latency_ms = 50
body_bytes = 2000
capacity = 0
)";

struct FairnessRun {
  double fast_last_s = 0;  // the fast host's last result, from the start of the run
  double wall_s = 0;
  std::size_t failed = 0;
};

std::vector<FetchRequest> interleaved(std::size_t count) {
  std::vector<FetchRequest> requests;
  for (std::size_t i = 0; i < count; ++i) {
    requests.emplace_back(std::string(i % 2 ? "http://slow.test/p/" : "http://fast.test/p/") + std::to_string(i));
  }
  return requests;
}

// Records when the fast host's last result arrived; called from the run's loop.
class FastHostClock {
 public:
  explicit FastHostClock(clock_type::time_point start) : start_(start) {}
  void seen(const FetchResult& result) {
    if (!result.ok()) ++failed_;
    if (result.url.find("//fast.test/") != std::string::npos) last_fast_ = seconds_since(start_);
  }
  FairnessRun finish() const { return {last_fast_, seconds_since(start_), failed_}; }

 private:
  clock_type::time_point start_;
  double last_fast_ = 0;
  std::size_t failed_ = 0;
};

FairnessRun fairness_with_scheduler(const testing::ProcessOrigin& origin, std::size_t urls) {
  Client client(bench_options(origin));
  SchedulerOptions options;
  options.host_defaults.max_in_flight = per_host;
  std::mutex mutex;  // one loop delivers; the lock only keeps the clock's reads honest
  FastHostClock clock(clock_type::now());
  Scheduler scheduler(client, options, [&](const FetchResult& result) {
    std::lock_guard lock(mutex);
    clock.seen(result);
  });
  for (auto& request : interleaved(urls)) scheduler.push(std::move(request));
  scheduler.close();
  clock = FastHostClock(clock_type::now());
  scheduler.run();
  return clock.finish();
}

FairnessRun fairness_with_run(const testing::ProcessOrigin& origin, std::size_t urls) {
  auto client_options = bench_options(origin);
  client_options.max_per_host = per_host;
  Client client(client_options);
  RunOptions run_options;
  run_options.max_in_flight = 8;
  const auto requests = interleaved(urls);
  FastHostClock clock(clock_type::now());
  run(requests, Strategy::parse("async"), client, run_options, [&](const FetchResult& result) { clock.seen(result); });
  return clock.finish();
}

int fairness(const std::string& fetcher_path, std::size_t urls, int runs) {
  testing::ProcessOrigin origin(fetcher_path, fairness_sites);
  const std::size_t fast_urls = (urls + 1) / 2;
  const std::size_t slow_urls = urls / 2;
  const double fast_ideal = static_cast<double>((fast_urls + per_host - 1) / per_host) * fast_latency_ms / 1e3;
  const double slow_ideal = static_cast<double>((slow_urls + per_host - 1) / per_host) * slow_latency_ms / 1e3;
  std::printf("fairness: %zu URLs (%zu on a %d ms host, %zu on a %d ms host), %u per host, median of %d\n", urls,
              fast_urls, fast_latency_ms, slow_urls, slow_latency_ms, per_host, runs);
  std::printf("ideal: fast host alone %.2f s, slow host alone %.2f s\n", fast_ideal, slow_ideal);
  std::printf("%-34s %12s %9s %10s %9s %7s\n", "way", "fast last", "vs ideal", "wall", "vs slow", "failed");
  struct Way {
    const char* name;
    FairnessRun (*measure)(const testing::ProcessOrigin&, std::size_t);
  };
  for (const Way& way : {Way{"Scheduler, host-aware", fairness_with_scheduler},
                         Way{"run(), max_per_host 2, 8 in flight", fairness_with_run}}) {
    std::vector<double> fast_last, wall;
    std::size_t failed = 0;
    for (int r = 0; r < runs; ++r) {
      const auto measured = way.measure(origin, urls);
      fast_last.push_back(measured.fast_last_s);
      wall.push_back(measured.wall_s);
      failed += measured.failed;
    }
    const double fast = median(fast_last), whole = median(wall);
    std::printf("%-34s %10.2f s %+8.1f%% %8.2f s %+8.1f%% %7zu\n", way.name, fast, (fast / fast_ideal - 1) * 100, whole,
                (whole / slow_ideal - 1) * 100, failed);
  }
  return 0;
}

// --- scale ---------------------------------------------------------------------------------

constexpr std::size_t scale_in_flight = 32;

std::string scale_sites(std::size_t hosts) {
  std::string toml = "seed = 1\n";
  for (std::size_t h = 0; h < hosts; ++h) {
    toml += "[[site]]\nhost = \"h" + std::to_string(h) + ".test\"\nlatency_ms = 0\nbody_bytes = 1024\ncapacity = 0\n";
  }
  return toml;
}

struct ScaleRun {
  double wall_s = 0;
  double cpu_us_per_request = 0;
  std::size_t failed = 0;
};

ScaleRun scale_with_scheduler(const testing::ProcessOrigin& origin, std::size_t urls, std::size_t hosts) {
  auto client_options = bench_options(origin);
  client_options.body_digest = false;  // as `fetcher load` does: the comparison is of scheduling
  Client client(client_options);
  SchedulerOptions options;
  options.max_in_flight = scale_in_flight;
  std::atomic<std::size_t> pushed{0};
  std::atomic<std::size_t> failed{0};
  const auto url_of = [hosts](std::size_t i) {
    return "http://h" + std::to_string(i % hosts) + ".test/p/" + std::to_string(i / hosts);
  };
  Scheduler* self = nullptr;
  Scheduler scheduler(client, options, [&](const FetchResult& result) {
    if (!result.ok()) ++failed;
    if (const auto next = pushed++; next < urls) self->push(FetchRequest(url_of(next)));
  });
  self = &scheduler;
  // A window four times the in-flight cap; each result then pushes the next URL.
  for (std::size_t i = 0; i < std::min(urls, scale_in_flight * 4); ++i) scheduler.push(FetchRequest(url_of(pushed++)));
  scheduler.close();
  const double cpu_before = process_cpu_seconds();
  const auto start = clock_type::now();
  const auto report = scheduler.run();
  const double wall = seconds_since(start);
  const double cpu = process_cpu_seconds() - cpu_before;
  return {wall, cpu / static_cast<double>(report.requests) * 1e6, failed.load()};
}

// `fetcher load` against host h0 of the same origin, through the same connect-to rules.
double load_cpu_us_per_request(const std::string& fetcher_path, const testing::ProcessOrigin& origin,
                               std::size_t requests) {
  const auto options = origin.client_options();
  std::vector<std::string> command{
      fetcher_path, "load", "http://h0.test/p/0", "-c", std::to_string(scale_in_flight), "-n", std::to_string(requests),
      "--format",   "json"};
  for (const auto& rule : options.connect_to) {
    command.push_back("--connect-to");
    command.push_back(rule.host + ":" + (rule.port ? std::to_string(rule.port) : "") + ":" + rule.target_host + ":" +
                      (rule.target_port ? std::to_string(rule.target_port) : ""));
  }
  const auto outcome = testing::run_process(command);
  if (outcome.exit_code != 0) throw std::runtime_error("fetcher load failed: " + outcome.err);
  return nlohmann::json::parse(outcome.out).at("cpu_us_per_request").get<double>();
}

int scale(const std::string& fetcher_path, std::size_t urls, std::size_t hosts, int runs) {
  testing::ProcessOrigin origin(fetcher_path, scale_sites(hosts));
  std::printf(
      "scale: %zu URLs over %zu zero-latency hosts, async, %zu in flight, pushed from the handler, "
      "median of %d\n",
      urls, hosts, scale_in_flight, runs);
  std::vector<double> wall, cpu, load_cpu;
  std::size_t failed = 0;
  for (int r = 0; r < runs; ++r) {
    const auto measured = scale_with_scheduler(origin, urls, hosts);
    wall.push_back(measured.wall_s);
    cpu.push_back(measured.cpu_us_per_request);
    failed += measured.failed;
    load_cpu.push_back(load_cpu_us_per_request(fetcher_path, origin, std::min<std::size_t>(urls, 200000)));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS            %.1f MB (this process, all runs)\n", static_cast<double>(usage.ru_maxrss) / 1024);
  std::printf("wall                %.2f s (%.0f requests/s)\n", median(wall), static_cast<double>(urls) / median(wall));
  std::printf("CPU per request     %.1f us (fetcher load: %.1f us, ratio %.2fx)\n", median(cpu), median(load_cpu),
              median(cpu) / median(load_cpu));
  std::printf("failed              %zu\n", failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The scheduler's fairness and scale targets against the emulated origin"};
  std::string fetcher_path = FETCHER_CLI_PATH;
  std::size_t urls = 0;
  std::size_t hosts = 100;
  int runs = 0;
  app.add_option("--fetcher", fetcher_path, "The fetcher command that runs the origin");
  auto* fairness_app = app.add_subcommand("fairness", "A fast and a slow host in one run");
  fairness_app->add_option("--urls", urls, "URLs in all (default 2000)")->check(CLI::Range(2, 1000000));
  fairness_app->add_option("--runs", runs, "Runs per way (default 3)")->check(CLI::Range(1, 50));
  auto* scale_app = app.add_subcommand("scale", "A run that grows to many URLs");
  scale_app->add_option("--urls", urls, "URLs in all (default 1000000)")->check(CLI::Range(1, 100000000));
  scale_app->add_option("--hosts", hosts, "Emulated hosts (default 100)")->check(CLI::Range(1, 10000));
  scale_app->add_option("--runs", runs, "Runs (default 1)")->check(CLI::Range(1, 50));
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  raise_open_files_limit();
  try {
    if (*fairness_app) return fairness(fetcher_path, urls ? urls : 2000, runs ? runs : 3);
    return scale(fetcher_path, urls ? urls : 1000000, hosts, runs ? runs : 1);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "scheduler_bench: %s\n", error.what());
    return 2;
  }
}
