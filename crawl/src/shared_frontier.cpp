// shared_frontier.cpp: see shared_frontier.hpp. The scripts are loaded once per connection and
// run by their SHA1; after a Redis restart (NOSCRIPT) they are loaded again and the command sent
// again, which is safe: a script that answered NOSCRIPT did not run.
#include "shared_frontier.hpp"

#include <fetcher/crawl/url_hash.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace fetcher::crawl {

namespace {

constexpr const char* group = "workers";

// KEYS settings frontier seen open queued; ARGV n, n settings pairs, max_pages, then seed pairs
// (hash, url).
constexpr const char* join_script = R"(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = tonumber(ARGV[1])
for i = 2, 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local position = 2 * n + 2
local max = tonumber(ARGV[position])
redis.pcall('XGROUP', 'CREATE', KEYS[2], 'workers', '0', 'MKSTREAM')
local queued = 0
for i = position + 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[3], ARGV[i]) == 1 and queued < max then
    redis.call('XADD', KEYS[2], '*', 'u', ARGV[i + 1], 'd', '0', 'r', '')
    queued = queued + 1
  end
end
redis.call('INCRBY', KEYS[4], queued)
redis.call('INCRBY', KEYS[5], queued)
return 1
)";

// A Lua function the record and end scripts begin with: frees a lease's slot and, with a delay,
// sets the host's next start to the request's start (age microseconds ago) plus the delay.
constexpr const char* end_lease_function = R"(
local function end_lease(slots, next_key, token, delay, age)
  if token ~= '' then redis.call('ZREM', slots, token) end
  delay = tonumber(delay)
  if delay <= 0 then return end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local next_start = now - tonumber(age) + delay
  if next_start <= now then
    redis.call('DEL', next_key)
    return
  end
  redis.call('SET', next_key, string.format('%.0f', next_start), 'PX', math.ceil((next_start - now) / 1000) + 1)
end
)";

// KEYS frontier done seen open queued pages slots next settings; ARGV entry-id hash result max lease-token
// referrer delay_us age_us, then link triples (hash, url, depth).
constexpr const char* record_script = R"(
if redis.call('EXISTS', KEYS[9]) == 0 then return redis.error_reply('CRAWLGONE the crawl has no settings') end
local recorded = redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
local queued_now, beyond = 0, 0
if recorded == 1 then
  if ARGV[3] ~= '' then redis.call('INCR', KEYS[6]) end
  local max = tonumber(ARGV[4])
  local queued = tonumber(redis.call('GET', KEYS[5]) or '0')
  for i = 9, #ARGV, 3 do
    if redis.call('SADD', KEYS[3], ARGV[i]) == 1 then
      if queued < max then
        redis.call('XADD', KEYS[1], '*', 'u', ARGV[i + 1], 'd', ARGV[i + 2], 'r', ARGV[6])
        queued = queued + 1
        queued_now = queued_now + 1
      else
        beyond = beyond + 1
      end
    end
  end
  redis.call('INCRBY', KEYS[5], queued_now)
  redis.call('INCRBY', KEYS[4], queued_now - 1)
end
end_lease(KEYS[7], KEYS[8], ARGV[5], ARGV[7], ARGV[8])
redis.call('XACK', KEYS[1], 'workers', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
return {recorded, queued_now, beyond}
)";

// KEYS slots next; ARGV token per_host delay_us ttl_us. Returns -1 granted, 0 slots full, or the
// microseconds to wait: until the host's next allowed start, or a short poll while the next start
// is held (stored negated: held until that time) for a request whose start is not known yet.
// Time is the Redis server's, one clock for every worker.
constexpr const char* lease_script = R"(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if next_start < 0 then
  if -next_start > now then return 20000 end
elseif next_start > now then
  return math.max(1, next_start - now)
end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(ttl / 1000))
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], string.format('%.0f', -(now + ttl)), 'PX', math.ceil(ttl / 1000))
end
return -1
)";

// KEYS slots next; ARGV token delay_us age_us.
constexpr const char* end_script = R"(
end_lease(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1
)";

// KEYS slots next; ARGV token ttl_us delay_us. Extends a lease still held (a long fetch) by ttl
// from now, and with a delay the hold on the host's next start.
constexpr const char* renew_script = R"(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(ttl / 1000))
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], string.format('%.0f', -(now + ttl)), 'PX', math.ceil(ttl / 1000))
end
return 1
)";

std::string hash_key(std::uint64_t hash) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((hash >> (56 - 8 * i)) & 0xff);
  return bytes;
}

// Lua numbers are doubles: limits above 2^53 are "no limit" all the same.
std::string lua_count(std::uint64_t count) { return std::to_string(std::min<std::uint64_t>(count, 1ull << 53)); }

void throw_if_error(const RedisReply& reply, const std::string& what) {
  if (!reply.is_error()) return;
  if (reply.text.starts_with("NOGROUP") || reply.text.find("CRAWLGONE") != std::string::npos) {
    throw std::runtime_error(
        "redis: the crawl's state is gone (Redis restarted without persistence, or its keys "
        "were deleted): start the crawl again under a new --crawl-id");
  }
  throw std::runtime_error("redis: " + what + ": " + reply.text);
}

// [id, [field, value, ...]] -> an entry; false for a deleted entry (its fields nil).
bool parse_entry(const RedisReply& raw, StreamEntry& entry) {
  if (raw.type != RedisReply::Type::array || raw.elements.size() < 2) return false;
  const auto& fields = raw.elements[1];
  if (fields.type != RedisReply::Type::array) return false;
  entry = StreamEntry{};
  entry.id = raw.elements[0].text;
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const auto& name = fields.elements[i].text;
    const auto& value = fields.elements[i + 1].text;
    if (name == "u") {
      entry.url = value;
    } else if (name == "d") {
      entry.depth = static_cast<unsigned>(fields.elements[i + 1].as_integer());
    } else if (name == "r") {
      entry.referrer = value;
    }
  }
  return !entry.url.empty();
}

}  // namespace

SharedFrontier::SharedFrontier(RedisConnection& redis, std::string crawl_id, std::string consumer)
    : redis_(redis), prefix_("fetcher:{" + crawl_id + "}:"), consumer_(std::move(consumer)) {
  load_scripts();
}

void SharedFrontier::load_scripts() {
  const std::vector<std::pair<std::string, std::string>> scripts = {
      {"join", join_script},
      {"record", std::string(end_lease_function) + record_script},
      {"lease", lease_script},
      {"renew", renew_script},
      {"end", std::string(end_lease_function) + end_script}};
  std::vector<std::vector<std::string>> commands;
  for (const auto& [name, source] : scripts) commands.push_back({"SCRIPT", "LOAD", source});
  const auto replies = redis_.pipeline(commands);
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    throw_if_error(replies[i], "SCRIPT LOAD " + scripts[i].first);
    script_sha_[scripts[i].first] = replies[i].text;
  }
}

std::vector<RedisReply> SharedFrontier::run_scripts(const std::string& which,
                                                    const std::vector<std::vector<std::string>>& commands) {
  std::vector<std::vector<std::string>> full;
  full.reserve(commands.size());
  for (const auto& command : commands) {
    std::vector<std::string> arguments{"EVALSHA", script_sha_.at(which)};
    arguments.insert(arguments.end(), command.begin(), command.end());
    full.push_back(std::move(arguments));
  }
  auto replies = redis_.pipeline(full);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].is_error() && replies[i].text.starts_with("NOSCRIPT")) {
      load_scripts();
      full[i][1] = script_sha_.at(which);
      replies[i] = redis_.command(full[i]);
    }
    throw_if_error(replies[i], which + " script");
  }
  return replies;
}

RedisReply SharedFrontier::run_script(const std::string& which, const std::vector<std::string>& keys,
                                      const std::vector<std::string>& arguments) {
  std::vector<std::string> command{std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), arguments.begin(), arguments.end());
  return run_scripts(which, {command}).front();
}

bool SharedFrontier::join(const Settings& settings, const std::vector<std::string>& seeds, std::uint64_t max_pages,
                          Settings& stored) {
  std::vector<std::string> arguments{std::to_string(settings.size())};
  for (const auto& [name, value] : settings) {
    arguments.push_back(name);
    arguments.push_back(value);
  }
  arguments.push_back(lua_count(max_pages));
  for (const auto& seed : seeds) {
    arguments.push_back(hash_key(url_hash(seed)));
    arguments.push_back(seed);
  }
  const auto created =
      run_script("join", {key("settings"), key("frontier"), key("seen"), key("open"), key("queued")}, arguments);
  if (created.integer == 1) {
    stored = settings;
    return true;
  }
  stored = this->settings().value_or(Settings{});
  return false;
}

std::optional<SharedFrontier::Settings> SharedFrontier::settings() {
  const auto reply = redis_.command({"HGETALL", key("settings")});
  throw_if_error(reply, "HGETALL settings");
  if (reply.elements.empty()) return std::nullopt;
  Settings settings;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    settings[reply.elements[i].text] = reply.elements[i + 1].text;
  }
  return settings;
}

std::vector<StreamEntry> SharedFrontier::take(std::size_t count) {
  const auto reply = redis_.command(
      {"XREADGROUP", "GROUP", group, consumer_, "COUNT", std::to_string(count), "STREAMS", key("frontier"), ">"});
  throw_if_error(reply, "XREADGROUP");
  std::vector<StreamEntry> entries;
  if (reply.type != RedisReply::Type::array) return entries;
  for (const auto& stream : reply.elements) {
    if (stream.elements.size() < 2) continue;
    for (const auto& raw : stream.elements[1].elements) {
      StreamEntry entry;
      if (parse_entry(raw, entry)) entries.push_back(std::move(entry));
    }
  }
  return entries;
}

std::vector<StreamEntry> SharedFrontier::reclaim(std::chrono::milliseconds idle, std::size_t count) {
  const auto reply = redis_.command({"XAUTOCLAIM", key("frontier"), group, consumer_, std::to_string(idle.count()),
                                     "0-0", "COUNT", std::to_string(count)});
  throw_if_error(reply, "XAUTOCLAIM");
  std::vector<StreamEntry> entries;
  if (reply.type != RedisReply::Type::array || reply.elements.size() < 2) return entries;
  for (const auto& raw : reply.elements[1].elements) {
    StreamEntry entry;
    if (parse_entry(raw, entry)) entries.push_back(std::move(entry));
  }
  return entries;
}

void SharedFrontier::refresh(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  std::vector<std::string> command{"XCLAIM", key("frontier"), group, consumer_, "0"};
  command.insert(command.end(), ids.begin(), ids.end());
  command.push_back("JUSTID");
  throw_if_error(redis_.command(command), "XCLAIM");
}

std::vector<RecordOutcome> SharedFrontier::record(const std::vector<UrlRecord>& records, std::uint64_t max_pages) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(records.size());
  for (const auto& record : records) {
    std::vector<std::string> command{"9",
                                     key("frontier"),
                                     key("done"),
                                     key("seen"),
                                     key("open"),
                                     key("queued"),
                                     key("pages"),
                                     key("slots:" + record.lease_host),
                                     key("next:" + record.lease_host),
                                     key("settings"),
                                     record.entry.id,
                                     hash_key(record.hash),
                                     record.result,
                                     lua_count(max_pages),
                                     record.lease_token,
                                     record.entry.url,
                                     std::to_string(record.delay.count()),
                                     std::to_string(record.age.count())};
    for (const auto& link : record.links) {
      command.push_back(hash_key(link.hash));
      command.push_back(link.url);
      command.push_back(std::to_string(link.depth));
    }
    commands.push_back(std::move(command));
  }
  const auto replies = run_scripts("record", commands);
  std::vector<RecordOutcome> outcomes;
  outcomes.reserve(replies.size());
  for (const auto& reply : replies) {
    RecordOutcome outcome;
    if (reply.elements.size() == 3) {
      outcome.recorded = reply.elements[0].integer == 1;
      outcome.queued = static_cast<std::uint64_t>(reply.elements[1].integer);
      outcome.beyond_max_pages = static_cast<std::uint64_t>(reply.elements[2].integer);
    }
    outcomes.push_back(outcome);
  }
  return outcomes;
}

std::vector<LeaseAnswer> SharedFrontier::lease(const std::vector<LeaseRequest>& requests,
                                               std::chrono::milliseconds ttl) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(requests.size());
  const auto ttl_us = std::to_string(std::chrono::microseconds(ttl).count());
  for (const auto& request : requests) {
    commands.push_back({"2", key("slots:" + request.host), key("next:" + request.host), request.token,
                        std::to_string(request.per_host),
                        std::to_string(std::chrono::microseconds(request.delay).count()), ttl_us});
  }
  const auto replies = run_scripts("lease", commands);
  std::vector<LeaseAnswer> answers;
  answers.reserve(replies.size());
  for (const auto& reply : replies) {
    LeaseAnswer answer;
    answer.granted = reply.integer == -1;
    if (reply.integer > 0) answer.retry_after = std::chrono::microseconds(reply.integer);
    answers.push_back(answer);
  }
  return answers;
}

void SharedFrontier::renew(const std::vector<LeaseEnd>& leases, std::chrono::milliseconds ttl) {
  if (leases.empty()) return;
  std::vector<std::vector<std::string>> commands;
  const auto ttl_us = std::to_string(std::chrono::microseconds(ttl).count());
  for (const auto& lease : leases) {
    commands.push_back({"2", key("slots:" + lease.host), key("next:" + lease.host), lease.token, ttl_us,
                        std::to_string(lease.delay.count())});
  }
  run_scripts("renew", commands);
}

void SharedFrontier::end(const std::vector<LeaseEnd>& leases) {
  if (leases.empty()) return;
  std::vector<std::vector<std::string>> commands;
  for (const auto& lease : leases) {
    commands.push_back({"2", key("slots:" + lease.host), key("next:" + lease.host), lease.token,
                        std::to_string(lease.delay.count()), std::to_string(lease.age.count())});
  }
  run_scripts("end", commands);
}

std::optional<std::string> SharedFrontier::robots(const std::string& origin) {
  auto reply = redis_.command({"HGET", key("robots"), origin});
  throw_if_error(reply, "HGET robots");
  if (reply.type != RedisReply::Type::string) return std::nullopt;
  return std::move(reply.text);
}

bool SharedFrontier::lock_robots(const std::string& origin, std::chrono::milliseconds ttl) {
  const auto reply =
      redis_.command({"SET", key("robots-lock:" + origin), consumer_, "NX", "PX", std::to_string(ttl.count())});
  throw_if_error(reply, "SET robots lock");
  return reply.type == RedisReply::Type::status;
}

void SharedFrontier::store_robots(const std::string& origin, const std::string& response) {
  const auto replies =
      redis_.pipeline({{"HSET", key("robots"), origin, response}, {"DEL", key("robots-lock:" + origin)}});
  throw_if_error(replies.front(), "HSET robots");
}

void SharedFrontier::unlock_robots(const std::string& origin) { redis_.command({"DEL", key("robots-lock:" + origin)}); }

std::uint64_t SharedFrontier::open_urls() {
  const auto reply = redis_.command({"GET", key("open")});
  throw_if_error(reply, "GET open");
  return static_cast<std::uint64_t>(std::max(0ll, reply.as_integer()));
}

std::uint64_t SharedFrontier::pages_recorded() {
  const auto reply = redis_.command({"GET", key("pages")});
  throw_if_error(reply, "GET pages");
  return static_cast<std::uint64_t>(std::max(0ll, reply.as_integer()));
}

std::uint64_t SharedFrontier::seen_urls() {
  const auto reply = redis_.command({"SCARD", key("seen")});
  throw_if_error(reply, "SCARD seen");
  return static_cast<std::uint64_t>(std::max(0ll, reply.as_integer()));
}

std::uint64_t SharedFrontier::export_results(std::ostream& out) {
  // HSCAN may return a field twice (while the hash is rehashed); each is written once.
  std::unordered_set<std::string> written_fields;
  std::uint64_t written = 0;
  std::string cursor = "0";
  do {
    const auto reply = redis_.command({"HSCAN", key("done"), cursor, "COUNT", "1000"});
    throw_if_error(reply, "HSCAN results");
    if (reply.elements.size() != 2) break;
    cursor = reply.elements[0].text;
    const auto& pairs = reply.elements[1].elements;
    for (std::size_t i = 1; i < pairs.size(); i += 2) {
      if (pairs[i].text.empty() || !written_fields.insert(pairs[i - 1].text).second) continue;
      out << pairs[i].text << '\n';
      ++written;
    }
  } while (cursor != "0");
  return written;
}

}  // namespace fetcher::crawl
