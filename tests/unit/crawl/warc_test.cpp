// warc_test.cpp: the WARC/1.1 writer and reader. Archives are written to a temporary directory,
// read back with read_warc, and their fields, lengths and digests checked against the bytes; the
// digest itself is checked against known SHA-256 vectors in base32.
#include <fetcher/crawl/warc.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using fetcher::crawl::read_warc;
using fetcher::crawl::warc_digest;
using fetcher::crawl::WarcExchange;
using fetcher::crawl::WarcRecord;
using fetcher::crawl::WarcWriter;
using namespace std::string_literals;

namespace {

// SHA-256 test vectors (FIPS 180-2 examples), their digests in base32 with padding.
const std::string kSha256Empty = "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====";
const std::string kSha256Abc = "sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ====";
const std::string kSha256TwoBlocks = "sha256:ESGWUYOSAY4LRZOAE2JQYPTAHGRTZZCZMT7SCZ7W5TW5IGO3A3AQ====";

const std::regex kRecordId("<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>");
const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");

// 2026-12-05T13:00:00Z and a little: WARC-Date keeps whole seconds.
std::chrono::system_clock::time_point example_date() {
  using namespace std::chrono;
  return sys_days{year{2026} / December / 5} + hours{13} + milliseconds{750};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<WarcRecord> read_archive(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return read_warc(in);
}

std::vector<WarcRecord> read_text(const std::string& text) {
  std::istringstream in(text);
  return read_warc(in);
}

// The HTTP head and body of a response block, split at the first empty line.
std::pair<std::string, std::string> split_http(const std::string& block) {
  const std::size_t end = block.find("\r\n\r\n");
  if (end == std::string::npos) return {block, {}};
  return {block.substr(0, end + 4), block.substr(end + 4)};
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

WarcExchange example_exchange(const std::string& path, std::string_view payload) {
  WarcExchange exchange;
  exchange.target_uri = "http://example.test" + path;
  exchange.date = example_date();
  exchange.ip_address = "192.0.2.7";
  exchange.request_head = "GET " + path + " HTTP/1.1\r\nHost: example.test\r\nUser-Agent: fetcher/0.1\r\n\r\n";
  exchange.status = 200;
  exchange.reason = "OK";
  exchange.response_fields = {{"Content-Type", "text/html"}, {"Content-Length", std::to_string(payload.size())}};
  exchange.payload = payload;
  return exchange;
}

class WarcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::temp_directory_path() / ("fetcher-warc-test-" + std::to_string(::getpid()) + "-" + test->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path directory_;
};

// Every record: Content-Length is the block's size, and WARC-Block-Digest the digest of its bytes.
void expect_consistent(const WarcRecord& record) {
  EXPECT_EQ(record.version, "WARC/1.1");
  EXPECT_EQ(record.field("Content-Length"), std::to_string(record.block.size()));
  EXPECT_EQ(record.field("WARC-Block-Digest"), warc_digest(record.block));
  EXPECT_TRUE(std::regex_match(record.field("WARC-Record-ID"), kRecordId)) << record.field("WARC-Record-ID");
  EXPECT_TRUE(std::regex_match(record.field("WARC-Date"), kDate)) << record.field("WARC-Date");
}

TEST(WarcDigest, MatchesSha256TestVectorsInBase32) {
  EXPECT_EQ(warc_digest(""), kSha256Empty);
  EXPECT_EQ(warc_digest("abc"), kSha256Abc);
  EXPECT_EQ(warc_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), kSha256TwoBlocks);
  EXPECT_EQ(warc_digest(std::string(1000000, 'a')), "sha256:ZXDW4XEZCT5ZFANBY7RIJVZ6M7YYBGSIUSLSADQENU44ZRYRFTIA====");
}

TEST_F(WarcTest, RoundTripsWarcinfoAndExchanges) {
  const fs::path path = directory_ / "crawl-00000.warc";
  const std::vector<std::string> paths = {"/", "/a", "/b?q=1"};
  std::vector<std::string> payloads = {"<a href=/a>a</a>", "second page", "abc"};
  {
    WarcWriter writer(path.string(), "fetcher/0.1", {{"robots", "obey"}, {"user-agent", "fetcher/0.1 (+test)"}});
    EXPECT_EQ(writer.records(), 1u);
    for (std::size_t i = 0; i < paths.size(); ++i) writer.write(example_exchange(paths[i], payloads[i]));
    EXPECT_EQ(writer.records(), 7u);
  }

  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 7u);
  for (const auto& record : records) expect_consistent(record);

  const WarcRecord& info = records[0];
  EXPECT_EQ(info.field("WARC-Type"), "warcinfo");
  EXPECT_EQ(info.field("Content-Type"), "application/warc-fields");
  EXPECT_EQ(info.field("WARC-Filename"), "crawl-00000.warc");
  EXPECT_EQ(info.block.rfind("software: fetcher/0.1\r\nformat: WARC File Format 1.1\r\n", 0), 0u) << info.block;
  EXPECT_NE(info.block.find("\r\nrobots: obey\r\n"), std::string::npos);
  EXPECT_NE(info.block.find("\r\nuser-agent: fetcher/0.1 (+test)\r\n"), std::string::npos);
  EXPECT_EQ(info.block.substr(info.block.size() - 2), "\r\n");

  for (std::size_t i = 0; i < paths.size(); ++i) {
    const WarcRecord& request = records[1 + 2 * i];
    const WarcRecord& response = records[2 + 2 * i];
    SCOPED_TRACE(paths[i]);
    EXPECT_EQ(request.field("WARC-Type"), "request");
    EXPECT_EQ(request.field("Content-Type"), "application/http;msgtype=request");
    EXPECT_EQ(request.field("WARC-Target-URI"), "http://example.test" + paths[i]);
    EXPECT_EQ(request.field("WARC-Date"), "2026-12-05T13:00:00Z");
    EXPECT_EQ(request.field("WARC-Warcinfo-ID"), info.field("WARC-Record-ID"));
    EXPECT_EQ(request.block, example_exchange(paths[i], payloads[i]).request_head);

    EXPECT_EQ(response.field("WARC-Type"), "response");
    EXPECT_EQ(response.field("Content-Type"), "application/http;msgtype=response");
    EXPECT_EQ(response.field("WARC-Target-URI"), "http://example.test" + paths[i]);
    EXPECT_EQ(response.field("WARC-Date"), "2026-12-05T13:00:00Z");
    EXPECT_EQ(response.field("WARC-IP-Address"), "192.0.2.7");
    EXPECT_EQ(response.field("WARC-Warcinfo-ID"), info.field("WARC-Record-ID"));
    EXPECT_EQ(response.field("WARC-Concurrent-To"), request.field("WARC-Record-ID"));
    const auto [head, body] = split_http(response.block);
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                        std::to_string(payloads[i].size()) + "\r\n\r\n");
    EXPECT_EQ(body, payloads[i]);
    EXPECT_EQ(response.field("WARC-Payload-Digest"), warc_digest(body));
  }
  EXPECT_EQ(records[6].field("WARC-Payload-Digest"), kSha256Abc);
}

TEST_F(WarcTest, RecordIdsAreUniqueV4Uuids) {
  const fs::path path = directory_ / "ids.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    for (int i = 0; i < 100; ++i) writer.write(example_exchange("/" + std::to_string(i), "x"));
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 201u);
  std::set<std::string> ids;
  for (const auto& record : records) {
    EXPECT_TRUE(std::regex_match(record.field("WARC-Record-ID"), kRecordId));
    ids.insert(record.field("WARC-Record-ID"));
  }
  EXPECT_EQ(ids.size(), records.size());
}

TEST_F(WarcTest, DatesAreUtcToTheSecond) {
  const fs::path path = directory_ / "dates.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/", "");
    exchange.date = std::chrono::system_clock::time_point{};
    writer.write(exchange);
    exchange.date = std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::seconds{86399};
    writer.write(exchange);
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_TRUE(std::regex_match(records[0].field("WARC-Date"), kDate));  // the writer's clock
  EXPECT_EQ(records[1].field("WARC-Date"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(records[3].field("WARC-Date"), "2024-02-29T23:59:59Z");
  EXPECT_EQ(records[4].field("WARC-Date"), "2024-02-29T23:59:59Z");
}

TEST_F(WarcTest, ChunkedResponseIsStoredWithContentLength) {
  const fs::path path = directory_ / "chunked.warc";
  const std::string payload = "hello, de-chunked world";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/chunked", payload);
    exchange.response_fields = {{"Content-Type", "text/plain"},
                                {"transfer-encoding", "chunked"},
                                {"Content-Encoding", "identity"},
                                {"CONTENT-LENGTH", "999"},
                                {"Set-Cookie", "a=1"},
                                {"Set-Cookie", "b=2"}};
    writer.write(exchange);
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 3u);
  const auto [head, body] = split_http(records[2].block);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: identity\r\nSet-Cookie: a=1\r\n"
            "Set-Cookie: b=2\r\nContent-Length: " +
                std::to_string(payload.size()) + "\r\n\r\n");
  EXPECT_EQ(head.find("chunked"), std::string::npos);
  EXPECT_EQ(count(head, "Content-Length"), 1u);
  EXPECT_EQ(body, payload);
  EXPECT_EQ(records[2].field("WARC-Payload-Digest"), warc_digest(payload));
  expect_consistent(records[2]);
}

TEST_F(WarcTest, BinaryPayloadWithNulsAndCrlfsRoundTrips) {
  const fs::path path = directory_ / "binary.warc";
  std::string payload = "\0\r\n\r\nWARC/1.1\r\nContent-Length: 3\r\n\r\n\0\0\xff\xfe\r\n\r\n"s;
  for (int i = 0; i < 4096; ++i) payload += static_cast<char>(i * 7 % 256);
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/blob.bin", payload);
    exchange.response_fields = {{"Content-Type", "application/octet-stream"}};
    writer.write(exchange);
    writer.write(example_exchange("/after", "after the blob"));
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 5u);
  for (const auto& record : records) expect_consistent(record);
  const auto [head, body] = split_http(records[2].block);
  EXPECT_EQ(body, payload);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(payload.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(records[2].field("WARC-Payload-Digest"), warc_digest(payload));
  EXPECT_EQ(split_http(records[4].block).second, "after the blob");
}

TEST_F(WarcTest, EmptyPayload) {
  const fs::path path = directory_ / "empty.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/empty", "");
    exchange.status = 204;
    exchange.reason.clear();
    exchange.response_fields = {{"Server", "test"}};
    writer.write(exchange);
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 3u);
  expect_consistent(records[2]);
  EXPECT_EQ(records[2].block, "HTTP/1.1 204 No Content\r\nServer: test\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(records[2].field("WARC-Payload-Digest"), kSha256Empty);
}

TEST_F(WarcTest, ReasonPhrases) {
  const fs::path path = directory_ / "reasons.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/", "");
    exchange.response_fields.clear();
    exchange.reason.clear();
    exchange.status = 404;
    writer.write(exchange);
    exchange.status = 599;  // no standard phrase: HTTP allows an empty one
    writer.write(exchange);
    exchange.status = 200;
    exchange.reason = "Fine Thanks";  // a server's own phrase stays
    writer.write(exchange);
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[2].block.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_EQ(records[4].block.rfind("HTTP/1.1 599 \r\n", 0), 0u);
  EXPECT_EQ(records[6].block.rfind("HTTP/1.1 200 Fine Thanks\r\n", 0), 0u);
}

TEST_F(WarcTest, NoIpAddressFieldWhenUnknown) {
  const fs::path path = directory_ / "noip.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    WarcExchange exchange = example_exchange("/", "x");
    exchange.ip_address.clear();
    writer.write(exchange);
  }
  const auto records = read_archive(path);
  ASSERT_EQ(records.size(), 3u);
  for (const auto& record : records)
    for (const auto& field : record.fields) EXPECT_NE(field.first, "WARC-IP-Address");
}

TEST_F(WarcTest, LineBreaksInFieldsAreRefusedBeforeWriting) {
  const fs::path path = directory_ / "refused.warc";
  WarcWriter writer(path.string(), "fetcher/0.1");
  const std::string before = read_file(path);

  WarcExchange exchange = example_exchange("/", "x");
  exchange.response_fields.emplace_back("X-Evil", "a\r\nWARC-Type: forged");
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);
  exchange = example_exchange("/", "x");
  exchange.response_fields.emplace_back("X-Evil\n", "a");
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);
  exchange = example_exchange("/\r\nX: y", "x");
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);
  exchange = example_exchange("/", "x");
  exchange.reason = "OK\r\n";
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);
  exchange = example_exchange("/", "x");
  exchange.ip_address = "192.0.2.7\n";
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);
  exchange = example_exchange("/", "x");
  exchange.status = 0;
  EXPECT_THROW(writer.write(exchange), std::invalid_argument);

  EXPECT_EQ(writer.records(), 1u);
  EXPECT_EQ(read_file(path), before);
  EXPECT_THROW(WarcWriter((directory_ / "info.warc").string(), "fetcher/0.1", {{"robots", "obey\r\n"}}),
               std::invalid_argument);
  EXPECT_THROW(WarcWriter((directory_ / "info.warc").string(), "fetcher\n0.1"), std::invalid_argument);
}

TEST_F(WarcTest, RecordsAreCompleteAfterEachWrite) {
  const fs::path path = directory_ / "flushed.warc";
  WarcWriter writer(path.string(), "fetcher/0.1");
  EXPECT_EQ(read_archive(path).size(), 1u);
  writer.write(example_exchange("/", "one"));
  EXPECT_EQ(read_archive(path).size(), 3u);
  writer.write(example_exchange("/2", "two"));
  EXPECT_EQ(read_archive(path).size(), 5u);
}

TEST_F(WarcTest, TornLastRecordIsReportedByNumber) {
  const fs::path path = directory_ / "whole.warc";
  {
    WarcWriter writer(path.string(), "fetcher/0.1");
    writer.write(example_exchange("/", "first page"));
    writer.write(example_exchange("/2", "second page\r\n\r\nwith an empty line"));
  }
  const std::string whole = read_file(path);
  const std::size_t last_start = whole.rfind("WARC/1.1\r\n");
  ASSERT_NE(last_start, std::string::npos);
  ASSERT_EQ(read_text(whole).size(), 5u);
  EXPECT_EQ(read_text(whole.substr(0, last_start)).size(), 4u);  // cut between records: nothing torn

  // Cut the file at every byte of the last record: each cut is found and names record 5.
  for (std::size_t cut = last_start + 1; cut < whole.size(); ++cut) {
    SCOPED_TRACE(cut);
    try {
      read_text(whole.substr(0, cut));
      ADD_FAILURE() << "no error for a file cut at " << cut << " of " << whole.size();
    } catch (const std::runtime_error& error) {
      EXPECT_EQ(std::string(error.what()).rfind("record 5: ", 0), 0u) << error.what();
    }
  }

  // The same through a real file truncated on disk.
  const fs::path torn = directory_ / "torn.warc";
  fs::copy_file(path, torn);
  fs::resize_file(torn, whole.size() - 20);
  try {
    read_archive(torn);
    ADD_FAILURE() << "no error for a truncated file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("record 5: file ends inside the block"), std::string::npos)
        << error.what();
  }
}

TEST_F(WarcTest, UnwritablePathThrowsNamingIt) {
  const std::string missing = (directory_ / "no-such-directory" / "out.warc").string();
  try {
    WarcWriter writer(missing, "fetcher/0.1");
    ADD_FAILURE() << "no error for " << missing;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("No such file or directory"), std::string::npos) << error.what();
  }
  const std::string directory = directory_.string();
  EXPECT_THROW(WarcWriter(directory, "fetcher/0.1"), std::runtime_error);
}

TEST_F(WarcTest, FullDeviceThrowsNamingIt) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    WarcWriter writer("/dev/full", "fetcher/0.1");
    ADD_FAILURE() << "no error writing to /dev/full";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/dev/full"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(std::strerror(ENOSPC)), std::string::npos) << error.what();
  }
}

TEST(WarcReader, FieldLookupIsCaseInsensitive) {
  const auto records = read_text("WARC/1.1\r\nWARC-Type: resource\r\ncontent-length: 3\r\n\r\nabc\r\n\r\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].field("warc-type"), "resource");
  EXPECT_EQ(records[0].field("CONTENT-LENGTH"), "3");
  EXPECT_EQ(records[0].field("WARC-Date"), "");
  EXPECT_EQ(records[0].block, "abc");
}

TEST(WarcReader, EmptyInputHasNoRecords) { EXPECT_TRUE(read_text("").empty()); }

TEST(WarcReader, JoinsFoldedFieldLines) {
  const auto records = read_text(
      "WARC/1.0\r\nWARC-Type: metadata\r\nX-Long: first\r\n  second\r\n"
      "Content-Length: 0\r\n\r\n\r\n\r\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].version, "WARC/1.0");
  EXPECT_EQ(records[0].field("X-Long"), "first second");
}

// Malformed records: each message names the record and the problem.
TEST(WarcReader, RejectsMalformedRecords) {
  const std::string good = "WARC/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\n";
  const std::string not_ended = "record 2: the block is not followed by CRLF CRLF";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HTTP/1.1 200 OK\r\n\r\n", "record 1: the version line does not start with \"WARC/\""},
      {good + "WARC/1.1\r\nWARC-Type: x\r\n\r\n\r\n\r\n", "record 2: no Content-Length"},
      {good + "WARC/1.1\r\nContent-Length: 1x\r\n\r\nx\r\n\r\n", "record 2: invalid Content-Length"},
      {good + "WARC/1.1\r\nContent-Length: -1\r\n\r\nx\r\n\r\n", "record 2: invalid Content-Length"},
      {good + "WARC/1.1\r\nContent-Length: 1\r\n\r\nxy\r\n\r\n", not_ended},
      {good + "WARC/1.1\r\nContent-Length: 2\r\n\r\nx\r\n\r\n", "record 2: file ends before the CRLF CRLF"},
      {good + "WARC/1.1\r\nContent-Length: 0\r\n\r\nx\r\n\r\n", not_ended},
      {good + "WARC/1.1\nContent-Length: 1\r\n\r\nx\r\n\r\n", "record 2: the version line ends with LF, not CRLF"},
      {good + "WARC/1.1\r\nNo colon here\r\n\r\n", "record 2: header line without ':'"},
      {good + "\r\n", "record 2: the version line does not start with \"WARC/\""},
      {good + "WARC/1.1\r\nContent-Length: 99999999999999\r\n\r\nx", "record 2: file ends inside the block"},
      {good + "WARC/1.1\r\nContent-Length: 999999999999999999999\r\n\r\nx", "record 2: invalid Content-Length"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    try {
      read_text(text);
      ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& error) {
      EXPECT_EQ(std::string(error.what()).rfind(expected, 0), 0u) << error.what();
    }
  }
}

TEST(WarcReader, UnopenedFileThrows) {
  std::ifstream in("/nonexistent/fetcher-warc-test.warc", std::ios::binary);
  EXPECT_THROW(read_warc(in), std::runtime_error);
}

}  // namespace
