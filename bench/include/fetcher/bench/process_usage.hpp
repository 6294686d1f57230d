// process_usage.hpp: what a stretch of work cost the whole process, CPU and peak memory, as the
// bench reports it next to a RunReport. These are process-wide figures (every thread of the
// process, and the children it reaped), so they describe a run only in a process that does
// nothing else, such as the bench's measuring child; the library's RunReport leaves them out.
#pragma once

#include <sys/resource.h>

namespace fetcher::bench {

struct ProcessUsage {
  double cpu_user_s = 0;  // this process and its reaped children, over the measured stretch
  double cpu_sys_s = 0;
  long peak_rss_kb = 0;  // the largest peak resident set of this process and its reaped children

  double cpu_s() const { return cpu_user_s + cpu_sys_s; }
};

// Samples getrusage for this process and its reaped children when made; usage() is what they
// spent since, with the peak so far. A child reaped in between counts in full (processes:N
// reaps its workers before run() returns).
class ProcessUsageMeter {
 public:
  ProcessUsageMeter();
  ProcessUsage usage() const;

 private:
  rusage self_{};
  rusage children_{};
};

}  // namespace fetcher::bench
