// bench_command.cpp: `fetcher bench`. Plans the bench (bench_plan.hpp), starts the emulated origin
// in a child process, measures each strategy over each list in a child process of its own
// (bench_measure.hpp), and writes the tables as each list finishes (bench_output.hpp).
#include "bench/bench_measure.hpp"
#include "bench/bench_output.hpp"
#include "bench/bench_plan.hpp"
#include "commands.hpp"
#include "common/interrupt.hpp"
#include "common/run_metadata.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace fetcher::cli {

std::string urls_directory() {
  if (const char* dir = std::getenv("FETCHER_URLS_DIR"); dir && *dir) return dir;
  return FETCHER_DEFAULT_URLS_DIR;
}

int bench_command(const BenchArgs& args) {
  const auto started = std::chrono::system_clock::now();
  // Validate everything before starting anything: a usage error costs no time.
  auto plan = plan_bench(args);
  BenchOutput output(args, plan.format, plan.color);

  // Ctrl-C: the strategy being measured is dropped, what finished is printed, exit 130.
  InterruptWatcher interrupt(stop_measuring_child);
  const auto origin = start_origin(plan, args.huge_pages);
  BenchMeasurer measurer(args, plan, origin.get(), interrupt);

  BenchReport bench;
  bench.metadata = run_metadata(started, bench_options(args, plan));
  for (std::size_t list_index = 0; list_index < plan.lists.size(); ++list_index) {
    auto list = measurer.measure_list(list_index);
    if (!list) break;  // interrupted before this list's first strategy finished
    output.list_done(*list);
    bench.lists.push_back(std::move(*list));
    if (interrupt.interrupted()) break;
  }
  output.bench_done(bench);
  if (interrupt.interrupted()) {
    std::cerr << "fetcher: interrupted: the tables above hold the strategies that finished\n";
    return exit_code_for_signal(interrupt.signal());
  }
  return measurer.any_failed() ? exit_some_failed : exit_ok;
}

}  // namespace fetcher::cli
