// scope_test.cpp: the crawl's scope filter (host, domain, any) and the --scope names.
#include "scope.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fetcher::crawl {
namespace {

TEST(Scope, HostDomainAndAny) {
  const std::vector<std::string> seeds = {"www.a.org", "b.net", "127.0.0.1"};
  ScopeFilter host(CrawlScope::host, seeds);
  EXPECT_TRUE(host.in_scope("www.a.org"));
  EXPECT_TRUE(host.in_scope("b.net"));
  EXPECT_TRUE(host.in_scope("127.0.0.1"));
  EXPECT_FALSE(host.in_scope("a.org"));
  EXPECT_FALSE(host.in_scope("docs.b.net"));

  ScopeFilter domain(CrawlScope::domain, seeds);
  EXPECT_TRUE(domain.in_scope("a.org"));
  EXPECT_TRUE(domain.in_scope("docs.a.org"));
  EXPECT_TRUE(domain.in_scope("www.a.org"));
  EXPECT_TRUE(domain.in_scope("x.y.b.net"));
  EXPECT_FALSE(domain.in_scope("notb.net"));
  EXPECT_FALSE(domain.in_scope("a.org.evil.test"));
  EXPECT_FALSE(domain.in_scope("1.127.0.0.1"));

  ScopeFilter any(CrawlScope::any, seeds);
  EXPECT_TRUE(any.in_scope("anything.test"));

  CrawlScope parsed = CrawlScope::any;
  EXPECT_TRUE(parse_crawl_scope("domain", parsed));
  EXPECT_EQ(parsed, CrawlScope::domain);
  EXPECT_FALSE(parse_crawl_scope("Domain", parsed));
}

}  // namespace
}  // namespace fetcher::crawl
