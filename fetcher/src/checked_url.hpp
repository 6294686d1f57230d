// checked_url.hpp: check_url's checks handing back the parse they made, so that split_url,
// which needs the URL's parts, does not parse every URL a second time.
#pragma once

#include <boost/url/url_view.hpp>

#include <string>
#include <string_view>

namespace fetcher::detail {

// Empty when `url` passes check_url, and then `parsed` is a view of it (of the caller's string:
// valid as long as that is); otherwise the reason it fails, and `parsed` means nothing.
std::string check_url(std::string_view url, boost::urls::url_view& parsed);

}  // namespace fetcher::detail
