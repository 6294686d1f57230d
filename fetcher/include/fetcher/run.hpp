// run.hpp: fetch a list of URLs with one strategy and report on it. For every strategy but
// processes:N this is the Scheduler's fixed-list case (scheduler.hpp), in list order, with every
// result kept; a crawler whose list grows while it runs uses the Scheduler itself.
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
  // async, async:N: most fetches in flight at once over all the loops; 0 = every fetch at once.
  // Either way never more than the open-files limit leaves room for: the rest of the URLs queue
  // and start as earlier fetches finish (raise_open_files_limit() raises that room).
  std::size_t max_in_flight = 0;
  // Optional; must outlive the run.
  RunStopper* stopper = nullptr;
};

// Called once per request as soon as its fetch finishes, from the thread that ran it,
// never from two threads at once. If it throws, the run still completes every URL and then
// rethrows the first exception from run().
using ResultCallback = std::function<void(const FetchResult&)>;

// Runs every request to exactly one result; never throws for per-URL failures. A thread
// the machine refuses to start, or one that cannot make its event loop (out of file
// descriptors), fails its URLs as ErrorKind::resource; pools and loops go on with fewer.
//
// processes:N forks N worker processes at the start of the run (the notebooks' process pool).
// Each builds its own Client from client.options() and its own event loop after the fork, so
// it inherits no thread, lock or loop of the caller's; results come back over pipes and
// on_result is called in this process. In the report, peak_threads counts each worker as one
// thread and connection counters are the workers' sum; the workers are reaped before run()
// returns, so getrusage(RUSAGE_CHILDREN) after it counts their CPU and peak memory. Caveats of
// fork in a threaded program: call it while no other thread of yours is inside OpenSSL or
// getaddrinfo (their locks are copied into the children as they are), and do not start two
// processes runs at once from different threads (each would leak its pipes into the other's
// workers). glibc's malloc is safe across fork; the
// allocator of GCC 12's AddressSanitizer is not (no fork handlers before LLVM 17's runtime), so
// in such a build no other thread may be allocating either: workers hung on its copied lock. max_per_host holds per
// worker process.
RunReport run(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
              const RunOptions& run_options = {}, const ResultCallback& on_result = {});

// Raises the soft limit on open files to the hard limit (many sockets at once).
void raise_open_files_limit();

}  // namespace fetcher
