// tls_session_cache.cpp: see tls_session_cache.hpp.
#include "tls_session_cache.hpp"

#include <ctime>

namespace fetcher::detail {
namespace {

// The server name travels with each SSL (freed with it), the cache with the context. Both are
// OpenSSL ex-data slots of our own: Asio uses the "app data" slots for its verify callback.
void free_server_name(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(pointer);
}

int server_name_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_server_name);
  return index;
}

int cache_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Worth offering: resumable (OpenSSL says so) and not past the lifetime the server gave it.
bool fresh(const SSL_SESSION* session) {
  if (SSL_SESSION_is_resumable(session) != 1) return false;
  const auto now = static_cast<long>(std::time(nullptr));
  return now < SSL_SESSION_get_time(session) + SSL_SESSION_get_timeout(session);
}

}  // namespace

TlsSessionCache::TlsSessionCache(std::size_t max_servers, std::size_t sessions_per_server)
    : max_servers_(max_servers == 0 ? 1 : max_servers),
      sessions_per_server_(sessions_per_server == 0 ? 1 : sessions_per_server) {}

TlsSessionCache::~TlsSessionCache() {
  // Connections of this client may outlive it in a loop's idle pool (never used again, but
  // still holding the context): their context must not point at a cache that is gone.
  if (context_ != nullptr) SSL_CTX_set_ex_data(context_, cache_index(), nullptr);
}

void TlsSessionCache::attach(SSL_CTX* context) {
  context_ = context;
  SSL_CTX_set_ex_data(context, cache_index(), this);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context, &TlsSessionCache::on_new_session);
}

void TlsSessionCache::prepare(SSL* ssl, const std::string& server) {
  auto name = std::make_unique<std::string>(server);
  if (SSL_set_ex_data(ssl, server_name_index(), name.get()) == 1) name.release();  // freed with the SSL
  std::lock_guard lock(mutex_);
  const auto found = servers_.find(server);
  if (found == servers_.end()) return;
  auto& sessions = found->second.sessions;
  while (!sessions.empty()) {
    auto& newest = sessions.back();
    if (!fresh(newest.get())) {
      sessions.pop_back();
      --session_count_;
      continue;
    }
    // A TLS 1.3 ticket is for one connection (RFC 8446, appendix C.4): it leaves the cache, and
    // the connection that uses it is sent new ones. A TLS 1.2 session may be offered again, so
    // the connection gets a copy: OpenSSL marks the session a connection used unresumable when
    // that connection is freed without a close_notify, from whichever thread frees it.
    if (SSL_SESSION_get_protocol_version(newest.get()) >= TLS1_3_VERSION) {
      SSL_set_session(ssl, newest.get());  // takes its own reference
      sessions.pop_back();
      --session_count_;
    } else if (SSL_SESSION* copy = SSL_SESSION_dup(newest.get())) {
      SSL_set_session(ssl, copy);
      SSL_SESSION_free(copy);
    }
    break;
  }
  use_order_.splice(use_order_.begin(), use_order_, found->second.in_use_order);
}

std::size_t TlsSessionCache::size() const {
  std::lock_guard lock(mutex_);
  return session_count_;
}

int TlsSessionCache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<TlsSessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
  const auto* server = static_cast<const std::string*>(SSL_get_ex_data(ssl, server_name_index()));
  if (cache == nullptr || server == nullptr) return 0;
  // A copy, not the session itself: that one is also the connection's current session, and
  // OpenSSL marks it unresumable when the connection is freed without a close_notify, as ours
  // are (sending one would cost a write per connection, for a peer about to close anyway).
  if (SSL_SESSION* copy = SSL_SESSION_dup(session)) cache->store(*server, copy);
  return 0;  // OpenSSL keeps (and frees) its own reference
}

void TlsSessionCache::store(const std::string& server, SSL_SESSION* session) {
  std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)> owned(session, &SSL_SESSION_free);
  std::lock_guard lock(mutex_);
  auto found = servers_.find(server);
  if (found == servers_.end()) {
    if (servers_.size() >= max_servers_) {
      const auto oldest = servers_.find(use_order_.back());
      session_count_ -= oldest->second.sessions.size();
      servers_.erase(oldest);
      use_order_.pop_back();
    }
    use_order_.push_front(server);
    found = servers_.emplace(server, HostSessions{{}, use_order_.begin()}).first;
  } else {
    use_order_.splice(use_order_.begin(), use_order_, found->second.in_use_order);
  }
  auto& sessions = found->second.sessions;
  sessions.push_back(std::move(owned));
  ++session_count_;
  if (sessions.size() > sessions_per_server_) {
    sessions.pop_front();
    --session_count_;
  }
}

}  // namespace fetcher::detail
