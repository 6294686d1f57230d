// fetch_result_codec_test.cpp: FetchResult's one field list (fetch_result_fields.hpp) and the two
// codecs that walk it: the binary form of processes:N's pipes (result_wire.hpp) and the JSON of
// `fetcher get --format json` and the bench's child (result_json.hpp). A result with every field
// set goes through each, the JSON text is pinned byte for byte, and each JSON key's presence
// rule is checked from the list itself.
#include "result_wire.hpp"
#include "common/result_json.hpp"

#include <fetcher/fetch_result_fields.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <future>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>

namespace fetcher {
namespace {

using namespace std::chrono_literals;

// Every member differs from its default (checked below), so each one's trip through a codec shows.
FetchResult every_field_set() {
  FetchResult result;
  result.index = 41;
  result.url = "http://a.example/x?q=1";
  result.final_url = "https://b.example/y";
  result.source = "list.txt:3";
  result.status = 404;
  result.body_bytes = 5;
  result.wire_bytes = 3;
  result.body_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  result.redirects = 2;
  result.attempts = 3;
  result.reused_connection = true;
  result.timings = {1500us, 3ms, 12345678ns, 250ms};
  result.error = ErrorKind::http_status;
  result.stage = FetchStage::read_body;
  result.cause = make_error_code(std::errc::connection_reset);
  result.message = "HTTP 404 Not Found";
  result.body = std::string("a\0b\xff", 4) + "c";  // not text: a NUL and a byte that is not UTF-8
  result.headers.add("Content-Type", "Text/HTML; charset=utf-8");
  result.headers.add("Set-Cookie", "a=1");
  result.headers.add("set-cookie", "b=2");
  result.warning = "response carried 3 bytes more than its Content-Length of 5";
  result.body_skipped = true;
  return result;
}

template <class Object>
void expect_same_fields(const Object& expected, const Object& actual);

template <class Member>
void expect_same_member(const Member& expected, const Member& actual, std::string_view name) {
  if constexpr (HasFieldList<Member>) {
    expect_same_fields(expected, actual);
  } else {
    EXPECT_TRUE(expected == actual) << name;
  }
}

// Member by member, through the list (which covers every member: see FieldList below).
template <class Object>
void expect_same_fields(const Object& expected, const Object& actual) {
  std::apply(
      [&](const auto&... field) {
        (expect_same_member(expected.*(field.member), actual.*(field.member), field.info.name), ...);
      },
      fields_of(std::type_identity<Object>{}));
}

std::string payload_of(const std::string& message) { return message.substr(sizeof(std::uint32_t) + 1); }

FetchResult through_the_wire(const FetchResult& result) {
  return detail::decode_result(payload_of(detail::encode_result(result)));
}

// --- the list -------------------------------------------------------------------------------

TEST(FieldList, HoldsEveryMemberOnce) {
  static_assert(lists_each_member_once<FetchResult>());
  static_assert(lists_each_member_once<FetchTimings>());
  // The JSON keys, nested lists walked in line, are distinct, and none is "ok": that key is
  // result_to_json's own, from ok().
  std::set<std::string_view> names;
  std::size_t visited = 0;
  const auto result = every_field_set();
  for_each_field(result, [&](const FieldInfo& field, const auto&) {
    ++visited;
    EXPECT_TRUE(names.insert(field.name).second) << field.name;
  });
  EXPECT_EQ(names.size(), visited);
  EXPECT_FALSE(names.contains("ok"));
}

TEST(FieldList, TheSampleSetsEveryField) {
  const auto result = every_field_set();
  for_each_field(result, [](const FieldInfo& field, const auto& member) {
    EXPECT_FALSE(member == std::remove_cvref_t<decltype(member)>{}) << field.name;
  });
}

// --- the binary codec -----------------------------------------------------------------------

TEST(WireCodec, RoundTripsEveryField) {
  const auto original = every_field_set();
  expect_same_fields(original, through_the_wire(original));
}

TEST(WireCodec, RoundTripsTheDefaults) {
  const FetchResult defaults;
  expect_same_fields(defaults, through_the_wire(defaults));
}

TEST(WireCodec, RoundTripsEveryErrorKindAndStage) {
  for (int i = 0; i <= static_cast<int>(ErrorKind::internal); ++i) {
    auto result = every_field_set();
    result.error = static_cast<ErrorKind>(i);
    EXPECT_EQ(through_the_wire(result).error, result.error) << i;
  }
  for (int i = 0; i <= static_cast<int>(FetchStage::policy); ++i) {
    auto result = every_field_set();
    result.stage = static_cast<FetchStage>(i);
    EXPECT_EQ(through_the_wire(result).stage, result.stage) << i;
  }
}

TEST(WireCodec, CauseKeepsTheSharedCategoriesOnly) {
  auto result = every_field_set();
  result.cause = std::error_code(ETIMEDOUT, std::system_category());
  EXPECT_EQ(through_the_wire(result).cause, result.cause);
  result.cause = make_error_code(std::errc::operation_canceled);
  EXPECT_EQ(through_the_wire(result).cause, result.cause);
  // Another category's code cannot be rebuilt in the other process: it arrives empty.
  result.cause = make_error_code(std::future_errc::broken_promise);
  EXPECT_FALSE(through_the_wire(result).cause);
}

TEST(WireCodec, MessageCarriesItsSizeAndKind) {
  const auto message = detail::encode_result(every_field_set());
  std::uint32_t size = 0;
  std::memcpy(&size, message.data(), sizeof size);
  EXPECT_EQ(size, message.size() - sizeof size);
  EXPECT_EQ(message[sizeof size], 'R');
}

TEST(WireCodec, TruncatedPayloadThrows) {
  const auto payload = payload_of(detail::encode_result(every_field_set()));
  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}, payload.size() / 2, payload.size() - 1}) {
    EXPECT_THROW((void)detail::decode_result(std::string_view(payload).substr(0, keep)), std::runtime_error) << keep;
  }
}

TEST(WireCodec, UnknownErrorKindThrows) {
  // Kinds cross by name; one the parent does not know means the two ends disagree.
  auto payload = payload_of(detail::encode_result(every_field_set()));
  const auto at = payload.find("http-status");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 11, "http-statuz");
  EXPECT_THROW((void)detail::decode_result(payload), std::runtime_error);
}

// --- the JSON codec -------------------------------------------------------------------------

TEST(JsonCodec, TextOfEveryFieldIsPinned) {
  EXPECT_EQ(cli::json_line(cli::result_to_json(every_field_set())),
            R"({"attempts":3,"bytes":5,"cause":"Connection reset by peer","connect_ms":1.5,)"
            R"("content_type":"text/html","error":"http-status","final_url":"https://b.example/y",)"
            R"("first_byte_ms":12.345678,"index":41,"message":"HTTP 404 Not Found","ok":false,"redirects":2,)"
            R"("reused_connection":true,)"
            R"("sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","source":"list.txt:3",)"
            R"("stage":"read-body","status":404,"tls_ms":3.0,"total_ms":250.0,"url":"http://a.example/x?q=1",)"
            R"("warning":"response carried 3 bytes more than its Content-Length of 5","wire_bytes":3})");
  EXPECT_EQ(cli::json_line(cli::result_to_json(FetchResult{})),
            R"({"attempts":0,"bytes":0,"connect_ms":0.0,"content_type":"","error":"none","final_url":"",)"
            R"("first_byte_ms":0.0,"index":0,"message":"","ok":true,"redirects":0,"reused_connection":false,)"
            R"("sha256":"","stage":"none","status":0,"tls_ms":0.0,"total_ms":0.0,"url":"","warning":"",)"
            R"("wire_bytes":0})");
}

TEST(JsonCodec, RoundTripsWhatJsonCarries) {
  const auto original = every_field_set();
  const auto back = cli::result_from_json(nlohmann::json::parse(cli::result_to_json(original).dump()));
  auto expected = original;
  expected.body.clear();  // absent from JSON
  expected.body_skipped = false;
  expected.cause = {};  // its message only, not read back
  expected.headers.clear();
  expected.headers.add("Content-Type", "text/html");  // the media type only
  expect_same_fields(expected, back);
}

TEST(JsonCodec, EachKeyFollowsItsPresence) {
  const auto full = cli::result_to_json(every_field_set());
  const FetchResult defaults;
  const auto empty = cli::result_to_json(defaults);
  for_each_field(defaults, [&](const FieldInfo& field, const auto&) {
    const std::string key(field.name);
    switch (field.json) {
      case JsonPresence::absent: EXPECT_FALSE(full.contains(key)) << key; break;
      case JsonPresence::when_set:
        EXPECT_TRUE(full.contains(key)) << key;
        EXPECT_FALSE(empty.contains(key)) << key;
        break;
      case JsonPresence::required:
      case JsonPresence::optional:
        EXPECT_TRUE(full.contains(key)) << key;
        EXPECT_TRUE(empty.contains(key)) << key;
        break;
    }
    if (field.json == JsonPresence::absent) return;
    auto without = full;
    without.erase(key);
    if (field.json == JsonPresence::required) {
      EXPECT_THROW((void)cli::result_from_json(without), nlohmann::json::exception) << key;
    } else {
      EXPECT_NO_THROW((void)cli::result_from_json(without)) << key;
    }
  });
}

TEST(JsonCodec, RecordWithoutWireBytesReadsTheBodySize) {
  auto json = cli::result_to_json(every_field_set());
  json.erase("wire_bytes");
  EXPECT_EQ(cli::result_from_json(json).wire_bytes, 5u);
}

}  // namespace
}  // namespace fetcher
