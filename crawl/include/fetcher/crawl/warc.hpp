// warc.hpp: WARC/1.1 archives (ISO 28500:2017), the format crawlers exchange (Heritrix, wget
// --warc-file, Browsertrix, pywb).
//
// A WarcWriter writes one `warcinfo` record, then for each fetched URL a `request` record and
// a `response` record that refers to it (WARC-Concurrent-To). Each record carries WARC-Record-ID
// (a fresh urn:uuid), WARC-Date (UTC, second precision), WARC-Target-URI, Content-Type
// (application/http;msgtype=request|response), Content-Length and WARC-Block-Digest; a response
// also WARC-Payload-Digest and WARC-IP-Address when known. Digests are "sha256:" and the digest
// in base32 (RFC 4648, upper case, as the WARC guidelines write sha1 ones).
//
// The HTTP messages in the blocks are what the crawler sent and received, with one rewrite: the
// response's header says how the stored body is framed. A body that came chunked is stored
// de-chunked, so its Transfer-Encoding field is dropped and a Content-Length added (what wget
// and warcio do). The crawler asks for identity encoding when it writes WARC, so the payload is
// the entity as the server sent it.
//
// Records are written whole, one call at a time, and flushed: a crawl stopped at any moment
// leaves an archive whose every record is complete (a crash mid-write can leave a torn last
// record, which readers detect by its Content-Length).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fetcher::crawl {

// One request and its response, as the crawler saw them.
struct WarcExchange {
  std::string target_uri;                        // the URL requested
  std::chrono::system_clock::time_point date{};  // when the request was sent
  std::string ip_address;                        // the server's address, empty if unknown
  std::string request_head;   // "GET /a HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n"
  unsigned status = 0;
  std::string reason;         // "OK"; empty: the standard reason phrase of `status`
  std::vector<std::pair<std::string, std::string>> response_fields;  // as received, in order
  std::string_view payload;   // the response body (de-chunked)
};

class WarcWriter {
 public:
  // Creates (truncates) `path` and writes the warcinfo record naming `software` (e.g.
  // "fetcher/0.1") and `fields` (e.g. {"robots", "obey"}, {"user-agent", ...}).
  // Throws std::runtime_error naming the path when it cannot be opened or written.
  WarcWriter(const std::string& path, std::string_view software,
             const std::vector<std::pair<std::string, std::string>>& fields = {});
  ~WarcWriter();
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  // Writes the request and response records of one exchange. Not thread-safe: one writer, one
  // thread at a time. Throws std::runtime_error when the file cannot be written.
  void write(const WarcExchange& exchange);

  std::uint64_t records() const { return records_; }

 private:
  void write_record(const std::string& header, std::string_view block_head, std::string_view payload);
  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint64_t records_ = 0;
};

// A record read back: its version line ("WARC/1.1"), header fields in order, and block.
struct WarcRecord {
  std::string version;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string block;
  // The first field named `name` (case-insensitive), or empty.
  std::string field(std::string_view name) const;
};

// Reads every record of a WARC file (uncompressed). Throws std::runtime_error naming the record
// number and the problem for a malformed or torn record.
std::vector<WarcRecord> read_warc(std::istream& in);

// "sha256:" followed by the base32 (RFC 4648 alphabet, upper case, with padding) of the SHA-256
// of `data`: the digest form of WARC-Block-Digest and WARC-Payload-Digest.
std::string warc_digest(std::string_view data);

}  // namespace fetcher::crawl
