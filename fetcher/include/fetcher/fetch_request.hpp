// fetch_request.hpp: one URL to fetch, and how: the method, extra request header fields, the
// body to send, and what to do with the response's body (discard and hash, keep, or stream).
#pragma once

#include <fetcher/header_fields.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fetcher {

struct FetchResult;

enum class Method { get, head, post, put, delete_ };

// "GET", "HEAD", "POST", "PUT", "DELETE".
std::string_view to_string(Method method);
// Safe to send twice (RFC 9110 9.2.2): every method here but POST. Only these are retried.
bool is_idempotent(Method method);

// What the client does with the response body of the final response.
enum class BodyMode {
  client_default,  // keep when FetchOptions::keep_body is set, otherwise discard
  discard,         // counted and hashed (FetchResult::body_bytes, body_sha256), not kept
  keep,            // also kept in FetchResult::body, up to FetchRequest::keep_limit
  stream,          // also handed, as it arrives, to FetchRequest::body_handler
};

// Receives a streamed response. Both calls run on the fetch's event loop, inside its read loop:
// the next read from the server starts only when a call has returned, so a slow handler slows
// the transfer (back-pressure) instead of the body piling up in memory. A handler that blocks
// holds up every other fetch on that loop. Only the final response reaches it: redirect hops and
// attempts that are retried do not.
class BodyHandler {
 public:
  enum class Decision { read_body, skip_body };
  virtual ~BodyHandler() = default;
  // The final response's status line and header: `response` has status, headers and final_url
  // filled. skip_body ends the fetch here as a success with FetchResult::body_skipped set; its
  // connection is closed, not kept alive.
  virtual Decision on_header(const FetchResult& response) = 0;
  // The next piece of the body, decoded (after Content-Encoding), in order; never empty.
  virtual void on_body_chunk(std::string_view chunk) = 0;
};

// `{url, source, error}` makes a plain GET (every later member has a default). Not an aggregate
// on purpose: GCC 12 destroys an aggregate temporary built inside a co_await expression twice
// (`co_await client.async_fetch({url, "seed", ""})`); built by a constructor, the same braces
// are safe.
struct FetchRequest {
  FetchRequest() = default;
  FetchRequest(std::string url_text, std::string source_name = {}, std::string rejection = {})
      : url(std::move(url_text)), source(std::move(source_name)), error(std::move(rejection)) {}

  std::string url;
  std::string source;  // "file:line" or "argument 2"; used in messages
  std::string error;   // non-empty: the line was rejected, with this reason

  Method method = Method::get;
  // Added to the request; one named User-Agent, Accept or Accept-Encoding replaces the client's
  // own. Host, Content-Length, Transfer-Encoding and Connection are the client's to set: a field
  // naming one fails the fetch as ErrorKind::bad_request, as do names that are not HTTP tokens
  // and values holding CR, LF or NUL.
  HeaderFields headers{};
  // Sent with a Content-Length; POST, PUT and DELETE only (a body on GET or HEAD is refused).
  std::string body{};

  BodyMode body_mode = BodyMode::client_default;
  // BodyMode::keep: a body over this many bytes (decoded) fails as too_large. 0: the client's
  // FetchOptions::body_limit, which also caps this one.
  std::uint64_t keep_limit = 0;
  // BodyMode::stream: the handler, shared by every copy of the request.
  std::shared_ptr<BodyHandler> body_handler{};

  // Follow redirects (up to FetchOptions::max_redirects). Off: a 3xx response is the final one,
  // delivered as it is (status, Location among its headers, body per body_mode): a crawler
  // that queues the target itself, so robots.txt, scope and de-duplication apply to it.
  bool follow_redirects = true;
};

// Checks a request before any connection: returns an empty string when the client can send it,
// otherwise the reason it cannot (a refused or malformed header field, a body on GET, a stream
// mode without a handler). The URL itself is checked by check_url.
std::string check_request(const FetchRequest& request);

}  // namespace fetcher
