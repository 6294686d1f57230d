// url_list.cpp: URL list parsing and URL validation with Boost.URL.
#include <fetcher/url_list.hpp>

#include "checked_url.hpp"
#include "printable.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <sys/stat.h>

namespace fetcher {
namespace {

constexpr std::size_t max_line_length = 8192;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

namespace detail {

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (unsigned char c : text.substr(0, limit)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

}  // namespace detail

using detail::printable;

std::string detail::check_url(std::string_view url, boost::urls::url_view& parsed) {
  if (url.size() > max_line_length) return "URL longer than " + std::to_string(max_line_length) + " bytes";
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) return "not a URL (contains control bytes): " + printable(url);
  }
  for (unsigned char c : url) {
    if (c >= 0x80) {
      return "non-ASCII bytes in URL (write an IDN host in its xn-- form, percent-encode the rest): " + printable(url);
    }
  }
  auto result = boost::urls::parse_uri(url);  // fragments allowed; never sent
  if (!result) return "not a URL: " + printable(url);
  parsed = *result;
  const auto scheme = parsed.scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return "unsupported scheme '" + std::string(parsed.scheme()) + "' (only http and https)";
  }
  if (!parsed.has_authority() || parsed.encoded_host().empty()) return "no host in URL: " + printable(url);
  // A port is 1..65535; an empty one ("http://h:/") means the default. Boost.URL 1.81 reads
  // "http://h:80a/x" as port 80 and the rootless path "a/x", which RFC 3986 forbids after an
  // authority: the port is what is wrong.
  const auto path = parsed.encoded_path();
  if ((parsed.has_port() && !parsed.port().empty() && port_number(parsed.port()) == 0) ||
      (!path.empty() && !path.starts_with('/'))) {
    return "bad port in URL: " + printable(url);
  }
  // A percent-encoded host decodes to what the resolver, SNI and the certificate check see:
  // "a%00.example.org" would be "a" to getaddrinfo.
  for (unsigned char c : parsed.host()) {
    if (c < 0x20 || c == 0x7f) return "bad host in URL (encodes control bytes): " + printable(url);
  }
  return {};
}

std::string check_url(std::string_view url) {
  boost::urls::url_view parsed;
  return detail::check_url(url, parsed);
}

std::vector<FetchRequest> parse_url_list(std::istream& in, std::string_view name) {
  std::vector<FetchRequest> requests;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view text = trim(line);
    if (number == 1 && text.starts_with("\xEF\xBB\xBF")) text = trim(text.substr(3));  // UTF-8 byte-order mark
    if (text.empty() || text.front() == '#') continue;
    FetchRequest request;
    request.url = std::string(text.substr(0, max_line_length + 1));
    request.source = std::string(name) + ":" + std::to_string(number);
    request.error = check_url(text);
    requests.push_back(std::move(request));
  }
  return requests;
}

std::vector<FetchRequest> load_url_list(const std::string& path) {
  if (path == "-") return parse_url_list(std::cin, "<stdin>");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) throw std::runtime_error(path + ": cannot read: is a directory");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  auto requests = parse_url_list(file, path);
  if (file.bad()) throw std::runtime_error(path + ": read error");
  return requests;
}

}  // namespace fetcher
