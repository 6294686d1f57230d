// process_usage_test.cpp: the bench's ProcessUsageMeter counts a child reaped during the
// measured stretch, its CPU and its peak memory, as the bench relies on for processes:N (whose
// workers run() reaps before it returns). The child is a fork of the test that burns CPU and
// touches memory, then exits; the meter is read after it is reaped.
#include <fetcher/bench/process_usage.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace fetcher::bench {
namespace {

constexpr double child_cpu_s = 0.2;
constexpr std::size_t child_memory_bytes = 64u << 20;

double own_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// In the child: touch every page of child_memory_bytes, spin until child_cpu_s of CPU is
// spent, and exit without running the parent's exit handlers.
[[noreturn]] void burn_and_exit() {
  std::vector<char> memory(child_memory_bytes);
  for (std::size_t i = 0; i < memory.size(); i += 4096) memory[i] = static_cast<char>(i);
  volatile unsigned long sink = 0;
  while (own_cpu_seconds() < child_cpu_s) sink = sink + memory[sink % memory.size()];
  _exit(0);
}

void run_child() {
  const pid_t child = fork();
  ASSERT_GE(child, 0) << "fork failed";
  if (child == 0) burn_and_exit();
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ProcessUsageMeter, CountsAReapedChildsCpuAndPeakMemory) {
  const ProcessUsageMeter meter;
  run_child();
  const auto usage = meter.usage();
  // The child's CPU counts (the parent only waited), and so does its peak: at least the
  // memory it touched.
  EXPECT_GE(usage.cpu_s(), child_cpu_s * 0.9);
  EXPECT_GE(usage.peak_rss_kb, static_cast<long>(child_memory_bytes / 1024));
}

TEST(ProcessUsageMeter, CountsNothingSpentBeforeIt) {
  run_child();
  const ProcessUsageMeter meter;
  const auto usage = meter.usage();
  EXPECT_LT(usage.cpu_s(), child_cpu_s * 0.5);
}

}  // namespace
}  // namespace fetcher::bench
