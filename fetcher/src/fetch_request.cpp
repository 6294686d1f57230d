// fetch_request.cpp: method names and the checks a request passes before any connection.
#include <fetcher/fetch_request.hpp>

#include <array>

namespace fetcher {
namespace {

// RFC 9110 5.6.2: a field name is a token.
bool is_token_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Printable, for a message: control bytes shown as \r, \n, \0 or \xNN.
std::string quoted(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "'";
  for (const char c : text.substr(0, 60)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\0')
      out += "\\0";
    else if (byte < 0x20 || byte == 0x7f)
      ((out += "\\x") += digits[byte >> 4]) += digits[byte & 15];
    else
      out += c;
  }
  return out + (text.size() > 60 ? "...'" : "'");
}

std::string check_field(std::string_view name, std::string_view value) {
  if (name.empty()) return "empty request header name";
  for (const char c : name) {
    if (!is_token_char(c)) return "invalid request header name " + quoted(name);
  }
  for (const std::string_view owned : {"host", "content-length", "transfer-encoding", "connection"}) {
    if (equal_field_names(name, owned)) {
      return "request header " + std::string(name) + " is set by the client and cannot be given";
    }
  }
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return "request header " + std::string(name) + " has CR, LF or NUL in its value " + quoted(value);
  }
  return {};
}

}  // namespace

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::delete_: return "DELETE";
  }
  return "GET";
}

bool is_idempotent(Method method) { return method != Method::post; }

std::string check_request(const FetchRequest& request) {
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const auto field = request.headers[i];
    if (auto problem = check_field(field.name, field.value); !problem.empty()) return problem;
  }
  if (!request.body.empty() && (request.method == Method::get || request.method == Method::head)) {
    return std::string("a ") + std::string(to_string(request.method)) + " request carries no body";
  }
  if (request.body_mode == BodyMode::stream && !request.body_handler) {
    return "body mode stream without a body handler";
  }
  return {};
}

}  // namespace fetcher
