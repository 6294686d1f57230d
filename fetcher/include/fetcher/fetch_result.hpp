// fetch_result.hpp: what fetching one URL produced. Failures are values, never exceptions.
#pragma once

#include <fetcher/header_fields.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace fetcher {

// Why a fetch failed, by stage. `none` means the transfer completed and the status was
// below 400; http_status means the transfer completed but the server answered >= 400.
enum class ErrorKind {
  none,
  bad_url,        // not a URL, unsupported scheme, no host
  bad_request,    // the request cannot be sent (a refused or malformed header field)
  dns,            // the host name did not resolve
  connect,        // refused, unreachable, reset during connect
  tls,            // handshake failed, certificate or host name rejected
  timeout,        // a connect, TLS, first-byte or total deadline fired
  protocol,       // malformed or truncated HTTP from the server, connection reset mid-response
  http_status,    // transfer completed with a status >= 400
  too_large,      // header or body over its limit
  redirect_loop,  // a redirect came back to a URL already visited
  too_many_redirects,
  cancelled,      // the run was stopped before this fetch finished
  resource,       // the machine refused a resource (threads, file descriptors)
  internal,       // an unexpected exception inside the fetch: a bug of the library's, reported
};

std::string_view to_string(ErrorKind kind);
// Inverse of to_string; returns false for an unknown name.
bool parse_error_kind(std::string_view text, ErrorKind& kind);

// Durations measured from the start of the fetch of the final hop (connect, tls,
// first_byte) and of the whole fetch including redirects (total).
struct FetchTimings {
  std::chrono::nanoseconds connect{0};     // TCP connected (resolve included)
  std::chrono::nanoseconds tls{0};         // TLS handshake done (0 for plain HTTP)
  std::chrono::nanoseconds first_byte{0};  // response header received
  std::chrono::nanoseconds total{0};       // last body byte, all hops
};

struct FetchResult {
  std::size_t index = 0;       // position in the request list
  std::string url;             // as requested
  std::string final_url;       // after redirects
  std::string source;          // where the URL came from ("list.txt:3"), may be empty
  unsigned status = 0;         // HTTP status of the final response, 0 if none
  std::uint64_t body_bytes = 0;   // decoded (after Content-Encoding)
  std::uint64_t wire_bytes = 0;   // as received, before decoding
  std::string body_sha256;     // lowercase hex of the decoded body's SHA-256, empty if none
  int redirects = 0;
  int attempts = 0;            // 1 + retries used
  bool reused_connection = false;  // the final response came over a kept-alive connection
  FetchTimings timings;
  ErrorKind error = ErrorKind::none;
  std::string message;         // one line a person can read; empty when ok
  std::string body;            // only when kept (FetchRequest::body_mode, FetchOptions::keep_body)
  HeaderFields headers;        // the final response's header fields, empty if none
  // Something was off but the fetch succeeded (bytes past the end of the body were ignored);
  // one line a person can read, empty when nothing was.
  std::string warning;
  // A BodyHandler chose skip_body after the header: the body was neither read nor counted.
  bool body_skipped = false;

  bool ok() const { return error == ErrorKind::none; }
};

}  // namespace fetcher
