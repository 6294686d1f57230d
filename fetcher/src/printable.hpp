// printable.hpp: text from the network or from a user's file, made safe for one terminal line.
#pragma once

#include <string>
#include <string_view>

namespace fetcher::detail {

// Control and non-ASCII bytes become \xNN; text longer than `limit` is cut with "...".
std::string printable(std::string_view text, std::size_t limit = 80);

}  // namespace fetcher::detail
