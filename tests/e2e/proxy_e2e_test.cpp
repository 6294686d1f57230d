// proxy_e2e_test.cpp: fetches through a real HTTP proxy (Debian's tinyproxy, started here on
// loopback): plain requests in absolute form, HTTPS through CONNECT with the origin's certificate
// verified end to end, no_proxy, a refused tunnel, and the CLI's --proxy and http_proxy.
#include "run_process.hpp"
#include "test_origin.hpp"

#include <fetcher/client.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace fetcher {
namespace {

using testing::TestOrigin;
namespace fs = std::filesystem;

constexpr const char* tinyproxy_binary = "/usr/bin/tinyproxy";

// The proxy answers CONNECT only when no ConnectPort line limits it; `connect_ports` adds such
// lines, so a test can make it refuse a tunnel.
class Tinyproxy {
 public:
  explicit Tinyproxy(const std::string& connect_ports = {}) {
    directory_ = fs::temp_directory_path() /
                 ("fetcher-tinyproxy-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(directory_);
    port_ = testing::closed_port();
    std::ofstream config(directory_ / "tinyproxy.conf");
    config << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 10\nMaxClients 64\nAllow 127.0.0.1\n"
           << "LogLevel Connect\nLogFile \"" << (directory_ / "tinyproxy.log").string() << "\"\n"
           << "DisableViaHeader Yes\n"
           << connect_ports;
    config.close();
    const std::string config_path = (directory_ / "tinyproxy.conf").string();
    const char* arguments[] = {tinyproxy_binary, "-d", "-c", config_path.c_str(), nullptr};
    if (::posix_spawn(&pid_, tinyproxy_binary, nullptr, nullptr, const_cast<char**>(arguments), environ) != 0) {
      pid_ = -1;
      return;
    }
    // Ready when it accepts; bounded at 5 s.
    for (int attempt = 0; attempt < 100 && !accepting(); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Tinyproxy() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  Tinyproxy(const Tinyproxy&) = delete;
  Tinyproxy& operator=(const Tinyproxy&) = delete;

  bool running() const { return pid_ > 0 && accepting(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const {
    std::ifstream file(directory_ / "tinyproxy.log");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

 private:
  bool accepting() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
  }

  static inline int counter_ = 0;
  fs::path directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The origin answers for 127.0.0.1 itself: tinyproxy resolves the names it is given, so the URLs
// name the origin's address and ports, and its certificate covers IP 127.0.0.1.
const char* const sites = R"(
[[site]]
host = "127.0.0.1"
latency_ms = 2
body_bytes = 30000
)";

class ProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(fs::exists(tinyproxy_binary)) << tinyproxy_binary << " is missing: run .ci/install-deps";
  }

  static std::string https_url() { return "https://127.0.0.1:" + std::to_string(origin_->server().https_port()) + "/"; }
  static std::string http_url() { return "http://127.0.0.1:" + std::to_string(origin_->server().http_port()) + "/"; }

  // The origin's CA and short timeouts, no connect-to rules: the proxy is the only way there.
  static FetchOptions options_through(const std::string& proxy) {
    FetchOptions options;
    options.ca_file = origin_->server().ca_file();
    options.connect_timeout = options.tls_timeout = std::chrono::seconds(3);
    options.first_byte_timeout = options.total_timeout = std::chrono::seconds(5);
    options.http_proxy = options.https_proxy = proxy;
    return options;
  }

  static TestOrigin* origin_;
};
TestOrigin* ProxyTest::origin_ = nullptr;

TEST_F(ProxyTest, HttpsThroughConnectVerifiesTheOriginsCertificate) {
  Tinyproxy proxy;
  ASSERT_TRUE(proxy.running());
  Client client(options_through(proxy.url()));
  const auto result = client.fetch(FetchRequest{https_url(), "test", ""});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("127.0.0.1", "/"));
  EXPECT_EQ(client.counters().tls_handshakes, 1u);
  EXPECT_NE(proxy.log().find("CONNECT 127.0.0.1:" + std::to_string(origin_->server().https_port())), std::string::npos)
      << proxy.log();
}

TEST_F(ProxyTest, PlainHttpGoesToTheProxyInAbsoluteForm) {
  Tinyproxy proxy;
  ASSERT_TRUE(proxy.running());
  Client client(options_through(proxy.url()));
  const auto result = client.fetch(FetchRequest{http_url(), "test", ""});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("127.0.0.1", "/"));
  EXPECT_NE(proxy.log().find("GET " + http_url()), std::string::npos) << proxy.log();
}

TEST_F(ProxyTest, ConnectionsThroughTheProxyAreReused) {
  Tinyproxy proxy;
  ASSERT_TRUE(proxy.running());
  Client client(options_through(proxy.url()));
  for (int i = 0; i < 3; ++i) {
    const auto result = client.fetch(FetchRequest{https_url(), "test", ""});
    ASSERT_TRUE(result.ok()) << result.message;
  }
  EXPECT_EQ(client.counters().connections_opened, 1u);
  EXPECT_EQ(client.counters().tls_handshakes, 1u);
}

TEST_F(ProxyTest, TheWrongCaFailsAsTlsThroughTheTunnel) {
  Tinyproxy proxy;
  ASSERT_TRUE(proxy.running());
  auto options = options_through(proxy.url());
  options.ca_file.clear();  // the system store does not know the origin's CA
  Client client(std::move(options));
  const auto result = client.fetch(FetchRequest{https_url(), "test", ""});
  EXPECT_EQ(result.error, ErrorKind::tls) << result.message;
  EXPECT_NE(result.message.find("certificate"), std::string::npos) << result.message;
}

TEST_F(ProxyTest, RefusedTunnelIsAConnectErrorNamingTheProxysAnswer) {
  Tinyproxy proxy("ConnectPort 1\n");  // tunnels only to port 1
  ASSERT_TRUE(proxy.running());
  Client client(options_through(proxy.url()));
  const auto result = client.fetch(FetchRequest{https_url(), "test", ""});
  EXPECT_EQ(result.error, ErrorKind::connect) << result.message;
  EXPECT_NE(result.message.find("proxy refused CONNECT"), std::string::npos) << result.message;
}

TEST_F(ProxyTest, NoProxyHostsGoDirect) {
  // The proxy is a closed port: only a direct fetch can succeed.
  auto options = options_through("http://127.0.0.1:" + std::to_string(testing::closed_port()));
  options.no_proxy = "example.org, 127.0.0.1";
  Client client(options);
  const auto direct = client.fetch(FetchRequest{https_url(), "test", ""});
  EXPECT_TRUE(direct.ok()) << direct.message;

  options.no_proxy = "example.org";
  Client proxied(std::move(options));
  const auto through_dead_proxy = proxied.fetch(FetchRequest{https_url(), "test", ""});
  EXPECT_EQ(through_dead_proxy.error, ErrorKind::connect) << through_dead_proxy.message;
}

// The CLI: --proxy, and http_proxy/https_proxy from the environment for `get`.
TEST_F(ProxyTest, CliGetUsesTheProxyFlagAndTheEnvironment) {
  Tinyproxy proxy;
  ASSERT_TRUE(proxy.running());
  const auto by_flag = testing::run_process(
      {FETCHER_CLI_PATH, "get", "--proxy", proxy.url(), "--cacert", origin_->server().ca_file(), https_url()});
  EXPECT_EQ(by_flag.exit_code, 0) << by_flag.out << by_flag.err;
  EXPECT_NE(by_flag.out.find("200"), std::string::npos) << by_flag.out;

  const auto dead = "http://127.0.0.1:" + std::to_string(testing::closed_port());
  const auto by_environment = testing::run_process({"/usr/bin/env", "https_proxy=" + dead, FETCHER_CLI_PATH, "get",
                                                    "--cacert", origin_->server().ca_file(), https_url()});
  EXPECT_EQ(by_environment.exit_code, 1) << by_environment.out << by_environment.err;
  EXPECT_NE((by_environment.out + by_environment.err).find("connect"), std::string::npos) << by_environment.out;

  const auto bypassed =
      testing::run_process({"/usr/bin/env", "https_proxy=" + dead, "no_proxy=127.0.0.1", FETCHER_CLI_PATH, "get",
                            "--cacert", origin_->server().ca_file(), https_url()});
  EXPECT_EQ(bypassed.exit_code, 0) << bypassed.out << bypassed.err;

  const auto bad = testing::run_process({FETCHER_CLI_PATH, "get", "--proxy", "socks5://127.0.0.1:1", https_url()});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--proxy"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace fetcher
