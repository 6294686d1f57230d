// process_usage.cpp: CPU and peak memory of this process and its reaped children (getrusage).
#include <fetcher/bench/process_usage.hpp>

#include <algorithm>

namespace fetcher::bench {
namespace {

double seconds(const timeval& value) {
  return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
}

}  // namespace

ProcessUsageMeter::ProcessUsageMeter() {
  getrusage(RUSAGE_SELF, &self_);
  getrusage(RUSAGE_CHILDREN, &children_);
}

ProcessUsage ProcessUsageMeter::usage() const {
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  ProcessUsage usage;
  usage.cpu_user_s =
      seconds(self.ru_utime) - seconds(self_.ru_utime) + seconds(children.ru_utime) - seconds(children_.ru_utime);
  usage.cpu_sys_s =
      seconds(self.ru_stime) - seconds(self_.ru_stime) + seconds(children.ru_stime) - seconds(children_.ru_stime);
  // RUSAGE_CHILDREN's peak is the largest reaped child's, not a sum.
  usage.peak_rss_kb = std::max(self.ru_maxrss, children.ru_maxrss);
  return usage;
}

}  // namespace fetcher::bench
