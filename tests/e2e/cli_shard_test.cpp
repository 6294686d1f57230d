// cli_shard_test.cpp: `--shard i/N`: the shards partition a list (each URL in exactly one), keep
// every host's URLs together, agree on every machine (a stable hash), and `get --shard` fetches
// exactly its shard against a real origin.
#include "common/shard.hpp"
#include "run_process.hpp"
#include "test_origin.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace fetcher::cli {
namespace {

std::vector<FetchRequest> list_of(unsigned hosts, unsigned per_host) {
  std::vector<FetchRequest> list;
  for (unsigned u = 0; u < per_host; ++u) {
    for (unsigned h = 0; h < hosts; ++h) {
      list.emplace_back("https://host" + std::to_string(h) + ".example/page/" + std::to_string(u));
    }
  }
  list.emplace_back("not a url at all");
  list.emplace_back("https://HOST3.example:443/upper-case-host");
  return list;
}

TEST(Shard, ShardsPartitionTheListAndKeepEachHostTogether) {
  const auto list = list_of(50, 4);
  for (unsigned count : {1u, 2u, 3u, 7u, 16u}) {
    std::map<std::string, unsigned> shard_of_url;
    std::map<std::string, std::set<unsigned>> shards_of_host;
    std::size_t total = 0;
    for (unsigned index = 0; index < count; ++index) {
      const auto part = select_shard(list, {index, count});
      total += part.size();
      for (const auto& request : part) {
        EXPECT_TRUE(shard_of_url.emplace(request.url, index).second) << request.url << " in two shards";
        const auto at = request.url.find("://");
        if (at != std::string::npos) {
          auto host = request.url.substr(at + 3, request.url.find_first_of(":/", at + 3) - at - 3);
          for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          shards_of_host[host].insert(index);
        }
      }
    }
    EXPECT_EQ(total, list.size()) << count << " shards";
    for (const auto& [host, shards] : shards_of_host) EXPECT_EQ(shards.size(), 1u) << host << " over " << count;
  }
}

TEST(Shard, SpreadsHostsOverShardsAndIsStable) {
  std::vector<unsigned> hosts_per_shard(4);
  for (unsigned h = 0; h < 400; ++h) ++hosts_per_shard[shard_of("http://host" + std::to_string(h) + ".example/", 4)];
  for (const auto hosts : hosts_per_shard) {
    EXPECT_GT(hosts, 70u);
    EXPECT_LT(hosts, 130u);
  }
  // The same on every machine: FNV-1a then splitmix64's finaliser, not std::hash.
  EXPECT_EQ(shard_of("https://docs.python.org/3/", 1000), shard_of("https://DOCS.python.org:443/other", 1000));
  // Computed independently (Python) from the host "docs.python.org".
  EXPECT_EQ(shard_of("https://docs.python.org/3/", 7), 0u);
  EXPECT_EQ(shard_of("https://docs.python.org/3/", 1000), 945u);
}

TEST(Shard, ParsesIndexOverCountAndNamesTheProblem) {
  const auto shard = parse_shard("3/8");
  EXPECT_EQ(shard.index, 3u);
  EXPECT_EQ(shard.count, 8u);
  for (const char* bad : {"8/8", "1/0", "x/4", "3", "-1/4", "1/4/2", "", "/4", "2/"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_EQ(std::string(error.what()).rfind("--shard: ", 0), 0u) << error.what();
    }
  }
}

TEST(Shard, GetFetchesExactlyItsShard) {
  testing::TestOrigin origin(R"(
[[site]]
host = "a.test"
latency_ms = 1
body_bytes = 10
[[site]]
host = "b.test"
latency_ms = 1
body_bytes = 10
[[site]]
host = "c.test"
latency_ms = 1
body_bytes = 10
)");
  std::vector<std::string> urls;
  for (const char* host : {"a.test", "b.test", "c.test"}) {
    for (int i = 0; i < 3; ++i) urls.push_back("http://" + std::string(host) + "/" + std::to_string(i));
  }
  std::size_t lines = 0;
  for (unsigned index = 0; index < 2; ++index) {
    std::vector<std::string> arguments = {FETCHER_CLI_PATH,
                                          "get",
                                          "-q",
                                          "--shard",
                                          std::to_string(index) + "/2",
                                          "--connect-to",
                                          "::127.0.0.1:" + std::to_string(origin.server().http_port())};
    arguments.insert(arguments.end(), urls.begin(), urls.end());
    const auto outcome = testing::run_process(arguments);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    for (const auto& url : urls) {
      const bool mine = shard_of(url, 2) == index;
      EXPECT_EQ(outcome.out.find(url + "\n") != std::string::npos || outcome.out.find(url + " ") != std::string::npos,
                mine)
          << url << " in shard " << index << ":\n"
          << outcome.out;
    }
    lines += static_cast<std::size_t>(std::count(outcome.out.begin(), outcome.out.end(), '\n'));
  }
  EXPECT_EQ(lines, urls.size());
}

TEST(Shard, BenchNeedsLive) {
  const auto outcome = testing::run_process({FETCHER_CLI_PATH, "bench", "--shard", "0/2", "-q"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("--shard: splits a live run over machines; add --live"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace fetcher::cli
