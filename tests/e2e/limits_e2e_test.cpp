// limits_e2e_test.cpp: resource limits, for real: an async run under `ulimit -n 256` queues
// instead of failing with "too many open files", and runs that end every way a fetch can end
// (ok, refused, timed out, cancelled) leave no file descriptor open.
#include "descriptors.hpp"
#include "origin_waits.hpp"
#include "run_process.hpp"
#include "test_origin.hpp"

#include <fetcher/run.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>

#include <unistd.h>

namespace fetcher {
namespace {

using testing::TestOrigin;

const char* const sites = R"(
[[site]]
host = "many.test"
latency_ms = 1
body_bytes = 500

[[site]]
host = "stalled.test"
latency_ms = 1500
body_bytes = 10
)";

// The origin runs in this process, and it closes its side of a connection only when it next
// reads or writes it: for a stalled request, after its 1.5 s latency. The count is read until it
// comes back down (bounded at 10 s: a loaded machine is slow to get there).
std::size_t settled_descriptors(std::size_t expected) {
  return testing::descriptors_down_to(expected, std::chrono::seconds(10));
}

TEST(Limits, AsyncUnderAnOpenFilesLimitOf256CompletesFiveThousandUrls) {
  TestOrigin origin(sites);
  const auto directory = std::filesystem::temp_directory_path() / ("fetcher-limits-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const auto list = (directory / "many.txt").string();
  {
    std::ofstream out(list);
    for (int i = 0; i < 5000; ++i) out << "http://many.test/" << i << "\n";
  }
  // `ulimit -n` sets the hard limit too, so the CLI cannot raise it back.
  const std::string command = "ulimit -n 256 && exec '" + std::string(FETCHER_CLI_PATH) +
                              "' get -q --strategy async --keep-alive off --connect-to :80:127.0.0.1:" +
                              std::to_string(origin.server().http_port()) + " -i '" + list + "'";
  const auto outcome = testing::run_process({"/bin/sh", "-c", command}, {}, std::chrono::seconds(120));
  std::filesystem::remove_all(directory);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err.substr(0, 2000);
  std::size_t ok_lines = 0;
  std::istringstream lines(outcome.out);
  for (std::string line; std::getline(lines, line);) ok_lines += line.rfind("200 ", 0) == 0;
  EXPECT_EQ(ok_lines, 5000u) << outcome.out.substr(0, 2000);
  EXPECT_EQ(outcome.err.find("Too many open files"), std::string::npos) << outcome.err.substr(0, 2000);
}

TEST(Limits, NoDescriptorIsLeftOpenHoweverFetchesEnd) {
  TestOrigin origin(sites);
  const auto baseline = testing::open_descriptors();
  const auto refused_port = testing::closed_port();
  for (const char* strategy : {"async", "pool:8", "threads", "async:2"}) {
    auto options = origin.client_options();
    options.first_byte_timeout = std::chrono::milliseconds(500);
    // threads: one OS thread per URL; fewer of them, so that a sanitized build on two cores
    // does not starve the in-process origin past the healthy URLs' timeout.
    const int count = std::string_view(strategy) == "threads" ? 100 : 300;
    std::vector<FetchRequest> requests;
    for (int i = 0; i < count; ++i) {
      switch (i % 10) {
        case 0: requests.push_back({"http://127.0.0.1:" + std::to_string(refused_port) + "/", "", ""}); break;
        case 1: requests.push_back({"http://stalled.test/" + std::to_string(i), "", ""}); break;
        case 2: requests.push_back({"https://many.test/" + std::to_string(i), "", ""}); break;
        case 3: requests.push_back({"not a url", "", "not a URL: not a url"}); break;
        default: requests.push_back({"http://many.test/" + std::to_string(i), "", ""}); break;
      }
    }
    {
      Client client(options);
      const auto report = run(requests, Strategy::parse(strategy), client);
      ASSERT_EQ(report.results.size(), requests.size()) << strategy;
      // Each ends its own way. A healthy fetch may time out on a starved machine; that is not
      // what this test is about, and it must still close its socket.
      std::size_t ok = 0;
      for (std::size_t i = 0; i < report.results.size(); ++i) {
        const auto& result = report.results[i];
        switch (i % 10) {
          case 0: EXPECT_EQ(result.error, ErrorKind::connect) << strategy << ": " << result.message; break;
          case 1: EXPECT_EQ(result.error, ErrorKind::timeout) << strategy << ": " << result.message; break;
          case 3: EXPECT_EQ(result.error, ErrorKind::bad_url) << strategy << ": " << result.message; break;
          default:
            EXPECT_TRUE(result.ok() || result.error == ErrorKind::timeout) << strategy << ": " << result.message;
            ok += result.ok();
        }
      }
      EXPECT_GT(ok, 0u) << strategy;
    }
    EXPECT_EQ(settled_descriptors(baseline), baseline) << strategy;
  }
  // Cancelled mid-flight: the stalled fetches are in flight when the stop comes.
  {
    Client client(origin.client_options());
    RunStopper stopper;
    RunOptions run_options;
    run_options.stopper = &stopper;
    std::vector<FetchRequest> requests;
    for (int i = 0; i < 100; ++i) requests.push_back({"http://stalled.test/" + std::to_string(i), "", ""});
    // Stopped once the origin has read a stalled request (its fetch is in flight), not after a
    // guessed time; the stalled site answers only after 1.5 s, so none has ended by then.
    const auto stalled_before = testing::requests_seen(origin.server(), "stalled.test");
    std::thread stop_soon([&] {
      EXPECT_TRUE(testing::wait_for_requests(origin.server(), "stalled.test", stalled_before + 1));
      stopper.stop();
    });
    const auto report = run(requests, Strategy::parse("async"), client, run_options);
    stop_soon.join();
    EXPECT_EQ(report.results.size(), 100u);
    for (const auto& result : report.results) EXPECT_EQ(result.error, ErrorKind::cancelled) << result.message;
  }
  EXPECT_EQ(settled_descriptors(baseline), baseline) << "after a cancelled run";
}

}  // namespace
}  // namespace fetcher
