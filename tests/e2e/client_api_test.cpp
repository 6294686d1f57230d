// client_api_test.cpp: every form of calling the client that the README and client.hpp show,
// compiled and run against a real origin: the awaitable with a braced temporary request (the
// form GCC 12 miscompiles for aggregates), with an lvalue, and the completion-token forms
// (a callback, use_future, deferred, use_awaitable). The ASan build runs them too.
#include "origin_waits.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/client.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace fetcher {
namespace {

namespace asio = boost::asio;
using testing::TestOrigin;

// busy.test's Retry-After is stretched by the sanitizer scale, like the waits the tests set
// against it.
const std::string sites = R"(
seed = 3
[[site]]
host = "api.test"
latency_ms = 1
body_bytes = 3000
capacity = 0

[[site]]
host = "stalls.test"
latency_ms = 20000
body_bytes = 10
capacity = 0

# Busy for good: every answer a 503 asking for a second's wait.
[[site]]
host = "busy.test"
latency_ms = 1
body_bytes = 10
capacity = 0
fail_first = 1000000
fail_status = 503
retry_after_s = )" + std::to_string(testing::sanitizer_scale()) +
                          R"(
)";

// Long enough that no string here fits the small-string buffer: a double free shows.
const std::string page = "http://api.test/a/path/long/enough/to/live/on/the/heap/index.html";
const std::string source = "a source name long enough to live on the heap, too";

class ClientApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  void expect_page(const FetchResult& result) {
    ASSERT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.url, page);
    EXPECT_EQ(result.status, 200u);
    EXPECT_EQ(result.body_sha256,
              origin_->expected_digest("api.test", "/a/path/long/enough/to/live/on/the/heap/index.html"));
  }

  // Runs `body` as a coroutine on a fresh loop to completion.
  template <class Body>
  void run_coroutine(Body body) {
    asio::io_context loop;
    bool finished = false;
    asio::co_spawn(loop, body(), [&](std::exception_ptr error) {
      EXPECT_FALSE(error);
      finished = true;
    });
    loop.run();
    EXPECT_TRUE(finished);
  }

  // Starts `request` with a callback whose cancellation slot is emitted after 100 ms (scaled),
  // and runs a fresh loop until the fetch completes: its result, and how long that took. A timer,
  // not the origin's count of the request: the backoff test means the wait after the 503 has
  // been read, which the origin cannot see; 100 ms in, each fetch waits in the stage its test
  // means (the 20 s stall's header, the second-long backoff).
  struct CancelledFetch {
    std::optional<FetchResult> result;
    std::chrono::steady_clock::duration took{};
  };
  static CancelledFetch fetch_cancelled_after(Client& client, FetchRequest request) {
    asio::io_context loop;
    asio::cancellation_signal cancel;
    CancelledFetch cancelled;
    client.async_fetch(
        loop.get_executor(), std::move(request),
        asio::bind_cancellation_slot(cancel.slot(), [&](FetchResult value) { cancelled.result = std::move(value); }));
    asio::steady_timer soon(loop, testing::scaled(std::chrono::milliseconds(100)));
    soon.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    const auto started = std::chrono::steady_clock::now();
    loop.run();
    cancelled.took = std::chrono::steady_clock::now() - started;
    return cancelled;
  }

  static TestOrigin* origin_;
};
TestOrigin* ClientApiTest::origin_ = nullptr;

TEST_F(ClientApiTest, AwaitsABracedTemporaryRequest) {
  Client client(origin_->client_options());
  run_coroutine([&]() -> asio::awaitable<void> {
    const auto result = co_await client.async_fetch({page, source, ""});
    expect_page(result);
    EXPECT_EQ(result.source, source);
  });
}

TEST_F(ClientApiTest, AwaitsABracedTemporaryWithAnIndex) {
  Client client(origin_->client_options());
  run_coroutine([&]() -> asio::awaitable<void> {
    const auto result = co_await client.async_fetch({page, source}, 5);
    expect_page(result);
    EXPECT_EQ(result.index, 5u);
  });
}

TEST_F(ClientApiTest, AwaitsANamedTemporaryAndAnLvalue) {
  Client client(origin_->client_options());
  run_coroutine([&]() -> asio::awaitable<void> {
    expect_page(co_await client.async_fetch(FetchRequest{page, source, ""}));
    FetchRequest request(page, source);
    expect_page(co_await client.async_fetch(request));
    EXPECT_EQ(request.url, page);  // copied, not moved from
    expect_page(co_await client.async_fetch(std::move(request)));
  });
}

TEST_F(ClientApiTest, AwaitsManyBracedTemporariesInFlightAtOnce) {
  Client client(origin_->client_options());
  asio::io_context loop;
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
          expect_page(co_await client.async_fetch({page, source, ""}));
          ++done;
        },
        [](std::exception_ptr error) { EXPECT_FALSE(error); });
  }
  loop.run();
  EXPECT_EQ(done, 20);
}

TEST_F(ClientApiTest, CompletesACallback) {
  Client client(origin_->client_options());
  asio::io_context loop;
  std::optional<FetchResult> result;
  client.async_fetch(loop.get_executor(), {page, source, ""}, [&](FetchResult value) { result = std::move(value); });
  loop.run();
  ASSERT_TRUE(result);
  expect_page(*result);
}

TEST_F(ClientApiTest, CallsABoundHandlerOnItsOwnExecutor) {
  Client client(origin_->client_options());
  asio::io_context loop;
  auto strand = asio::make_strand(loop);
  bool on_strand = false;
  client.async_fetch(loop.get_executor(), {page, source, ""}, asio::bind_executor(strand, [&](FetchResult value) {
                       on_strand = strand.running_in_this_thread();
                       expect_page(value);
                     }));
  loop.run();
  EXPECT_TRUE(on_strand);
}

TEST_F(ClientApiTest, CompletesAFuture) {
  Client client(origin_->client_options());
  asio::io_context loop;
  auto work = asio::make_work_guard(loop);
  std::thread driver([&] { loop.run(); });
  auto future = client.async_fetch(loop.get_executor(), {page, source, ""}, asio::use_future);
  const auto result = future.get();
  work.reset();
  driver.join();
  expect_page(result);
}

TEST_F(ClientApiTest, StartsADeferredFetchOnlyWhenAsked) {
  Client client(origin_->client_options());
  asio::io_context loop;
  auto deferred = client.async_fetch(loop.get_executor(), {page, source, ""}, asio::deferred);
  EXPECT_EQ(loop.poll(), 0u);  // nothing started yet
  loop.restart();              // poll() found no work and left the loop stopped
  std::optional<FetchResult> result;
  std::move(deferred)([&](FetchResult value) { result = std::move(value); });
  loop.run();
  ASSERT_TRUE(result);
  expect_page(*result);
}

TEST_F(ClientApiTest, TokenFormAwaitsWithUseAwaitable) {
  Client client(origin_->client_options());
  run_coroutine([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    expect_page(co_await client.async_fetch(executor, {page, source, ""}, asio::use_awaitable));
  });
}

TEST_F(ClientApiTest, AFetchOutlivesItsClient) {
  asio::io_context loop;
  std::optional<FetchResult> result;
  {
    Client client(origin_->client_options());
    client.async_fetch(loop.get_executor(), {page, source, ""}, [&](FetchResult value) { result = std::move(value); });
  }
  loop.run();
  ASSERT_TRUE(result);
  expect_page(*result);
}

// Cancelling one fetch through its completion handler's slot ends it as `cancelled`, at once,
// not as the error its aborted stage saw, nor at its timeout.
TEST_F(ClientApiTest, ACancelledFetchSaysCancelled) {
  Client client(origin_->client_options());
  // Cancelled while the fetch waits for the answer the site stalls on.
  const auto cancelled = fetch_cancelled_after(client, {"http://stalls.test/", "one fetch", ""});
  ASSERT_TRUE(cancelled.result);
  const auto& result = *cancelled.result;
  EXPECT_EQ(result.error, ErrorKind::cancelled) << result.message;
  // Ended by the cancellation, not by the first-byte timeout of the test options.
  EXPECT_LT(cancelled.took, origin_->client_options().first_byte_timeout);
  EXPECT_EQ(result.message, "one fetch: cancelled: the fetch was cancelled");
  // Cancelled where it was: waiting for the response header.
  EXPECT_EQ(result.stage, FetchStage::read_header);
  EXPECT_EQ(result.cause, std::errc::operation_canceled) << result.cause.message();
}

// A cancellation emitted the moment the origin has the request, when the fetch may be yielding
// its turn after the write (a post, which takes no cancellation), still ends the fetch at once
// rather than at its first-byte timeout. The moment falls in that turn about once in a hundred
// fetches, so the test makes two hundred.
TEST_F(ClientApiTest, ACancellationJustAfterTheWriteIsNotLost) {
  Client client(origin_->client_options());
  for (int fetch = 0; fetch < 200; ++fetch) {
    const auto before = testing::requests_seen(origin_->server(), "stalls.test");
    asio::io_context loop;
    asio::cancellation_signal cancel;
    std::optional<FetchResult> result;
    client.async_fetch(
        loop.get_executor(), {"http://stalls.test/", "", ""},
        asio::bind_cancellation_slot(cancel.slot(), [&](FetchResult value) { result = std::move(value); }));
    std::thread watcher([&] {
      EXPECT_TRUE(testing::wait_for_requests(origin_->server(), "stalls.test", before + 1));
      asio::post(loop, [&cancel] { cancel.emit(asio::cancellation_type::terminal); });
    });
    const auto started = std::chrono::steady_clock::now();
    loop.run();
    const auto took = std::chrono::steady_clock::now() - started;
    watcher.join();
    ASSERT_TRUE(result) << "fetch " << fetch;
    EXPECT_EQ(result->error, ErrorKind::cancelled) << "fetch " << fetch << ": " << result->message;
    EXPECT_LT(took, origin_->client_options().first_byte_timeout) << "fetch " << fetch;
  }
}

// Cancelled while it waits out a retry's backoff, a fetch ends at once: it neither finishes the
// wait nor tries again.
TEST_F(ClientApiTest, ACancelledFetchStopsRetrying) {
  auto options = origin_->client_options();
  options.retries = 5;
  options.retry_base = testing::scaled(std::chrono::milliseconds(1000));
  Client client(options);
  const auto cancelled = fetch_cancelled_after(client, {"http://busy.test/", "", ""});
  ASSERT_TRUE(cancelled.result);
  const auto& result = *cancelled.result;
  EXPECT_EQ(result.error, ErrorKind::cancelled) << result.message;
  EXPECT_FALSE(result.delivered());
  EXPECT_EQ(result.stage, FetchStage::policy);
  EXPECT_EQ(result.message, "cancelled: the fetch was cancelled");
  // One attempt, a 503, then the cancellation during the backoff (at least Retry-After's second).
  EXPECT_EQ(result.attempts, 1);
  EXPECT_LT(cancelled.took, testing::scaled(std::chrono::milliseconds(1000)));
}

TEST_F(ClientApiTest, ACancelledAwaitableFetchSaysCancelled) {
  Client client(origin_->client_options());
  asio::io_context loop;
  asio::cancellation_signal cancel;
  std::optional<FetchResult> result;
  asio::co_spawn(loop, client.async_fetch({"https://stalls.test/", "", ""}),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr error, FetchResult value) {
                   EXPECT_FALSE(error);
                   result = std::move(value);
                 }));
  asio::steady_timer soon(loop, testing::scaled(std::chrono::milliseconds(100)));
  soon.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  loop.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error, ErrorKind::cancelled) << result->message;
}

}  // namespace
}  // namespace fetcher
