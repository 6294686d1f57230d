// bench_footer.cpp: the statements under a list's table: the fastest strategy and its ties, what
// the origin saw per host, whether the strategies agreed, and the --runs note.
#include "bench/bench_table.hpp"

#include "common/units.hpp"

#include <algorithm>

namespace fetcher::cli {
namespace {

// Runs this close to the fastest are a tie on a shared machine; the footer says so.
constexpr double tie_fraction = 0.02;

// A range of counts over the strategies: "80" when they all saw the same, else "1-80".
struct Range {
  long low = -1;
  long high = -1;

  void add(long value) {
    low = low < 0 ? value : std::min(low, value);
    high = std::max(high, value);
  }
  std::string text() const {
    return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
  }
};

struct HostSeen {
  std::string host;
  Range requests, connections, peak;
};

// The origin's counters of every strategy, per host that got requests, busiest first.
std::vector<HostSeen> hosts_seen(const ListReport& list) {
  std::vector<HostSeen> hosts;
  for (const auto& row : list.strategies) {
    if (!row.origin_seen.is_array()) continue;
    for (const auto& entry : row.origin_seen) {
      if (!entry.is_object() || entry.value("requests", 0L) <= 0) continue;
      const auto name = entry.value("host", std::string());
      auto found = std::find_if(hosts.begin(), hosts.end(), [&](const HostSeen& h) { return h.host == name; });
      if (found == hosts.end()) found = hosts.insert(hosts.end(), HostSeen{name, {}, {}, {}});
      found->requests.add(entry.value("requests", 0L));
      found->connections.add(entry.value("connections", 0L));
      found->peak.add(entry.value("peak_concurrent", 0L));
    }
  }
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const HostSeen& a, const HostSeen& b) { return a.requests.high > b.requests.high; });
  return hosts;
}

std::string capacity_note(const ListReport& list, const std::string& host) {
  for (const auto& model : list.model.hosts) {
    if (model.host == host && model.capacity > 0) return " (serves " + std::to_string(model.capacity) + ")";
  }
  return {};
}

std::string describe_host(const ListReport& list, const HostSeen& host) {
  return host.host + " " + host.requests.text() + " req, " + host.connections.text() + " conn, peak " +
         host.peak.text() + capacity_note(list, host.host);
}

}  // namespace

std::string fastest_line(const ListReport& list) {
  const auto* best = fastest_row(list);
  if (!best || list.strategies.size() < 2) return {};
  const double best_wall = best->report.wall_seconds();
  std::vector<std::string> ties;
  for (const auto& row : list.strategies) {
    if (&row != best && row.report.ok == best->report.ok &&
        row.report.wall_seconds() <= best_wall * (1 + tie_fraction)) {
      ties.push_back(row.report.strategy);
    }
  }
  std::string line = "* fastest: " + best->report.strategy + ", " + format_seconds(best_wall);
  if (const double gain = speedup(list, *best); gain > 0 && best->report.strategy != "sequential") {
    line += " (" + fixed_or_dash(gain, "%.2fx") + " sequential)";
  }
  if (ties.size() + 1 == list.strategies.size()) {
    line += "; all within " + fixed_or_dash(tie_fraction * 100, "%.0f") + "%";
  } else if (!ties.empty()) {
    line += "; within " + fixed_or_dash(tie_fraction * 100, "%.0f") + "%:";
    for (std::size_t i = 0; i < ties.size(); ++i) line += (i ? ", " : " ") + ties[i];
  }
  return line;
}

std::string origin_paragraph(const ListReport& list) {
  const auto hosts = hosts_seen(list);
  if (hosts.empty()) return {};
  std::string text = "origin saw per strategy:";
  if (hosts.size() <= 2) {
    for (std::size_t i = 0; i < hosts.size(); ++i) text += (i ? "; " : " ") + describe_host(list, hosts[i]);
    return text;
  }
  Range requests, connections;
  for (const auto& row : list.strategies) {
    if (!row.origin_seen.is_array()) continue;
    long r = 0, c = 0;
    for (const auto& entry : row.origin_seen) {
      if (!entry.is_object()) continue;
      r += entry.value("requests", 0L);
      c += entry.value("connections", 0L);
    }
    requests.add(r);
    connections.add(c);
  }
  text += " " + std::to_string(hosts.size()) + " hosts, " + requests.text() + " req, " + connections.text() +
          " conn in all; ";
  // The busiest host when one stands out, else how many requests any host had at once.
  if (hosts[0].requests.high > hosts[1].requests.high) return text + "busiest " + describe_host(list, hosts.front());
  Range peak;
  for (const auto& host : hosts) {
    peak.add(host.peak.low);
    peak.add(host.peak.high);
  }
  return text + "peak per host " + peak.text();
}

// Agreement says what it was checked over: a URL every strategy failed agrees vacuously, so the
// line counts only the URLs some strategy fetched, and withholds the claim when there are none.
std::string agreement_lines(const ListReport& list) {
  if (!list.agree) {
    std::string text = "strategies DISAGREED:\n";
    for (const auto& line : list.disagreements) text += "  " + line + "\n";
    return text;
  }
  if (list.strategies.size() < 2) return "agreement: not checked, one strategy ran\n";
  if (list.fetched_urls == 0) return "agreement: not checked, no URL was fetched by any strategy\n";
  if (list.fetched_urls >= list.urls) return "all strategies agreed on every URL's status, size and SHA-256\n";
  const auto urls = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " URL" : " URLs"); };
  return "all strategies agreed on the status, size and SHA-256 of the " + urls(list.fetched_urls) + " fetched; " +
         std::to_string(list.urls - list.fetched_urls) + " failed in every strategy\n";
}

std::string runs_note(const ListReport& list, bool unicode) {
  const auto runs = runs_of(list);
  if (runs < 2) return {};
  return std::string("wall: median of ") + std::to_string(runs) + " runs " + (unicode ? "\u00b1" : "+-") +
         " the farthest run";
}

}  // namespace fetcher::cli
