// huge_pages.hpp: whether the bench's children put glibc's heap on transparent huge pages, and
// the environment that asks glibc for it.
//
// Every fresh page of heap a process touches costs a page fault, and on a virtual machine a
// fault costs microseconds. Thousands of connections at once touch a hundred megabytes or more
// in the client and as much again in the origin, and the faults become a large share of the
// client's CPU; with the heap on 2 MB pages (glibc's glibc.malloc.hugetlb=1 tunable, glibc 2.35
// and later; older ones ignore it) most of them go. A huge page costs its zeroing up front,
// though, which makes a short list slower. So `auto` asks for them for lists of 1,000 URLs or
// more only. See docs/performance.md, "Bench: huge pages".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace fetcher::cli {

inline constexpr std::size_t huge_pages_from_urls = 1000;

// mode: "auto", "on" or "off" (validated by the flag's parser).
bool wants_huge_pages(const std::string& mode, std::size_t urls);

// The "GLIBC_TUNABLES=..." entry a child needs for huge pages, given the current value (null:
// unset): the current tunables kept, the setting added. Empty when not wanted, or when the
// current value already names the setting (the user's choice stands).
std::vector<std::string> huge_page_environment(const char* current_tunables, bool wanted);

}  // namespace fetcher::cli
