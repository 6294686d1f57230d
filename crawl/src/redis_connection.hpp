// redis_connection.hpp: one connection to Redis through hiredis's blocking API, owned by one
// thread: commands as argument vectors (binary-safe), pipelines, replies as plain values. A lost
// connection is re-opened with backoff for up to a deadline; past it, RedisUnavailable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace fetcher::crawl {

// redis://[[user]:password@]host[:port][/db]; the host may be an [IPv6] literal.
struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  std::string user;
  std::string password;
};
// Throws std::invalid_argument naming what is wrong.
RedisAddress parse_redis_url(std::string_view url);

struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string text;  // string, status and error replies
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::error; }
  // The integer of an integer reply, or of a string reply that holds one; 0 for nil.
  long long as_integer() const;
};

// Redis could not be reached (at start) or was lost for longer than the deadline.
class RedisUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RedisConnection {
 public:
  // Connects, authenticates and selects the database. Throws RedisUnavailable when Redis does
  // not answer, std::runtime_error when it refuses the credentials or the database.
  // `give_up_after`: how long a lost connection is retried before RedisUnavailable.
  RedisConnection(RedisAddress address, std::chrono::milliseconds give_up_after);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and waits for its reply. An error reply is returned, not thrown.
  // A command whose connection broke is sent again on the new connection: callers send only
  // commands that may run twice.
  RedisReply command(const std::vector<std::string>& arguments);
  // Sends the commands in one write and reads their replies in order.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);

  std::uint64_t commands_sent() const { return commands_sent_; }
  const RedisAddress& address() const { return address_; }

 private:
  void connect();  // throws RedisUnavailable or std::runtime_error
  bool try_pipeline(const std::vector<std::vector<std::string>>& commands, std::vector<RedisReply>& replies,
                    std::string& failure);

  RedisAddress address_;
  std::chrono::milliseconds give_up_after_;
  redisContext* context_ = nullptr;
  std::uint64_t commands_sent_ = 0;
};

}  // namespace fetcher::crawl
