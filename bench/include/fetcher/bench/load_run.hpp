// load_run.hpp: throughput mode, as wrk, h2load and ab measure it: one URL fetched again and again
// over a fixed number of kept-alive connections, each connection one coroutine issuing its
// requests back to back, on `threads` event loops of their own.
//
// Every request goes through fetcher::Client (the same client as every strategy); the load
// only schedules. Each thread owns its loop and its statistics; they are merged after the join.
// The clock and the CPU account start when every thread is ready (a start gate).
#pragma once

#include <fetcher/client.hpp>
#include <fetcher/run_report.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace fetcher::bench {

struct LoadConfig {
  std::string url;
  unsigned connections = 32;              // worker coroutines, spread over the threads
  unsigned threads = 1;                   // event loops, one thread each
  std::uint64_t requests = 0;             // requests to issue in all; 0 = no count limit
  std::chrono::milliseconds duration{0};  // stop issuing after this long; 0 = no time limit
};

// What the load measured. Counters are over requests issued; ok + failed == requests.
struct LoadReport {
  std::uint64_t requests = 0;                   // fetches completed (each issued request completes, ok or not)
  std::uint64_t ok = 0;                         // transfer completed with a status below 400
  std::uint64_t failed = 0;                     // everything else, http_status included
  std::map<std::string, std::uint64_t> errors;  // failed, by error kind (to_string(ErrorKind))
  std::string first_error;                      // the message of one failure, for a person
  std::uint64_t body_bytes = 0;                 // decoded body bytes over all responses
  std::uint64_t wire_bytes = 0;                 // body bytes as received
  std::chrono::nanoseconds wall{0};             // start gate opened -> last response in
  double cpu_user_s = 0;                        // this process (all its threads) over the same span
  double cpu_sys_s = 0;
  // Latency of each fetch as the worker saw it (co_await in -> result out), over the requests
  // that got a response (ok or http_status): the summary of a LatencyHistogram, as a
  // scheduler's run reports it.
  LatencySummary latency;
  std::uint64_t connections_opened = 0;  // TCP connects during the load; == connections when reuse works
  std::uint64_t tls_handshakes = 0;
  std::uint64_t tls_resumed = 0;  // of those, resumed sessions

  double wall_seconds() const { return std::chrono::duration<double>(wall).count(); }
  double requests_per_second() const { return wall_seconds() > 0 ? static_cast<double>(requests) / wall_seconds() : 0; }
  // Client CPU (user + system) per completed request, in seconds.
  double cpu_per_request() const { return requests ? (cpu_user_s + cpu_sys_s) / static_cast<double>(requests) : 0; }
};

// Runs the load to completion: issues requests until the count or the time is used up, then
// waits for those in flight. Throws std::invalid_argument for a bad configuration and
// std::runtime_error when a worker breaks (a bug, not a URL's failure).
LoadReport run_load(const LoadConfig& config, Client& client);

}  // namespace fetcher::bench
