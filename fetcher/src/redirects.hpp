// redirects.hpp: which answers are redirects, which redirects the client follows, and how a
// redirect rewrites the request.
#pragma once

#include "fetch_failure.hpp"

#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_request.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/url.hpp>

#include <string>
#include <vector>

namespace fetcher::detail {

// 301, 302, 303, 307, 308.
bool is_redirect(unsigned status);

// Moves result.final_url on to `location` (resolved against it) and counts the redirect, unless
// the redirect is one not to follow: to a bad URL, from https down to http (unless allowed),
// back to a URL already `visited`, or one past max_redirects. `url`: result.final_url's parts.
Failure follow_redirect(const FetchOptions& options, const UrlParts& url, const std::string& location,
                        std::vector<std::string>& visited, FetchResult& result);

// RFC 9110 15.4: a 303 turns the request into a GET (a HEAD stays one); 301 and 302 turn a POST
// into a GET, as browsers do; 307 and 308 keep the method and the body.
void rewrite_for_redirect(FetchRequest& request, unsigned status);

}  // namespace fetcher::detail
