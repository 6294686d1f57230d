// process_pool.hpp: processes:N, the strategy run() does not hand to the Scheduler: worker
// processes whose results come back over pipes and go to the sink.
#pragma once

#include "result_sink.hpp"
#include "run_loops.hpp"

#include <fetcher/client.hpp>
#include <fetcher/run.hpp>

#include <vector>

namespace fetcher::detail {

// Returns the counters of the workers' own clients, to add to the run's.
Client::Counters run_processes(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client,
                               ResultSink& sink, ThreadCount& threads, RunStopper* stopper);

}  // namespace fetcher::detail
