// shared_settings.cpp: see shared_settings.hpp. The settings are stored as text, one field each,
// so that a person reading the crawl's keys in Redis reads them as the flags that set them.
#include "shared_settings.hpp"

#include "page.hpp"

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace fetcher::crawl {

namespace {

using Settings = SharedFrontier::Settings;

std::string join_lines(const std::vector<std::string>& lines) {
  std::string joined;
  for (const auto& line : lines) joined += line + "\n";
  return joined;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string limit_text(std::uint64_t value) {
  return value == std::numeric_limits<std::uint64_t>::max() ? "none" : std::to_string(value);
}

std::uint64_t limit_value(const std::string& text) {
  return text == "none" ? std::numeric_limits<std::uint64_t>::max() : std::stoull(text);
}

Settings settings_of(const CrawlOptions& options, const std::string& user_agent) {
  return {
      {"seeds", join_lines(options.seeds)},
      {"max-pages", limit_text(options.max_pages)},
      {"max-depth",
       options.max_depth == std::numeric_limits<unsigned>::max() ? "none" : std::to_string(options.max_depth)},
      {"scope", std::string(to_string(options.scope))},
      {"per-host", std::to_string(options.per_host)},
      {"delay", std::to_string(options.delay.count()) + "ms"},
      {"robots", options.robots ? "on" : "off"},
      {"user-agent", user_agent},
  };
}

void adopt(const Settings& stored, CrawlOptions& options, std::string& user_agent) {
  const auto value = [&stored](const char* name) -> const std::string& {
    const auto found = stored.find(name);
    if (found == stored.end()) throw std::runtime_error(std::string("the crawl's stored settings lack ") + name);
    return found->second;
  };
  options.seeds = split_lines(value("seeds"));
  options.max_pages = limit_value(value("max-pages"));
  const auto& depth = value("max-depth");
  options.max_depth = depth == "none" ? std::numeric_limits<unsigned>::max() : static_cast<unsigned>(std::stoul(depth));
  if (!parse_crawl_scope(value("scope"), options.scope)) throw std::runtime_error("the crawl's stored scope is bad");
  options.per_host = static_cast<unsigned>(std::stoul(value("per-host")));
  options.delay = std::chrono::milliseconds(std::stoll(value("delay")));
  options.robots = value("robots") == "on";
  user_agent = value("user-agent");
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Throws when a setting the caller gave differs from the crawl's stored one.
void check_given(const SharedCrawlOptions& shared, const Settings& ours, const Settings& stored) {
  for (const auto& name : shared.given) {
    const auto mine = ours.find(name);
    const auto theirs = stored.find(name);
    if (mine == ours.end() || theirs == stored.end() || mine->second == theirs->second) continue;
    const auto what = name == "seeds" ? std::string("seed URLs") : "--" + name;
    throw std::invalid_argument(what + " " + one_line(mine->second) + ": crawl " + shared.crawl_id + " runs with " +
                                (name == "seeds" ? "seed URLs" : name) + " " + one_line(theirs->second) +
                                " (set by the worker that started it); give the same or leave it out to adopt it");
  }
}

}  // namespace

bool join_shared_crawl(SharedFrontier& frontier, SharedCrawlOptions& shared, CrawlOptions& options,
                       std::string& user_agent) {
  if (!options.seeds.empty()) shared.given.insert("seeds");
  const bool seeds_given = shared.given.contains("seeds");
  if (seeds_given) canonicalise_seeds(options.seeds);
  const auto ours = settings_of(options, user_agent);
  Settings stored;
  if (seeds_given) {
    if (frontier.join(ours, options.seeds, options.max_pages, stored)) return true;
  } else {
    auto existing = frontier.settings();
    if (!existing) {
      throw std::invalid_argument("crawl " + shared.crawl_id + " has not started: the first worker needs seed URLs");
    }
    stored = std::move(*existing);
  }
  check_given(shared, ours, stored);
  adopt(stored, options, user_agent);
  return false;
}

}  // namespace fetcher::crawl
