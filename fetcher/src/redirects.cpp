// redirects.cpp: see redirects.hpp.
#include "redirects.hpp"

#include <algorithm>

namespace fetcher::detail {

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Failure follow_redirect(const FetchOptions& options, const UrlParts& url, const std::string& location,
                        std::vector<std::string>& visited, FetchResult& result) {
  auto next = resolve_url(result.final_url, location);
  if (!next.error.empty()) return {ErrorKind::bad_url, std::move(next.error), FetchStage::redirect, {}};
  // resolve_url normalises the scheme to lower case.
  if (url.tls && next.url.rfind("http:", 0) == 0 && !options.allow_https_downgrade) {
    return {ErrorKind::protocol,
            "refusing to follow a redirect from https to plain http (" + next.url +
                "); set allow_https_downgrade to follow it",
            FetchStage::policy,
            {}};
  }
  visited.push_back(result.final_url);
  if (std::find(visited.begin(), visited.end(), next.url) != visited.end()) {
    return {
        ErrorKind::redirect_loop, "redirect loop: " + result.final_url + " -> " + next.url, FetchStage::redirect, {}};
  }
  if (result.redirects >= options.max_redirects) {
    return {ErrorKind::too_many_redirects,
            "more than " + std::to_string(options.max_redirects) + " redirects, last to " + next.url,
            FetchStage::redirect,
            {}};
  }
  ++result.redirects;
  result.final_url = std::move(next.url);
  return {};
}

void rewrite_for_redirect(FetchRequest& request, unsigned status) {
  const bool to_get = (status == 303 && request.method != Method::head) ||
                      ((status == 301 || status == 302) && request.method == Method::post);
  if (!to_get) return;
  request.method = Method::get;
  request.body.clear();
  request.headers.erase("content-type");
}

}  // namespace fetcher::detail
