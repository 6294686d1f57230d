// descriptors.hpp: this process's open file descriptors, counted from /proc/self/fd, for tests
// that check a run leaves none behind.
#pragma once

#include <chrono>
#include <cstddef>

namespace fetcher::testing {

// The descriptors open now (the directory iterator's own included, the same in every count).
std::size_t open_descriptors();

// The count once it is at most `target`, or when `limit` (stretched by sanitizer_scale()) has
// passed: closes that another thread (the in-process origin's, say) makes a moment later are
// waited for, never assumed. A bounded poll of the count, every 20 ms.
std::size_t descriptors_down_to(std::size_t target, std::chrono::milliseconds limit);

}  // namespace fetcher::testing
