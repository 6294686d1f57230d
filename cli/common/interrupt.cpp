// interrupt.cpp: the signal watcher thread. sigtimedwait in a thread of our own, rather than a
// handler, because stop() takes locks and posts to event loops, which a handler must not do.
#include "common/interrupt.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace fetcher::cli {
namespace {

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

InterruptWatcher::InterruptWatcher(std::function<void()> on_signal) {
  const auto signals = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started from here
  watcher_ = std::thread([this, on_signal = std::move(on_signal), signals] {
    // Polls done_ every 100 ms so the destructor never waits longer than that.
    const timespec tick{0, 100'000'000};
    while (!done_.load()) {
      const int taken = sigtimedwait(&signals, nullptr, &tick);
      if (taken > 0) {
        signal_ = taken;
        on_signal();
        return;
      }
    }
  });
}

InterruptWatcher::~InterruptWatcher() {
  done_ = true;
  watcher_.join();
  const auto signals = interrupt_signals();
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

}  // namespace fetcher::cli
