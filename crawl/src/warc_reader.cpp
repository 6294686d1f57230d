// warc_reader.cpp: read_warc (warc.hpp): WARC 1.1 records read back off a stream and checked
// for what a torn or corrupt file shows (CRLF line ends, Content-Length, the closing CRLF CRLF),
// with the number of the record in every error.
#include <fetcher/crawl/warc.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fetcher::crawl {
namespace {

constexpr std::string_view kRecordEnd = "\r\n\r\n";

// Reads records off a stream, keeping the number of the record being read for error messages.
class WarcReader {
 public:
  explicit WarcReader(std::istream& in) : in_(*in.rdbuf()) {}

  std::vector<WarcRecord> read_all() {
    std::vector<WarcRecord> records;
    while (in_.sgetc() != std::char_traits<char>::eof()) {
      ++number_;
      records.push_back(read_record());
    }
    return records;
  }

 private:
  static constexpr std::size_t kMaxLine = 64 * 1024;
  static constexpr std::size_t kMaxFields = 1024;
  static constexpr std::size_t kChunk = 1 << 20;

  [[noreturn]] void fail(const std::string& problem) const {
    throw std::runtime_error("record " + std::to_string(number_) + ": " + problem);
  }

  // One header line without its CRLF; a line ended by a bare LF, or by the end of the file, is
  // an error.
  std::string read_line(const char* what) {
    std::string line;
    for (;;) {
      const int c = in_.sbumpc();
      if (c == std::char_traits<char>::eof()) fail(std::string("file ends inside the ") + what + " (torn record)");
      if (c == '\n') {
        if (line.empty() || line.back() != '\r') fail(std::string("the ") + what + " ends with LF, not CRLF");
        line.pop_back();
        return line;
      }
      if (line.size() >= kMaxLine) fail(std::string("the ") + what + " is longer than 64 KiB");
      line += static_cast<char>(c);
    }
  }

  static std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
  }

  WarcRecord read_record() {
    WarcRecord record;
    record.version = read_line("version line");
    if (record.version.rfind("WARC/", 0) != 0)
      fail("the version line does not start with \"WARC/\": \"" + record.version.substr(0, 40) + "\"");

    for (;;) {
      std::string line = read_line("header");
      if (line.empty()) break;
      if (line.front() == ' ' || line.front() == '\t') {
        // A folded line continues the previous field's value (the WARC grammar's LWS).
        if (record.fields.empty()) fail("the header starts with a continuation line");
        auto& value = record.fields.back().second;
        const std::string_view more = trim(line);
        if (!more.empty()) value += (value.empty() ? "" : " ") + std::string(more);
        continue;
      }
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) fail("header line without ':': \"" + line.substr(0, 40) + "\"");
      const std::string_view name = std::string_view(line).substr(0, colon);
      if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
        fail("invalid field name \"" + std::string(name) + "\"");
      if (record.fields.size() >= kMaxFields) fail("more than 1024 header fields");
      const std::string_view value = trim(std::string_view(line).substr(colon + 1));
      record.fields.emplace_back(std::string(name), std::string(value));
    }

    const std::uint64_t length = content_length(record);
    // Read in chunks, so that a torn record or a corrupt length ends in an error, not in a huge
    // allocation.
    while (record.block.size() < length) {
      const std::size_t had = record.block.size();
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length - had, kChunk));
      record.block.resize(had + want);
      const auto got =
          static_cast<std::size_t>(in_.sgetn(record.block.data() + had, static_cast<std::streamsize>(want)));
      if (got < want) {
        record.block.resize(had + got);
        fail("file ends inside the block: " + std::to_string(record.block.size()) + " of Content-Length " +
             std::to_string(length) + " bytes (torn record)");
      }
    }

    char end[4];
    const auto got = static_cast<std::size_t>(in_.sgetn(end, sizeof end));
    if (got < sizeof end) fail("file ends before the CRLF CRLF that ends the record (torn record)");
    if (std::string_view(end, sizeof end) != kRecordEnd)
      fail("the block is not followed by CRLF CRLF (Content-Length does not match the block)");
    return record;
  }

  std::uint64_t content_length(const WarcRecord& record) const {
    const std::string text = record.field("Content-Length");
    if (text.empty()) fail("no Content-Length");
    if (text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
      fail("invalid Content-Length \"" + text + "\"");
    return std::stoull(text);
  }

  std::streambuf& in_;
  std::uint64_t number_ = 0;
};

}  // namespace

std::vector<WarcRecord> read_warc(std::istream& in) {
  if (!in || !in.rdbuf()) throw std::runtime_error("read_warc: the stream is not readable");
  return WarcReader(in).read_all();
}

}  // namespace fetcher::crawl
