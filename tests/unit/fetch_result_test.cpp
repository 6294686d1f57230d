// Unit tests for the names of error kinds and fetch stages (fetch_result.hpp), as tables, JSON and
// messages show them. The names come from the library's own to_string: the tests check that every
// enumerator has one, that the names are distinct and read back, and spell out a few, so that a
// kind or stage added before the last needs no edit here.
#include <fetcher/fetch_result.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace fetcher {
namespace {

// The last enumerators: the loops below, like the process pool's range check, run up to them.
constexpr ErrorKind last_kind = ErrorKind::internal;
constexpr FetchStage last_stage = FetchStage::policy;

// A name as the JSON and the tables spell it: lower-case words joined by '-'.
bool is_lower_case_words(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.back() == '-') return false;
  for (char c : name) {
    if ((c < 'a' || c > 'z') && c != '-') return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// ErrorKind names

TEST(ErrorKindNames, EveryKindHasItsNameAndRoundTrips) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(last_kind); ++i) {
    const auto kind = static_cast<ErrorKind>(i);
    const auto name = to_string(kind);
    EXPECT_NE(name, "unknown") << i;
    EXPECT_TRUE(is_lower_case_words(name)) << name;
    EXPECT_TRUE(names.insert(name).second) << "two kinds are named " << name;
    ErrorKind parsed = kind == ErrorKind::none ? ErrorKind::resource : ErrorKind::none;
    EXPECT_TRUE(parse_error_kind(name, parsed)) << name;
    EXPECT_EQ(parsed, kind) << name;
  }
  // A few spelled out: the enumerator's name with '-' for '_'.
  EXPECT_EQ(to_string(ErrorKind::none), "none");
  EXPECT_EQ(to_string(ErrorKind::bad_url), "bad-url");
  EXPECT_EQ(to_string(ErrorKind::http_status), "http-status");
  EXPECT_EQ(to_string(ErrorKind::too_many_redirects), "too-many-redirects");
  EXPECT_EQ(to_string(ErrorKind::internal), "internal");
}

TEST(ErrorKindNames, UnknownNamesAreRejectedAndLeaveTheKindAlone) {
  for (const char* name : {"", "unknown", "bad_url", "Bad-URL", "DNS", "timeout ", "http_status"}) {
    ErrorKind kind = ErrorKind::tls;
    EXPECT_FALSE(parse_error_kind(name, kind)) << name;
    EXPECT_EQ(kind, ErrorKind::tls) << name;
  }
  // Past the last kind there is no name, so the loop above sees every kind.
  EXPECT_EQ(to_string(static_cast<ErrorKind>(static_cast<int>(last_kind) + 1)), "unknown");
  EXPECT_EQ(to_string(static_cast<ErrorKind>(99)), "unknown");
}

// ---------------------------------------------------------------------------------------------
// FetchStage names

TEST(FetchStageNames, RoundTripForEveryStage) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(last_stage); ++i) {
    const auto stage = static_cast<FetchStage>(i);
    const auto name = to_string(stage);
    EXPECT_NE(name, "unknown") << i;
    EXPECT_TRUE(is_lower_case_words(name)) << name;
    EXPECT_TRUE(names.insert(name).second) << "two stages are named " << name;
    FetchStage parsed = stage == FetchStage::none ? FetchStage::tls : FetchStage::none;
    ASSERT_TRUE(parse_fetch_stage(name, parsed)) << name;
    EXPECT_EQ(parsed, stage) << name;
  }
  EXPECT_EQ(to_string(FetchStage::none), "none");
  EXPECT_EQ(to_string(FetchStage::read_header), "read-header");
  EXPECT_EQ(to_string(FetchStage::policy), "policy");
  // Past the last stage there is no name, so the loop above sees every stage.
  EXPECT_EQ(to_string(static_cast<FetchStage>(static_cast<int>(last_stage) + 1)), "unknown");

  FetchStage untouched = FetchStage::tls;
  EXPECT_FALSE(parse_fetch_stage("read_header", untouched));
  EXPECT_FALSE(parse_fetch_stage("", untouched));
  EXPECT_EQ(untouched, FetchStage::tls);
}

}  // namespace
}  // namespace fetcher
