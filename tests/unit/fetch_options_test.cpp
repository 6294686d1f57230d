// Unit tests for fetch options (fetch_options.hpp): --connect-to rules (ConnectTo::parse) and the
// routing they give (FetchOptions::route), and the proxy settings (proxy_for, no_proxy,
// check_proxies).
#include <fetcher/client.hpp>
#include <fetcher/fetch_options.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace fetcher {
namespace {

// ---------------------------------------------------------------------------------------------
// ConnectTo::parse and FetchOptions::route

TEST(ConnectTo, ParsesAllFields) {
  const auto rule = ConnectTo::parse("example.org:443:127.0.0.1:8443");
  EXPECT_EQ(rule.host, "example.org");
  EXPECT_EQ(rule.port, 443);
  EXPECT_EQ(rule.target_host, "127.0.0.1");
  EXPECT_EQ(rule.target_port, 8443);
}

TEST(ConnectTo, EmptyHostAndPortMatchAny) {
  const auto rule = ConnectTo::parse("::127.0.0.1:8080");
  EXPECT_EQ(rule.host, "");
  EXPECT_EQ(rule.port, 0);
  EXPECT_EQ(rule.target_host, "127.0.0.1");
  EXPECT_EQ(rule.target_port, 8080);
  EXPECT_TRUE(rule.matches("example.org", 443));
  EXPECT_TRUE(rule.matches("other.example", 80));

  FetchOptions options;
  options.connect_to.push_back(rule);
  const auto a = options.route("example.org", 443);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  const auto b = options.route("other.example", 80);
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8080);
}

TEST(ConnectTo, EmptyTargetPartsKeepTheUrlsOwn) {
  const auto rule = ConnectTo::parse("example.org:443::");
  EXPECT_EQ(rule.target_host, "");
  EXPECT_EQ(rule.target_port, 0);
  FetchOptions options;
  options.connect_to = {rule, ConnectTo::parse("a.example::b.example:")};
  const auto same = options.route("example.org", 443);
  EXPECT_EQ(same.host, "example.org");
  EXPECT_EQ(same.port, 443);
  const auto host_only = options.route("a.example", 8080);
  EXPECT_EQ(host_only.host, "b.example");
  EXPECT_EQ(host_only.port, 8080);
}

TEST(ConnectTo, Ipv6InBrackets) {
  const auto rule = ConnectTo::parse("[::1]:8080:[fe80::2]:9090");
  EXPECT_EQ(rule.host, "::1");
  EXPECT_EQ(rule.port, 8080);
  EXPECT_EQ(rule.target_host, "fe80::2");
  EXPECT_EQ(rule.target_port, 9090);

  const auto to_v6 = ConnectTo::parse("example.org:443:[::1]:8443");
  EXPECT_EQ(to_v6.host, "example.org");
  EXPECT_EQ(to_v6.port, 443);
  EXPECT_EQ(to_v6.target_host, "::1");
  EXPECT_EQ(to_v6.target_port, 8443);

  FetchOptions options;
  options.connect_to = {rule};
  const auto routed = options.route("::1", 8080);  // split_url gives IPv6 hosts without brackets
  EXPECT_EQ(routed.host, "fe80::2");
  EXPECT_EQ(routed.port, 9090);
}

TEST(ConnectTo, RouteMatchesHostAndPortAndTakesTheFirstRule) {
  FetchOptions options;
  options.connect_to = {ConnectTo::parse("example.org:443:127.0.0.1:8443"),
                        ConnectTo::parse("example.org::127.0.0.2:9000"), ConnectTo::parse("::127.0.0.3:1")};

  auto e = options.route("example.org", 443);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8443);

  e = options.route("example.org", 80);  // second rule: any port of example.org
  EXPECT_EQ(e.host, "127.0.0.2");
  EXPECT_EQ(e.port, 9000);

  e = options.route("other.example", 443);  // falls through to the catch-all
  EXPECT_EQ(e.host, "127.0.0.3");
  EXPECT_EQ(e.port, 1);
}

TEST(ConnectTo, NoRulesRoutesToTheUrlItself) {
  const FetchOptions options;
  const auto e = options.route("example.org", 8443);
  EXPECT_EQ(e.host, "example.org");
  EXPECT_EQ(e.port, 8443);

  FetchOptions specific;
  specific.connect_to = {ConnectTo::parse("example.org:443:127.0.0.1:8443")};
  const auto other_port = specific.route("example.org", 80);
  EXPECT_EQ(other_port.host, "example.org");
  EXPECT_EQ(other_port.port, 80);
  const auto other_host = specific.route("example.com", 443);
  EXPECT_EQ(other_host.host, "example.com");
  EXPECT_EQ(other_host.port, 443);
}

TEST(ConnectTo, HostMatchIsCaseInsensitive) {
  FetchOptions options;
  options.connect_to = {ConnectTo::parse("Example.ORG:443:127.0.0.1:8443")};
  const auto e = options.route("example.org", 443);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8443);
}

void expect_rejected(std::string_view text, std::string_view expected_detail) {
  try {
    (void)ConnectTo::parse(text);
    ADD_FAILURE() << "expected std::invalid_argument for '" << text << "'";
  } catch (const std::invalid_argument& error) {
    const std::string what = error.what();
    EXPECT_EQ(what, "--connect-to " + std::string(text) + ": " + std::string(expected_detail)) << text;
  }
}

TEST(ConnectTo, RejectsBadPorts) {
  expect_rejected("example.org:abc:127.0.0.1:80", "bad port 'abc'");
  expect_rejected("example.org:443:127.0.0.1:70000", "bad port '70000'");
  expect_rejected("example.org:65536:127.0.0.1:80", "bad port '65536'");
  expect_rejected("example.org:443:127.0.0.1:-1", "bad port '-1'");
  expect_rejected("example.org:443:127.0.0.1:80x", "bad port '80x'");
  expect_rejected("example.org:99999999999:h:1", "bad port '99999999999'");
  EXPECT_EQ(ConnectTo::parse("a:65535:b:65535").port, 65535);
}

TEST(ConnectTo, RejectsMalformedRules) {
  const char* shape = "expected HOST1:PORT1:HOST2:PORT2";
  expect_rejected("", shape);
  expect_rejected("example.org", shape);
  expect_rejected("example.org:443", shape);
  expect_rejected("example.org:443:127.0.0.1", shape);
  expect_rejected("[::1]x:443:h:1", shape);
  expect_rejected("h:443:[::1]x", shape);
  expect_rejected("h:443:[::1]", shape);
  expect_rejected("[::1:443:h:1", "unclosed '[' in IPv6 address");
  expect_rejected("h:443:[::1", "unclosed '[' in IPv6 address");
}

// ---------------------------------------------------------------------------------------------
// Proxies: which hosts go through one, and the settings refused

TEST(ProxyOptions, NoProxyMatchesHostsAndSuffixesCaseInsensitively) {
  FetchOptions options;
  options.http_proxy = "http://proxy.test:3128";
  options.no_proxy = " .Example.org ,localhost";
  EXPECT_FALSE(options.proxy_for(false, "example.org"));
  EXPECT_FALSE(options.proxy_for(false, "www.example.org"));
  EXPECT_FALSE(options.proxy_for(false, "localhost"));
  EXPECT_TRUE(options.proxy_for(false, "notexample.org"));
  EXPECT_TRUE(options.proxy_for(false, "example.org.evil.test"));
  const auto proxy = options.proxy_for(false, "python.org");
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->host, "proxy.test");
  EXPECT_EQ(proxy->port, 3128);
  EXPECT_FALSE(options.proxy_for(true, "python.org"));  // no https proxy set
  options.no_proxy = "*";
  EXPECT_FALSE(options.proxy_for(false, "python.org"));
}

TEST(ProxyOptions, AProxyThatIsNotHttpHostPortIsRejected) {
  FetchOptions options;
  options.https_proxy = "socks5://127.0.0.1:1080";
  EXPECT_THROW((void)options.proxy_for(true, "python.org"), std::invalid_argument);
  EXPECT_THROW(Client{options}, std::runtime_error);  // a start-up error
  options.no_proxy = "*";                             // bypassed for every host, and still a setting that cannot work
  EXPECT_THROW(options.check_proxies(), std::invalid_argument);
  EXPECT_THROW(Client{options}, std::runtime_error);
}

}  // namespace
}  // namespace fetcher
