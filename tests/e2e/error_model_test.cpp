// error_model_test.cpp: what a failed fetch says about itself, against real servers on loopback.
// Each fault of the emulated origin (sites.hpp, Fault) ends in its cause category (ErrorKind),
// the stage it failed in (FetchStage) and, where the system, OpenSSL or Beast reported one, the
// error code behind it; a response with an error status is delivered, not failed.
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>

namespace fetcher {
namespace {

using namespace std::chrono_literals;
using testing::scaled;
using testing::TestOrigin;

const char* const sites = R"(
[[site]]
host = "ok.test"
latency_ms = 1
body_bytes = 100

[[site]]
host = "missing.test"
latency_ms = 1
body_bytes = 100
fail_first = 1000000
fail_status = 404

[[site]]
host = "moved.test"
latency_ms = 1
body_bytes = 100
redirect = "http://ok.test/"

[[site]]
host = "downgrade.test"
latency_ms = 1
body_bytes = 100
redirect = "http://ok.test/"

[[site]]
host = "refuse.test"
latency_ms = 1
body_bytes = 100
fault = "refuse"

[[site]]
host = "no-answer.test"
latency_ms = 1
body_bytes = 100
fault = "no-answer"

[[site]]
host = "reset-body.test"
latency_ms = 1
body_bytes = 1000
fault = "reset-body"

[[site]]
host = "close-before-status.test"
latency_ms = 1
body_bytes = 100
fault = "close-before-status"

[[site]]
host = "bad-status-line.test"
latency_ms = 1
body_bytes = 100
fault = "bad-status-line"

[[site]]
host = "huge-headers.test"
latency_ms = 1
body_bytes = 100
fault = "huge-headers"

[[site]]
host = "long-length.test"
latency_ms = 1
body_bytes = 1000
fault = "long-length"

[[site]]
host = "redirect-loop.test"
latency_ms = 1
body_bytes = 100
fault = "redirect-loop"

[[site]]
host = "redirect-ftp.test"
latency_ms = 1
body_bytes = 100
fault = "redirect-ftp"

[[site]]
host = "tls-wrong-name.test"
latency_ms = 1
body_bytes = 100
fault = "tls-wrong-name"

[[site]]
host = "tls-stall.test"
latency_ms = 1
body_bytes = 100
fault = "tls-stall"
)";

// What a cause must be: absent (the client's own judgement), present, or one portable condition.
struct Cause {
  enum class Expect { empty, set, condition } expect = Expect::empty;
  std::errc condition{};
};
constexpr Cause no_cause{Cause::Expect::empty, {}};
constexpr Cause some_cause{Cause::Expect::set, {}};
constexpr Cause cause_is(std::errc condition) { return {Cause::Expect::condition, condition}; }

struct ErrorCase {
  const char* name;
  const char* url;
  ErrorKind kind;
  FetchStage stage;
  Cause cause;
};

std::ostream& operator<<(std::ostream& out, const ErrorCase& c) { return out << c.name; }

const ErrorCase error_cases[] = {
    {"refused", "http://refuse.test/", ErrorKind::connect, FetchStage::connect,
     cause_is(std::errc::connection_refused)},
    {"tls_wrong_name", "https://tls-wrong-name.test/", ErrorKind::tls, FetchStage::tls, some_cause},
    {"tls_stall", "https://tls-stall.test/", ErrorKind::timeout, FetchStage::tls, some_cause},
    {"no_answer", "http://no-answer.test/", ErrorKind::timeout, FetchStage::read_header, some_cause},
    {"close_before_status", "http://close-before-status.test/", ErrorKind::protocol, FetchStage::read_header,
     some_cause},
    {"bad_status_line", "http://bad-status-line.test/", ErrorKind::protocol, FetchStage::read_header, some_cause},
    {"huge_headers", "http://huge-headers.test/", ErrorKind::too_large, FetchStage::read_header, some_cause},
    {"reset_body", "http://reset-body.test/", ErrorKind::protocol, FetchStage::read_body,
     cause_is(std::errc::connection_reset)},
    {"long_length", "http://long-length.test/", ErrorKind::protocol, FetchStage::read_body, some_cause},
    {"redirect_loop", "http://redirect-loop.test/", ErrorKind::redirect_loop, FetchStage::redirect, no_cause},
    {"redirect_ftp", "http://redirect-ftp.test/", ErrorKind::bad_url, FetchStage::redirect, no_cause},
    {"https_downgrade", "https://downgrade.test/", ErrorKind::protocol, FetchStage::policy, no_cause},
    {"bad_url", "not a url", ErrorKind::bad_url, FetchStage::request, no_cause},
    {"unsupported_scheme", "ftp://ok.test/file", ErrorKind::bad_url, FetchStage::request, no_cause},
};

class ErrorModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }

  // Short stage timeouts, so the timeout faults end soon and each at its own stage.
  static FetchOptions options() {
    auto options = origin_->client_options();
    options.connect_timeout = scaled(1000ms);
    options.tls_timeout = scaled(300ms);
    options.first_byte_timeout = scaled(300ms);
    options.total_timeout = scaled(3000ms);
    return options;
  }

  static TestOrigin* origin_;
};
TestOrigin* ErrorModelTest::origin_ = nullptr;

class FaultErrorTest : public ErrorModelTest, public ::testing::WithParamInterface<ErrorCase> {};

void expect_cause(const FetchResult& result, const Cause& cause) {
  switch (cause.expect) {
    case Cause::Expect::empty: EXPECT_FALSE(result.cause) << result.cause.message(); break;
    case Cause::Expect::set: EXPECT_TRUE(result.cause); break;
    case Cause::Expect::condition: EXPECT_EQ(result.cause, cause.condition) << result.cause.message(); break;
  }
}

TEST_P(FaultErrorTest, NamesItsKindStageAndCause) {
  const auto& c = GetParam();
  Client client(options());
  const auto result = client.fetch({c.url, "", ""});
  EXPECT_EQ(to_string(result.error), to_string(c.kind)) << result.message;
  EXPECT_EQ(to_string(result.stage), to_string(c.stage)) << result.message;
  expect_cause(result, c.cause);
  EXPECT_FALSE(result.delivered());
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.message.empty());
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultErrorTest, ::testing::ValuesIn(error_cases),
                         [](const ::testing::TestParamInfo<ErrorCase>& param) {
                           return std::string(param.param.name);
                         });

TEST_F(ErrorModelTest, AnUnknownHostFailsInResolve) {
  // No connect-to rules: the name goes to the system's resolver, which knows no .invalid name.
  FetchOptions plain;
  plain.connect_timeout = scaled(3000ms);
  Client client(plain);
  const auto result = client.fetch({"http://no-such-host.invalid/", "", ""});
  EXPECT_EQ(result.stage, FetchStage::resolve) << result.message;
  EXPECT_EQ(result.error, ErrorKind::dns) << result.message;
  EXPECT_TRUE(result.cause) << result.message;
  EXPECT_FALSE(result.delivered());
}

TEST_F(ErrorModelTest, ARequestTheClientCannotSendFailsBeforeAnyConnection) {
  Client client(options());
  FetchRequest request("http://ok.test/");
  request.body = "a GET carries no body";
  const auto result = client.fetch(request);
  EXPECT_EQ(result.error, ErrorKind::bad_request) << result.message;
  EXPECT_EQ(result.stage, FetchStage::request);
  EXPECT_FALSE(result.cause);
  EXPECT_EQ(result.timings.connect, 0ns);
}

TEST_F(ErrorModelTest, OneRedirectTooManyFailsInRedirect) {
  auto limited = options();
  limited.max_redirects = 0;
  Client client(limited);
  const auto result = client.fetch({"http://moved.test/", "", ""});
  EXPECT_EQ(result.error, ErrorKind::too_many_redirects) << result.message;
  EXPECT_EQ(result.stage, FetchStage::redirect);
  EXPECT_FALSE(result.cause);
}

TEST_F(ErrorModelTest, AHostIntervalPastTheTotalTimeoutFailsInPolicy) {
  auto paced = options();
  paced.min_host_interval = scaled(60000ms);
  Client client(paced);
  ASSERT_TRUE(client.fetch({"http://ok.test/first", "", ""}).ok());
  const auto result = client.fetch({"http://ok.test/second", "", ""});
  EXPECT_EQ(result.error, ErrorKind::timeout) << result.message;
  EXPECT_EQ(result.stage, FetchStage::policy);
  EXPECT_FALSE(result.cause);
}

// A loopback listener that accepts one connection and closes it at once, unread: the kernel
// answers what the client still sends with a reset.
class ClosingListener {
 public:
  ClosingListener() : thread_([this] { acceptor_.accept().close(); }) {}
  ~ClosingListener() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_{context_, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::thread thread_;  // last: it uses the acceptor
};

// A request body larger than the socket buffers of both ends together (Linux's defaults allow
// at most 4 MB to send and 32 MB to receive) cannot be written whole to a server that closed
// without reading it: the failure is the write's.
TEST_F(ErrorModelTest, ARequestTheServerWillNotReadFailsInWrite) {
  ClosingListener listener;
  Client client(options());
  FetchRequest request("http://127.0.0.1:" + std::to_string(listener.port()) + "/upload");
  request.method = Method::post;
  request.body.assign(std::size_t{64} << 20, 'x');
  const auto result = client.fetch(request);
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
  EXPECT_EQ(result.stage, FetchStage::write) << result.message;
  EXPECT_TRUE(result.cause == std::errc::broken_pipe || result.cause == std::errc::connection_reset)
      << result.cause.message();
  EXPECT_EQ(result.message.rfind("send request: ", 0), 0u) << result.message;
}

// A 404 is a delivered response: the transport succeeded, the status says no.
TEST_F(ErrorModelTest, AnErrorStatusIsDeliveredButNotOk) {
  Client client(options());
  const auto result = client.fetch({"http://missing.test/", "", ""});
  EXPECT_EQ(result.status, 404u);
  EXPECT_EQ(result.error, ErrorKind::http_status) << result.message;
  EXPECT_TRUE(result.delivered());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.stage, FetchStage::none);
  EXPECT_FALSE(result.cause);
}

TEST_F(ErrorModelTest, ASuccessIsDeliveredAndOkWithNoStageOrCause) {
  Client client(options());
  const auto result = client.fetch({"https://ok.test/", "", ""});
  ASSERT_EQ(result.error, ErrorKind::none) << result.message;
  EXPECT_TRUE(result.delivered());
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.stage, FetchStage::none);
  EXPECT_FALSE(result.cause);
}

}  // namespace
}  // namespace fetcher
