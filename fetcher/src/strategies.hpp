// strategies.hpp: the strategies behind run(), one function each. They decide only who runs
// each fetch and when; every fetch goes through the same Client coroutine, and every result goes
// to the sink.
#pragma once

#include "result_sink.hpp"
#include "run_loops.hpp"

#include <fetcher/client.hpp>
#include <fetcher/run.hpp>

#include <vector>

namespace fetcher::detail {

// blocking_strategies.cpp
void run_sequential(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink, RunStopper* stopper);
void run_thread_per_url(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink,
                        ThreadCount& threads, RunStopper* stopper);
void run_pool(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client, ResultSink& sink,
              ThreadCount& threads, RunStopper* stopper);

// async_strategy.cpp
void run_async(const std::vector<FetchRequest>& requests, Client& client, unsigned loop_count,
               std::size_t max_in_flight, ResultSink& sink, ThreadCount& threads, RunStopper* stopper);

// process_pool.cpp: returns the counters of the workers' own clients, to add to the run's.
Client::Counters run_processes(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client,
                               ResultSink& sink, ThreadCount& threads, RunStopper* stopper);

}  // namespace fetcher::detail
