// checked_url.hpp: check_url's checks handing back the parse they made, so that split_url,
// which needs the URL's parts, does not parse every URL a second time; and the port rule they
// share with resolve_url.
#pragma once

#include <boost/url/url_view.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace fetcher::detail {

// Empty when `url` passes check_url, and then `parsed` is a view of it (of the caller's string:
// valid as long as that is); otherwise the reason it fails, and `parsed` means nothing.
std::string check_url(std::string_view url, boost::urls::url_view& parsed);

// The port `digits` names, 1..65535 (leading zeros allowed); 0 for anything else: empty, not all
// digits, zero or too big. Boost.URL 1.81's port_number() wraps some ports past 65535
// ("99999" gives 34463), so ports are read here instead.
std::uint16_t port_number(std::string_view digits);

// 443 for "https", 80 for "http" (in any case), 0 for other schemes.
std::uint16_t default_port(std::string_view scheme);

}  // namespace fetcher::detail
