// warc.hpp: WARC/1.1 archives (ISO 28500:2017), the format crawlers exchange (Heritrix, wget
// --warc-file, Browsertrix, pywb).
//
// A WarcWriter writes one `warcinfo` record, then for each fetched URL a `request` record and,
// after it, a `response` record that refers to it: the response's WARC-Concurrent-To names the
// request's WARC-Record-ID (the order and link wget writes; Heritrix and warcio write the
// response first and link the request to it). Each record carries WARC-Record-ID (a random v4
// urn:uuid), WARC-Date (UTC, second precision, "2026-12-05T13:00:00Z"), WARC-Target-URI,
// WARC-Warcinfo-ID, Content-Type (application/http;msgtype=request|response), Content-Length and
// WARC-Block-Digest; a response also WARC-Payload-Digest (over the HTTP entity body) and
// WARC-IP-Address when known. Digests are "sha256:" and the digest in base32 (RFC 4648, upper
// case, as the WARC guidelines write sha1 ones).
//
// The HTTP messages in the blocks are what the crawler sent and received, with one rewrite: the
// response's header says how the stored body is framed. A body that came chunked is stored
// de-chunked, so its Transfer-Encoding field is dropped, any received Content-Length too, and a
// Content-Length of the stored payload added (what wget and warcio do). Content-Encoding stays:
// the crawler asks for identity encoding when it writes WARC, and whatever the server still
// encoded is stored as sent, so the payload is the entity as the server sent it.
//
// Header fields must be single lines: a CR or LF in a field name or value given to the writer
// (warcinfo fields, target URI, IP address, reason, response fields) throws
// std::invalid_argument before anything of that record or exchange is written, rather than being
// rewritten into something the server did not send.
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
  std::string request_head;                      // "GET /a HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n"
  unsigned status = 0;
  std::string reason;  // "OK"; empty: the standard reason phrase of `status`
  std::vector<std::pair<std::string, std::string>> response_fields;  // as received, in order
  std::string_view payload;                                          // the response body (de-chunked)
};

class WarcWriter {
 public:
  // Creates (truncates) `path` and writes the warcinfo record naming `software` (e.g.
  // "fetcher/0.1") and `fields` (e.g. {"robots", "obey"}, {"user-agent", ...}), with the file's
  // name as WARC-Filename. Throws std::runtime_error naming the path when it cannot be opened or
  // written, std::invalid_argument for a CR or LF in `software` or `fields`.
  WarcWriter(const std::string& path, std::string_view software,
             const std::vector<std::pair<std::string, std::string>>& fields = {});
  ~WarcWriter();
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  // Writes the request and response records of one exchange, then flushes them. Not
  // thread-safe: one writer, one thread at a time. Throws std::runtime_error naming the path when
  // the file cannot be written, std::invalid_argument for a CR or LF in a header field or a
  // status outside 100..999 (then nothing of the exchange is written). After a write error the
  // file may end in a torn record, which read_warc reports.
  void write(const WarcExchange& exchange);

  // The records written so far, warcinfo included.
  std::uint64_t records() const { return records_; }

 private:
  // A record ready to write: its header without Content-Length and WARC-Block-Digest, which
  // write_record derives from the block, and its block as a head and a payload, kept apart so
  // that the payload is not copied.
  struct PendingRecord {
    std::string fields;  // "WARC-Type: ...\r\n" lines
    std::string block_head;
    std::string_view payload;
  };
  void write_record(const PendingRecord& record);
  void flush();
  [[noreturn]] void fail(const char* what) const;

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string warcinfo_id_;  // "<urn:uuid:...>", named by every later record
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

// Reads every record of a WARC file (uncompressed), strictly: a version line starting with
// "WARC/", named fields (folded continuation lines joined) up to an empty line, lines ended by
// CRLF, a decimal Content-Length, a block of exactly that length, then CRLF CRLF. Throws
// std::runtime_error "record N: <problem>" (N counted from 1) for a malformed or torn record.
std::vector<WarcRecord> read_warc(std::istream& in);

// "sha256:" followed by the base32 (RFC 4648 alphabet, upper case, with padding) of the SHA-256
// of `data`: the digest form of WARC-Block-Digest and WARC-Payload-Digest.
std::string warc_digest(std::string_view data);

}  // namespace fetcher::crawl
