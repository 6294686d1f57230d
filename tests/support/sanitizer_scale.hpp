// sanitizer_scale.hpp: how much longer than in a release build the timing-sensitive tests give
// things to happen. ThreadSanitizer makes this process's code several times slower (every
// memory access and every thread start is tracked), and the in-process origin shares that
// slowdown, so a TLS handshake that takes a few milliseconds in Release can take a few hundred
// under TSan on a loaded two-core machine. Tests multiply their timeouts, margins and latencies
// by this factor, so that what they check (which deadline ends a fetch, how much a strategy
// overlaps) stays the same while the clock runs slower; the checks themselves are never relaxed.
//
// TSan gets 6, more than its plain slowdown needs: on a loaded machine TSan runs also pause the
// whole process now and then (the client's and the origin's timers late alike), which a smaller
// factor does not absorb (docs/performance.md, "Tests: timings under ThreadSanitizer").
// ASan+UBSan keeps 1: its suite passes at the release timings (CI runs it that way).
#pragma once

#include <chrono>

#if defined(__SANITIZE_THREAD__)
#define FETCHER_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FETCHER_TEST_TSAN 1
#endif
#endif

namespace fetcher::testing {

// 1 in a plain or ASan build, 6 under ThreadSanitizer.
constexpr int sanitizer_scale() {
#if defined(FETCHER_TEST_TSAN)
  return 6;
#else
  return 1;
#endif
}

// `duration` stretched by sanitizer_scale().
template <class Rep, class Period>
constexpr std::chrono::duration<Rep, Period> scaled(std::chrono::duration<Rep, Period> duration) {
  return duration * sanitizer_scale();
}

}  // namespace fetcher::testing
