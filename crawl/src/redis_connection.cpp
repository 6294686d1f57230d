// redis_connection.cpp: see redis_connection.hpp.
#include "redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace fetcher::crawl {

namespace {

// The longest wait for one reply; a Redis that stalls longer counts as lost.
constexpr std::chrono::milliseconds reply_timeout{2000};

timeval to_timeval(std::chrono::milliseconds duration) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(duration.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return value;
}

RedisReply convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i) out.elements.push_back(convert(reply->element[i]));
      break;
    default: out.type = RedisReply::Type::nil;
  }
  return out;
}

int parse_number(std::string_view text, std::string_view what, std::string_view url) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    throw std::invalid_argument("redis URL " + std::string(url) + ": bad " + std::string(what) + " '" +
                                std::string(text) + "'");
  }
  return value;
}

}  // namespace

long long RedisReply::as_integer() const {
  if (type == Type::integer) return integer;
  if (type == Type::string) {
    long long value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  return 0;
}

RedisAddress parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    throw std::invalid_argument("redis URL " + std::string(url) + ": must start with redis://");
  }
  RedisAddress address;
  auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    const auto database = rest.substr(slash + 1);
    if (!database.empty()) address.database = parse_number(database, "database", url);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    if (colon == std::string_view::npos) {
      address.password = std::string(credentials);
    } else {
      address.user = std::string(credentials.substr(0, colon));
      address.password = std::string(credentials.substr(colon + 1));
    }
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("redis URL " + std::string(url) + ": unclosed [");
    address.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw std::invalid_argument("redis URL " + std::string(url) + ": bad host");
      port = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.find(':');
    address.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (address.host.empty()) throw std::invalid_argument("redis URL " + std::string(url) + ": no host");
  if (!port.empty()) {
    address.port = parse_number(port, "port", url);
    if (address.port == 0 || address.port > 65535) {
      throw std::invalid_argument("redis URL " + std::string(url) + ": port " + std::string(port) + " is not 1-65535");
    }
  }
  return address;
}

RedisConnection::RedisConnection(RedisAddress address, std::chrono::milliseconds give_up_after)
    : address_(std::move(address)), give_up_after_(give_up_after) {
  connect();
}

RedisConnection::~RedisConnection() {
  if (context_) redisFree(context_);
}

void RedisConnection::connect() {
  if (context_) {
    redisFree(context_);
    context_ = nullptr;
  }
  const auto where = address_.host + ":" + std::to_string(address_.port);
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(reply_timeout));
  if (!context_) throw RedisUnavailable("redis " + where + ": cannot allocate a connection");
  if (context_->err) {
    const std::string why = context_->errstr;
    redisFree(context_);
    context_ = nullptr;
    throw RedisUnavailable("redis " + where + ": " + why);
  }
  redisSetTimeout(context_, to_timeval(reply_timeout));
  redisEnableKeepAlive(context_);
  // A refused AUTH or SELECT frees the connection before it throws: a constructor that throws
  // runs no destructor.
  const auto setup = [&](const std::vector<std::string>& arguments, const std::string& what) {
    std::vector<RedisReply> replies;
    std::string failure;
    const bool answered = try_pipeline({arguments}, replies, failure);
    if (answered && !replies.front().is_error()) return;
    redisFree(context_);
    context_ = nullptr;
    if (!answered) throw RedisUnavailable("redis " + where + ": " + failure);
    throw std::runtime_error("redis " + where + ": " + what + ": " + replies.front().text);
  };
  if (!address_.password.empty()) {
    if (address_.user.empty()) {
      setup({"AUTH", address_.password}, "AUTH refused");
    } else {
      setup({"AUTH", address_.user, address_.password}, "AUTH refused");
    }
  }
  if (address_.database != 0) setup({"SELECT", std::to_string(address_.database)}, "SELECT refused");
}

bool RedisConnection::try_pipeline(const std::vector<std::vector<std::string>>& commands,
                                   std::vector<RedisReply>& replies, std::string& failure) {
  if (!context_) {
    failure = "not connected";
    return false;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arguments : commands) {
    argv.clear();
    lengths.clear();
    for (const auto& argument : arguments) {
      argv.push_back(argument.data());
      lengths.push_back(argument.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
      failure = context_->errstr;
      return false;
    }
  }
  commands_sent_ += commands.size();
  replies.clear();
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || !raw) {
      failure = context_->err ? context_->errstr : "no reply";
      return false;
    }
    replies.push_back(convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return true;
}

RedisReply RedisConnection::command(const std::vector<std::string>& arguments) { return pipeline({arguments}).front(); }

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  std::string failure;
  if (try_pipeline(commands, replies, failure)) return replies;
  // Lost: reconnect with backoff and send again, until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + give_up_after_;
  std::chrono::milliseconds backoff{50};
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      throw RedisUnavailable("lost Redis at " + address_.host + ":" + std::to_string(address_.port) +
                             " for more than " + std::to_string(give_up_after_.count()) + " ms (" + failure + ")");
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(backoff, deadline - now));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    try {
      connect();
    } catch (const RedisUnavailable& lost) {
      failure = lost.what();
      continue;
    }
    if (try_pipeline(commands, replies, failure)) return replies;
  }
}

}  // namespace fetcher::crawl
