// run.hpp: fetch a list of URLs with one strategy and report on it.
//
// Usage:
//   fetcher::Client client(options);
//   auto report = fetcher::run(requests, fetcher::Strategy::parse("pool:8"), client,
//                              {}, [](const fetcher::FetchResult& r) { /* streamed */ });
#pragma once

#include <fetcher/client.hpp>
#include <fetcher/run_report.hpp>
#include <fetcher/strategy.hpp>
#include <fetcher/url_list.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace fetcher {

// Stops a run from any thread (a signal handler's thread, a result callback, a UI): fetches in
// flight end as ErrorKind::cancelled, fetches not yet started are reported cancelled without
// starting, and run() still returns exactly one result per request, with nothing left open.
class RunStopper {
 public:
  RunStopper();
  ~RunStopper();
  RunStopper(const RunStopper&) = delete;
  RunStopper& operator=(const RunStopper&) = delete;

  void stop();
  bool stopped() const;

  struct Loops;  // the event loops of the run, for stop() to reach them

 private:
  friend class RunStopperAccess;
  std::unique_ptr<Loops> loops_;
};

struct RunOptions {
  // async only: most fetches in flight at once; 0 = every fetch at once.
  std::size_t max_in_flight = 0;
  // Optional; must outlive the run.
  RunStopper* stopper = nullptr;
};

// Called once per request as soon as its fetch finishes, from the thread that ran it,
// never from two threads at once. If it throws, the run still completes every URL and then
// rethrows the first exception from run().
using ResultCallback = std::function<void(const FetchResult&)>;

// Runs every request to exactly one result; never throws for per-URL failures. A thread
// the machine refuses to start fails its URLs as ErrorKind::resource.
RunReport run(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
              const RunOptions& run_options = {}, const ResultCallback& on_result = {});

// Raises the soft limit on open files to the hard limit (many sockets at once).
void raise_open_files_limit();

}  // namespace fetcher
