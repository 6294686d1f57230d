// warc.cpp: see warc.hpp; read_warc is warc_reader.cpp's. Records are assembled in memory (all
// but the payload), checked, then written with stdio and flushed per exchange; digests use
// OpenSSL's EVP SHA-256 and record ids OpenSSL's RAND_bytes.
#include <fetcher/crawl/warc.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace fetcher::crawl {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kRecordEnd = "\r\n\r\n";

// SHA-256 fed in pieces, so that a block's head and payload are hashed without joining them.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256: cannot initialise the OpenSSL digest");
  }
  void update(std::string_view data) {
    if (!data.empty() && EVP_DigestUpdate(context_.get(), data.data(), data.size()) != 1)
      throw std::runtime_error("SHA-256: OpenSSL digest update failed");
  }
  std::array<unsigned char, 32> finish() {
    std::array<unsigned char, 32> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest.data(), &size) != 1 || size != digest.size())
      throw std::runtime_error("SHA-256: OpenSSL digest final failed");
    return digest;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> context_;
};

// RFC 4648 section 6: 5-bit groups, upper-case alphabet, '=' padding to a multiple of 8.
std::string base32(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((size + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31u];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31u];
  while (out.size() % 8 != 0) out += '=';
  return out;
}

std::string digest_string(Sha256& sha) {
  const auto digest = sha.finish();
  return "sha256:" + base32(digest.data(), digest.size());
}

// "<urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx>": an RFC 9562 version 4 UUID from OpenSSL's
// CSPRNG, so that ids of separate crawls and processes do not collide.
std::string new_record_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("WARC record id: OpenSSL RAND_bytes failed");
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0fu) | 0x40u);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3fu) | 0x80u);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "<urn:uuid:";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 0x0fu];
  }
  id += '>';
  return id;
}

// W3C-DTF at second precision in UTC, as WARC-Date: "2026-12-05T13:00:00Z".
std::string warc_date(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm utc{};
  if (!gmtime_r(&seconds, &utc)) throw std::invalid_argument("WARC-Date: time out of range");
  char text[32];
  const std::size_t size = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (size != 20) throw std::invalid_argument("WARC-Date: time out of range");
  return std::string(text, size);
}

// The standard reason phrases (RFC 9110 section 15) of the codes a crawler meets; empty for others,
// which HTTP/1.1's status line allows.
std::string_view standard_reason(unsigned status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 429: return "Too Many Requests";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return {};
  }
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

// A header line the writer emits must stay one line, and a name must be one token before ':'.
void check_field(std::string_view what, std::string_view name, std::string_view value) {
  if (name.empty() || name.find_first_of("\r\n: \t") != std::string_view::npos)
    throw std::invalid_argument(std::string(what) + ": invalid field name \"" + std::string(name) + "\"");
  if (has_line_break(value))
    throw std::invalid_argument(std::string(what) + ": CR or LF in the value of field " + std::string(name));
}

void check_value(std::string_view what, std::string_view value) {
  if (has_line_break(value)) throw std::invalid_argument(std::string(what) + ": contains CR or LF");
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += kCrlf;
}

}  // namespace

std::string warc_digest(std::string_view data) {
  Sha256 sha;
  sha.update(data);
  return digest_string(sha);
}

WarcWriter::WarcWriter(const std::string& path, std::string_view software,
                       const std::vector<std::pair<std::string, std::string>>& fields)
    : path_(path) {
  check_value("WARC software", software);
  for (const auto& [name, value] : fields) check_field("warcinfo", name, value);

  PendingRecord info;
  info.block_head = "software: " + std::string(software) +
                    "\r\nformat: WARC File Format 1.1\r\n"
                    "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/"
                    "warc-1.1/\r\n";
  for (const auto& [name, value] : fields) append_field(info.block_head, name, value);

  const std::size_t slash = path.find_last_of('/');
  const std::string filename = slash == std::string::npos ? path : path.substr(slash + 1);
  check_value("WARC-Filename", filename);
  warcinfo_id_ = new_record_id();
  append_field(info.fields, "WARC-Type", "warcinfo");
  append_field(info.fields, "WARC-Record-ID", warcinfo_id_);
  append_field(info.fields, "WARC-Date", warc_date(std::chrono::system_clock::now()));
  append_field(info.fields, "WARC-Filename", filename);
  append_field(info.fields, "Content-Type", "application/warc-fields");

  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) fail("cannot open");
  try {
    write_record(info);
    flush();
  } catch (...) {
    std::fclose(file_);
    throw;
  }
}

WarcWriter::~WarcWriter() {
  if (file_) std::fclose(file_);
}

void WarcWriter::write(const WarcExchange& exchange) {
  // Every field is checked before the first byte goes out, so that a refused exchange leaves no
  // record behind.
  check_value("WARC-Target-URI", exchange.target_uri);
  check_value("WARC-IP-Address", exchange.ip_address);
  check_value("HTTP reason phrase", exchange.reason);
  if (exchange.status < 100 || exchange.status > 999)
    throw std::invalid_argument("HTTP status " + std::to_string(exchange.status) + " is not three digits");
  for (const auto& [name, value] : exchange.response_fields) check_field("HTTP response", name, value);

  const std::string date = warc_date(exchange.date);
  const std::string request_id = new_record_id();
  const std::string response_id = new_record_id();

  PendingRecord request;
  append_field(request.fields, "WARC-Type", "request");
  append_field(request.fields, "WARC-Record-ID", request_id);
  append_field(request.fields, "WARC-Date", date);
  append_field(request.fields, "WARC-Target-URI", exchange.target_uri);
  append_field(request.fields, "WARC-Warcinfo-ID", warcinfo_id_);
  append_field(request.fields, "Content-Type", "application/http;msgtype=request");
  request.block_head = exchange.request_head;

  // The response's HTTP head describes the stored body: de-chunked, of known length.
  PendingRecord response;
  const std::string_view reason =
      exchange.reason.empty() ? standard_reason(exchange.status) : std::string_view(exchange.reason);
  response.block_head = "HTTP/1.1 " + std::to_string(exchange.status) + " " + std::string(reason) + "\r\n";
  for (const auto& [name, value] : exchange.response_fields) {
    if (iequals(name, "Transfer-Encoding") || iequals(name, "Content-Length")) continue;
    append_field(response.block_head, name, value);
  }
  append_field(response.block_head, "Content-Length", std::to_string(exchange.payload.size()));
  response.block_head += kCrlf;
  response.payload = exchange.payload;

  append_field(response.fields, "WARC-Type", "response");
  append_field(response.fields, "WARC-Record-ID", response_id);
  append_field(response.fields, "WARC-Date", date);
  append_field(response.fields, "WARC-Target-URI", exchange.target_uri);
  append_field(response.fields, "WARC-Concurrent-To", request_id);
  append_field(response.fields, "WARC-Warcinfo-ID", warcinfo_id_);
  if (!exchange.ip_address.empty()) append_field(response.fields, "WARC-IP-Address", exchange.ip_address);
  append_field(response.fields, "Content-Type", "application/http;msgtype=response");
  append_field(response.fields, "WARC-Payload-Digest", warc_digest(exchange.payload));

  write_record(request);
  write_record(response);
  flush();
}

// One record: "WARC/1.1", its fields, Content-Length and WARC-Block-Digest of the block, an empty
// line, the block, and the two CRLFs that end every record. The header and the block's head go
// out in one fwrite, the payload in a second, the end in a third.
void WarcWriter::write_record(const PendingRecord& record) {
  Sha256 sha;
  sha.update(record.block_head);
  sha.update(record.payload);
  std::string head = "WARC/1.1\r\n";
  head.reserve(head.size() + record.fields.size() + 160 + record.block_head.size());
  head += record.fields;
  append_field(head, "WARC-Block-Digest", digest_string(sha));
  append_field(head, "Content-Length", std::to_string(record.block_head.size() + record.payload.size()));
  head += kCrlf;
  head += record.block_head;

  if (std::fwrite(head.data(), 1, head.size(), file_) != head.size()) fail("cannot write");
  if (!record.payload.empty() &&
      std::fwrite(record.payload.data(), 1, record.payload.size(), file_) != record.payload.size())
    fail("cannot write");
  if (std::fwrite(kRecordEnd.data(), 1, kRecordEnd.size(), file_) != kRecordEnd.size()) fail("cannot write");
  ++records_;
}

void WarcWriter::flush() {
  if (std::fflush(file_) != 0) fail("cannot write");
}

void WarcWriter::fail(const char* what) const {
  const int error = errno;
  throw std::runtime_error(std::string("WARC file ") + path_ + ": " + what + ": " + std::strerror(error));
}

std::string WarcRecord::field(std::string_view name) const {
  for (const auto& [field_name, value] : fields)
    if (iequals(field_name, name)) return value;
  return {};
}

}  // namespace fetcher::crawl
