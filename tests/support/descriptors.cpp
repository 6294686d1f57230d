// descriptors.cpp: see descriptors.hpp.
#include "descriptors.hpp"

#include "sanitizer_scale.hpp"

#include <filesystem>
#include <thread>

namespace fetcher::testing {

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

std::size_t descriptors_down_to(std::size_t target, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + scaled(limit);
  auto count = open_descriptors();
  while (count > target && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    count = open_descriptors();
  }
  return count;
}

}  // namespace fetcher::testing
