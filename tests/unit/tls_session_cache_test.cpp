// tls_session_cache_test.cpp: the client's TLS session cache on its own: how many sessions it
// keeps per server and over all servers, and that it never offers one that cannot resume.
// (Resumption itself, over real handshakes with the origin, is in reuse_e2e_test.cpp.)
#include "tls_session_cache.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <memory>

namespace fetcher::detail {
namespace {

using ContextPointer = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using ConnectionPointer = std::unique_ptr<SSL, decltype(&SSL_free)>;

// A session OpenSSL would resume: it has a master key and a protocol version.
SSL_SESSION* resumable_session() {
  SSL_SESSION* session = SSL_SESSION_new();
  const unsigned char key[48] = {1, 2, 3};
  SSL_SESSION_set1_master_key(session, key, sizeof key);
  SSL_SESSION_set_protocol_version(session, TLS1_2_VERSION);
  SSL_SESSION_set_time(session, static_cast<long>(std::time(nullptr)));
  SSL_SESSION_set_timeout(session, 300);
  const unsigned char id[32] = {9};
  SSL_SESSION_set1_id(session, id, sizeof id);
  return session;
}

TEST(TlsSessionCache, KeepsAFewSessionsPerServer) {
  TlsSessionCache cache(10, 2);
  for (int i = 0; i < 5; ++i) cache.store("a.test:443", resumable_session());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(TlsSessionCache, ForgetsTheLeastRecentlyUsedServer) {
  TlsSessionCache cache(2, 4);
  cache.store("a.test:443", resumable_session());
  cache.store("b.test:443", resumable_session());
  cache.store("a.test:443", resumable_session());  // a is now the more recent
  cache.store("c.test:443", resumable_session());  // b goes
  EXPECT_EQ(cache.size(), 3u);

  ContextPointer context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  ConnectionPointer for_b(SSL_new(context.get()), &SSL_free);
  cache.prepare(for_b.get(), "b.test:443");
  EXPECT_EQ(SSL_get0_session(for_b.get()), nullptr);
  ConnectionPointer for_a(SSL_new(context.get()), &SSL_free);
  cache.prepare(for_a.get(), "a.test:443");
  EXPECT_NE(SSL_get0_session(for_a.get()), nullptr);
  EXPECT_EQ(cache.size(), 3u);  // a TLS 1.2 session may be offered again: it stays
}

// A TLS 1.2 session is offered again, to each connection as its own copy: OpenSSL marks the
// session a connection used unresumable when that connection ends without a close_notify, and
// a shared one would then be lost to every later connection (and written from two threads).
TEST(TlsSessionCache, EachConnectionGetsItsOwnCopyOfATls12Session) {
  TlsSessionCache cache;
  cache.store("a.test:443", resumable_session());
  ContextPointer context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  ConnectionPointer first(SSL_new(context.get()), &SSL_free);
  ConnectionPointer second(SSL_new(context.get()), &SSL_free);
  cache.prepare(first.get(), "a.test:443");
  cache.prepare(second.get(), "a.test:443");
  ASSERT_NE(SSL_get0_session(first.get()), nullptr);
  ASSERT_NE(SSL_get0_session(second.get()), nullptr);
  EXPECT_NE(SSL_get0_session(first.get()), SSL_get0_session(second.get()));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TlsSessionCache, ATls13TicketIsOfferedOnce) {
  TlsSessionCache cache;
  SSL_SESSION* ticket = resumable_session();
  SSL_SESSION_set_protocol_version(ticket, TLS1_3_VERSION);
  cache.store("a.test:443", ticket);
  ContextPointer context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  ConnectionPointer first(SSL_new(context.get()), &SSL_free);
  cache.prepare(first.get(), "a.test:443");
  EXPECT_NE(SSL_get0_session(first.get()), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  ConnectionPointer second(SSL_new(context.get()), &SSL_free);
  cache.prepare(second.get(), "a.test:443");
  EXPECT_EQ(SSL_get0_session(second.get()), nullptr);
}

TEST(TlsSessionCache, ExpiredSessionsAreDroppedNotOffered) {
  TlsSessionCache cache;
  SSL_SESSION* old = resumable_session();
  SSL_SESSION_set_time(old, static_cast<long>(std::time(nullptr)) - 600);  // timeout 300 s
  cache.store("a.test:443", old);
  SSL_SESSION* unresumable = SSL_SESSION_new();  // no master key, no version
  cache.store("b.test:443", unresumable);
  ContextPointer context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  for (const char* server : {"a.test:443", "b.test:443"}) {
    ConnectionPointer connection(SSL_new(context.get()), &SSL_free);
    cache.prepare(connection.get(), server);
    EXPECT_EQ(SSL_get0_session(connection.get()), nullptr) << server;
  }
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace fetcher::detail
