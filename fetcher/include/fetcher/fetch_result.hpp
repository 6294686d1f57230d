// fetch_result.hpp: what fetching one URL produced. Failures are values, never exceptions.
//
// Which call answers which question:
//   delivered()  did a whole response arrive? (transport success; a 404 is a delivered response)
//   ok()         did it arrive with a status below 400? (delivered and not an HTTP error)
//   error        when not ok: the cause, as a category (timeout, refused, malformed, too large, ...)
//   stage        when not delivered: where the fetch was when it failed (resolve, connect, ...)
//   cause        the operating system's, OpenSSL's or Beast's own error code behind the failure,
//                when there was one; empty when the failure is the client's own judgement
#pragma once

#include <fetcher/header_fields.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace fetcher {

// Why a fetch failed: the cause's category. `none` means the transfer completed and the status was
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
  cancelled,  // the run was stopped before this fetch finished
  resource,   // the machine refused a resource (threads, file descriptors)
  internal,   // an unexpected exception inside the fetch: a bug of the library's, reported
};

std::string_view to_string(ErrorKind kind);
// Inverse of to_string; returns false for an unknown name.
bool parse_error_kind(std::string_view text, ErrorKind& kind);

// Where a fetch failed. `none` when it did not (ok, and an HTTP status >= 400: a delivered
// response), and for an exception inside the fetch, whose place is unknown.
enum class FetchStage {
  none,
  request,      // before any connection: a bad URL, a request that cannot be sent
  resolve,      // looking the host name up
  connect,      // opening the TCP connection, and a proxy's CONNECT tunnel through it
  tls,          // the TLS handshake (and setting it up: trust store, SNI, name to verify)
  write,        // sending the request
  read_header,  // reading the response's status line and header fields
  read_body,    // reading (and decoding) the response's body
  redirect,     // following a redirect: a bad Location, a loop, too many
  policy,       // the client's own rules: a per-host slot or interval waited for past the total
                // timeout, an https -> http downgrade refused, a retry's backoff cancelled
};

std::string_view to_string(FetchStage stage);  // "read-header"; "none" for none
// Inverse of to_string; returns false for an unknown name.
bool parse_fetch_stage(std::string_view text, FetchStage& stage);

// Durations measured from the start of the fetch of the final hop (connect, tls,
// first_byte) and of the whole fetch including redirects (total).
struct FetchTimings {
  std::chrono::nanoseconds connect{0};     // TCP connected (resolve included)
  std::chrono::nanoseconds tls{0};         // TLS handshake done (0 for plain HTTP)
  std::chrono::nanoseconds first_byte{0};  // response header received
  std::chrono::nanoseconds total{0};       // last body byte, all hops
};

struct FetchResult {
  std::size_t index = 0;         // position in the request list
  std::string url;               // as requested
  std::string final_url;         // after redirects
  std::string source;            // where the URL came from ("list.txt:3"), may be empty
  unsigned status = 0;           // HTTP status of the final response, 0 if none
  std::uint64_t body_bytes = 0;  // decoded (after Content-Encoding)
  std::uint64_t wire_bytes = 0;  // as received, before decoding
  std::string body_sha256;       // lowercase hex of the decoded body's SHA-256, empty if none
  int redirects = 0;
  int attempts = 0;                // 1 + retries used
  bool reused_connection = false;  // the final response came over a kept-alive connection
  FetchTimings timings;
  ErrorKind error = ErrorKind::none;
  FetchStage stage = FetchStage::none;  // where it failed; none when delivered
  // The error code behind the failure where there was one (a refused connect compares equal
  // to std::errc::connection_refused, a timeout is the timer's code, a cancelled fetch's is
  // std::errc::operation_canceled); empty when the client judged it (a redirect loop, a status).
  std::error_code cause;
  std::string message;   // one line a person can read; empty when ok
  std::string body;      // only when kept (FetchRequest::body_mode, FetchOptions::keep_body)
  HeaderFields headers;  // the final response's header fields, empty if none
  // Something was off but the fetch succeeded (bytes past the end of the body were ignored);
  // one line a person can read, empty when nothing was.
  std::string warning;
  // A BodyHandler chose skip_body after the header: the body was neither read nor counted.
  bool body_skipped = false;

  // Transport success: the whole response arrived, whatever its status.
  bool delivered() const { return error == ErrorKind::none || error == ErrorKind::http_status; }
  // Delivered with a status below 400 (a redirect followed to its end counts by its last hop).
  bool ok() const { return error == ErrorKind::none; }
};

}  // namespace fetcher
