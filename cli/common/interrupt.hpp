// interrupt.hpp: Ctrl-C (SIGINT) and SIGTERM turned into RunStopper::stop(), so an interrupted
// run still ends with one result per URL and the command can say what finished.
#pragma once

#include <fetcher/run.hpp>

#include <atomic>
#include <functional>
#include <thread>

namespace fetcher::cli {

// While alive, SIGINT and SIGTERM are blocked in every thread started after it (the run's) and
// taken by one watcher thread, which calls `on_signal` once (for a run: stopper.stop()).
// Construct it before run() starts threads.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(std::function<void()> on_signal);
  explicit InterruptWatcher(RunStopper& stopper) : InterruptWatcher([&stopper] { stopper.stop(); }) {}
  ~InterruptWatcher();  // restores the signal mask; a signal that arrived stays recorded
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  bool interrupted() const { return signal_ != 0; }
  int signal() const { return signal_; }

 private:
  std::atomic<int> signal_{0};
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

// The shell's convention for a command ended by a signal: 128 + its number (130 for Ctrl-C).
constexpr int exit_code_for_signal(int signal) { return 128 + signal; }

}  // namespace fetcher::cli
