// load_run.cpp: see load_run.hpp.
#include <fetcher/bench/load_run.hpp>

#include <fetcher/url_list.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace fetcher::bench {
namespace {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

// What every worker of every thread shares: the request budget and the time limit. One atomic
// increment per request; nothing else crosses threads until the join.
class Budget {
 public:
  explicit Budget(std::uint64_t limit) : limit_(limit) {}
  void set_deadline(clock_type::time_point deadline) {
    deadline_ = deadline;
    has_deadline_ = true;
  }
  // True when one more request may be issued (and counts it).
  bool take() {
    if (has_deadline_ && clock_type::now() >= deadline_) return false;
    if (limit_ == 0) return true;
    return issued_.fetch_add(1, std::memory_order_relaxed) < limit_;
  }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> issued_{0};
  clock_type::time_point deadline_{};
  bool has_deadline_ = false;  // written before the start gate opens, read only after
};

// One thread's statistics, merged after the join.
struct ThreadStats {
  std::uint64_t requests = 0, ok = 0, failed = 0, body_bytes = 0, wire_bytes = 0;
  std::map<std::string, std::uint64_t> errors;
  std::string first_error;
  LatencyHistogram latencies;  // responses only
  std::exception_ptr broken;   // a worker that threw
};

// One connection's worth of load: requests back to back until the budget says stop.
asio::awaitable<void> worker(Client& client, const FetchRequest& request, Budget& budget, ThreadStats& stats) {
  while (budget.take()) {
    const auto start = clock_type::now();
    const auto result = co_await client.async_fetch(request);
    const auto elapsed = clock_type::now() - start;
    ++stats.requests;
    stats.body_bytes += result.body_bytes;
    stats.wire_bytes += result.wire_bytes;
    if (result.status != 0) stats.latencies.add(elapsed);
    if (result.ok()) {
      ++stats.ok;
      continue;
    }
    ++stats.failed;
    ++stats.errors[std::string(to_string(result.error))];
    if (stats.first_error.empty()) stats.first_error = result.message;
  }
}

double seconds_of(const timeval& time) { return static_cast<double>(time.tv_sec) + time.tv_usec / 1e6; }

}  // namespace

LoadReport run_load(const LoadConfig& config, Client& client) {
  if (config.connections == 0) throw std::invalid_argument("load: at least one connection is needed");
  if (config.threads == 0) throw std::invalid_argument("load: at least one thread is needed");
  if (config.threads > config.connections) {
    throw std::invalid_argument("load: more threads (" + std::to_string(config.threads) + ") than connections (" +
                                std::to_string(config.connections) + ")");
  }
  if (config.requests == 0 && config.duration.count() <= 0) {
    throw std::invalid_argument("load: give a request count or a duration, or both");
  }
  if (const auto problem = check_url(config.url); !problem.empty()) {
    throw std::invalid_argument("load: " + config.url + ": " + problem);
  }
  const FetchRequest request{config.url, "", ""};
  Budget budget(config.requests);
  std::vector<ThreadStats> stats(config.threads);

  std::latch ready(config.threads + 1);
  std::latch go(1);
  std::vector<std::thread> threads;
  const auto before = client.counters();
  try {
    for (unsigned t = 0; t < config.threads; ++t) {
      const unsigned share = config.connections / config.threads + (t < config.connections % config.threads ? 1 : 0);
      threads.emplace_back([&, t, share] {
        asio::io_context loop(1);
        auto& mine = stats[t];
        for (unsigned c = 0; c < share; ++c) {
          asio::co_spawn(loop, worker(client, request, budget, mine), [&mine](std::exception_ptr error) {
            if (error && !mine.broken) mine.broken = error;
          });
        }
        ready.arrive_and_wait();
        go.wait();
        loop.run();
      });
    }
  } catch (...) {
    // A thread the machine refused: let the ones started run out an empty budget, then report.
    budget.set_deadline(clock_type::now());
    for (std::size_t t = threads.size(); t < config.threads; ++t) ready.count_down();
    ready.arrive_and_wait();
    go.count_down();
    for (auto& thread : threads) thread.join();
    throw;
  }
  ready.arrive_and_wait();
  rusage usage_before{};
  getrusage(RUSAGE_SELF, &usage_before);
  const auto start = clock_type::now();
  if (config.duration.count() > 0) budget.set_deadline(start + config.duration);
  go.count_down();
  for (auto& thread : threads) thread.join();
  const auto end = clock_type::now();
  rusage usage_after{};
  getrusage(RUSAGE_SELF, &usage_after);
  const auto after = client.counters();

  LoadReport report;
  report.wall = end - start;
  report.cpu_user_s = seconds_of(usage_after.ru_utime) - seconds_of(usage_before.ru_utime);
  report.cpu_sys_s = seconds_of(usage_after.ru_stime) - seconds_of(usage_before.ru_stime);
  report.connections_opened = after.connections_opened - before.connections_opened;
  report.tls_handshakes = after.tls_handshakes - before.tls_handshakes;
  report.tls_resumed = after.tls_resumed - before.tls_resumed;
  LatencyHistogram latencies;
  for (auto& one : stats) {
    if (one.broken) std::rethrow_exception(one.broken);
    report.requests += one.requests;
    report.ok += one.ok;
    report.failed += one.failed;
    report.body_bytes += one.body_bytes;
    report.wire_bytes += one.wire_bytes;
    for (const auto& [kind, count] : one.errors) report.errors[kind] += count;
    if (report.first_error.empty()) report.first_error = one.first_error;
    latencies.merge(one.latencies);
  }
  report.latency = latencies.summary();
  return report;
}

}  // namespace fetcher::bench
