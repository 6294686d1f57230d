// huge_pages.cpp: see huge_pages.hpp.
#include "bench/huge_pages.hpp"

#include <string_view>

namespace fetcher::cli {

namespace {
constexpr std::string_view tunable = "glibc.malloc.hugetlb";
}

bool wants_huge_pages(const std::string& mode, std::size_t urls) {
  return mode == "on" || (mode == "auto" && urls >= huge_pages_from_urls);
}

std::vector<std::string> huge_page_environment(const char* current_tunables, bool wanted) {
  const std::string current = current_tunables ? current_tunables : "";
  if (!wanted || current.find(tunable) != std::string::npos) return {};
  return {"GLIBC_TUNABLES=" + current + (current.empty() ? "" : ":") + std::string(tunable) + "=1"};
}

}  // namespace fetcher::cli
