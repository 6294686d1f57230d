// explain.cpp: reading a list's results into sentences. Every figure comes from the report;
// only the wording is fixed.
#include "bench/explain.hpp"

#include "common/terminal_style.hpp"
#include "common/units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

namespace fetcher::cli {
namespace {

// Within this fraction of the best, a strategy counts as "no faster": runs on a shared
// machine differ by a few percent.
constexpr double same_fraction = 0.05;
// A speedup under this is no speedup worth reading about.
constexpr double meaningful_speedup = 1.1;
// A bound within this fraction of the floor is what sets the floor.
constexpr double binding_fraction = 0.85;

std::string number(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// As the table prints it, so the two agree.
std::string times(double gain) { return number(gain, "%.2fx"); }

// Peak memory (the kernel counts it in KiB) as the HTML report's table prints it: "14.50 MiB".
std::string memory(long kib) { return format_bytes(static_cast<std::uint64_t>(std::max(0L, kib)) * 1024); }

std::string plural(std::size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "a", "a and b", "a, b and c".
std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

std::string sentence(std::string text) {
  if (text.empty()) return text;
  text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text + ".";
}

const StrategyRow* row_named(const ListReport& list, std::string_view name) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == name) return &row;
  }
  return nullptr;
}

struct Pool {
  unsigned workers = 0;
  const StrategyRow* row = nullptr;
};

// The pool:N rows, fewest workers first.
std::vector<Pool> pools(const ListReport& list) {
  std::vector<Pool> found;
  for (const auto& row : list.strategies) {
    const auto& name = row.report.strategy;
    if (name.rfind("pool:", 0) != 0) continue;
    try {
      found.push_back({static_cast<unsigned>(std::stoul(name.substr(5))), &row});
    } catch (const std::exception&) {
      // Not a pool name we understand; leave it out of the sweep.
    }
  }
  std::sort(found.begin(), found.end(), [](const Pool& a, const Pool& b) { return a.workers < b.workers; });
  return found;
}

double wall(const StrategyRow& row) { return row.report.wall_seconds(); }

// --- where the speedup stopped -----------------------------------------------------------------

std::string speedup_paragraph(const ListReport& list) {
  const auto* sequential = row_named(list, "sequential");
  const auto* best = fastest_row(list);
  if (!sequential || !best || list.strategies.size() < 2) return {};
  const double gain = speedup(list, *best);
  if (gain < meaningful_speedup) {
    return sentence("no strategy was much faster than sequential's " + format_seconds(wall(*sequential)) +
                    ": the fastest, " + best->report.strategy + ", took " + format_seconds(wall(*best)) + " (" +
                    times(gain) + ")");
  }
  return sentence("the speedup stopped at " + times(gain) + ": " + best->report.strategy + " took " +
                  format_seconds(wall(*best)) + " against sequential's " + format_seconds(wall(*sequential)));
}

// The host whose capacity costs the most: its URLs need ceil(urls / capacity) rounds.
struct CapacityBound {
  const HostModel* host = nullptr;
  std::size_t rounds = 0;
  double seconds = 0;
};

std::optional<CapacityBound> tightest_capacity(const ListModel& model) {
  std::optional<CapacityBound> tightest;
  for (const auto& host : model.hosts) {
    if (host.capacity == 0 || host.urls <= host.capacity) continue;
    const std::size_t rounds = (host.urls + host.capacity - 1) / host.capacity;
    const double seconds = static_cast<double>(rounds) * host.latency_s;
    if (!tightest || seconds > tightest->seconds) tightest = CapacityBound{&host, rounds, seconds};
  }
  return tightest;
}

std::string capacity_clause(const CapacityBound& bound) {
  const auto& host = *bound.host;
  if (host.capacity == 1) {
    return host.host + " serves one request at a time, so its " + std::to_string(host.urls) + " URLs take " +
           std::to_string(host.urls) + " x " + format_seconds(host.latency_s) + " = " + format_seconds(bound.seconds) +
           " whatever the client does";
  }
  return host.host + " serves " + std::to_string(host.capacity) + " requests at once, so its " +
         std::to_string(host.urls) + " URLs need " + std::to_string(bound.rounds) + " rounds of " +
         format_seconds(host.latency_s) + " (" + format_seconds(bound.seconds) + ") however many are sent together";
}

std::string slowest_clause(const ListModel& model) {
  std::string text = "the run cannot end before its slowest URL, " + model.slowest_url + ", which takes " +
                     format_seconds(model.slowest_url_s) + " alone";
  if (model.slowest_url_requests > 1) {
    text += " (" + std::to_string(model.slowest_url_requests) + " requests in a row: it redirects)";
  }
  return text;
}

// When fetches waited in a server's queue, latency grows with concurrency while the wall does not.
std::string queueing_clause(const ListReport& list) {
  const auto* sequential = row_named(list, "sequential");
  const StrategyRow* crowded = row_named(list, "threads");
  if (!crowded) crowded = row_named(list, "async");
  if (!sequential || !crowded || sequential->report.latency.count == 0 || crowded->report.latency.count == 0) return {};
  if (crowded->report.latency.p50 < 3 * sequential->report.latency.p50) return {};
  return "more concurrency only moved the waiting into the server's queue: the median fetch took " +
         format_seconds(crowded->report.latency.p50) + " with " + crowded->report.strategy + " against " +
         format_seconds(sequential->report.latency.p50) + " sequentially";
}

// Why the floor is where it is: the bound that sets it first (after a colon), the next one
// close behind as a sentence of its own, and the queueing it caused.
std::string limit_paragraph(const ListReport& list) {
  const auto& model = list.model;
  if (!model.known()) return {};
  const double floor = model.all_at_once_s;
  const auto capacity = tightest_capacity(model);
  const bool capacity_binds = capacity && capacity->rounds >= 2 && capacity->seconds >= binding_fraction * floor;
  const bool slowest_binds = !model.slowest_url.empty() && model.slowest_url_s >= binding_fraction * floor;
  std::string text =
      "even with every URL in flight at once, the sites' model allows no less than " + format_seconds(floor);
  if (capacity_binds && (!slowest_binds || capacity->seconds >= model.slowest_url_s)) {
    text = sentence(text + ": " + capacity_clause(*capacity));
    if (slowest_binds) text += " " + sentence("close behind, " + slowest_clause(model));
    if (const auto queueing = queueing_clause(list); !queueing.empty()) text += " " + sentence(queueing);
    return text;
  }
  if (slowest_binds) {
    text = sentence(text + ": " + slowest_clause(model));
    if (capacity_binds) text += " " + sentence("close behind, " + capacity_clause(*capacity));
    return text;
  }
  return sentence(text);
}

// --- the pool sweep ------------------------------------------------------------------------------

std::string pool_paragraph(const ListReport& list) {
  const auto sweep = pools(list);
  if (sweep.size() < 2) return {};
  double best = wall(*sweep.front().row);
  for (const auto& pool : sweep) best = std::min(best, wall(*pool.row));
  std::size_t knee = 0;
  while (wall(*sweep[knee].row) > best * (1 + same_fraction)) ++knee;
  std::string text;
  if (knee + 1 == sweep.size()) {
    text = sentence("every added worker helped, up to pool:" + std::to_string(sweep.back().workers) + " (" +
                    format_seconds(best) + "): more workers might still be faster");
  } else if (knee == 0) {
    text = sentence("adding workers did not help: pool:" + std::to_string(sweep.front().workers) + " took " +
                    format_seconds(wall(*sweep.front().row)) + " and pool:" + std::to_string(sweep.back().workers) +
                    " " + format_seconds(wall(*sweep.back().row)));
  } else {
    std::vector<std::string> names, walls;
    for (std::size_t i = knee + 1; i < sweep.size(); ++i) {
      names.push_back("pool:" + std::to_string(sweep[i].workers));
      walls.push_back(format_seconds(wall(*sweep[i].row)));
    }
    text = sentence("workers helped up to pool:" + std::to_string(sweep[knee].workers) + " (" +
                    format_seconds(wall(*sweep[knee].row)) + "); " + join(names) +
                    (names.size() == 1 ? " was" : " were") + " no faster (" + join(walls) + ")");
  }
  // Where the model says the sweep flattens, from the ideal column.
  if (list.model.known() && sweep.front().row->ideal_s >= 0) {
    double least = sweep.front().row->ideal_s;
    for (const auto& pool : sweep) least = std::min(least, pool.row->ideal_s);
    if (least <= list.model.all_at_once_s * 1.01) {
      const auto first =
          std::find_if(sweep.begin(), sweep.end(), [&](const Pool& pool) { return pool.row->ideal_s <= least * 1.01; });
      text += " " + sentence("in the model, " + plural(first->workers, "worker", "workers") +
                             (first->workers == 1 ? " already reaches" : " already reach") + " the floor of " +
                             format_seconds(least));
    } else {
      text += " " + sentence("in the model, more workers would help: pool:" + std::to_string(sweep.back().workers) +
                             " still needs " + format_seconds(least) + ", every URL at once " +
                             format_seconds(list.model.all_at_once_s));
    }
  }
  std::vector<std::string> idle;
  for (const auto& pool : sweep) {
    if (pool.workers > list.urls) idle.push_back("pool:" + std::to_string(pool.workers));
  }
  if (!idle.empty() && list.urls > 0) {
    text += " " + sentence("with " + plural(list.urls, "URL", "URLs") + ", " + join(idle) +
                           (idle.size() == 1 ? " has" : " have") + " more workers than work");
  }
  return text;
}

// --- overhead ------------------------------------------------------------------------------------

std::string efficiency_paragraph(const ListReport& list) {
  const StrategyRow* worst = nullptr;
  for (const auto& row : list.strategies) {
    if (row.efficiency() < 0) continue;
    if (!worst || row.efficiency() < worst->efficiency()) worst = &row;
  }
  if (!worst) return {};
  const double over = wall(*worst) - worst->ideal_s;
  const std::string percent = number(worst->efficiency() * 100, "%.0f%%");
  if (worst->efficiency() >= 0.9) {
    return sentence("every strategy came within " + number(100 - std::floor(worst->efficiency() * 100), "%.0f%%") +
                    " of its ideal; the most overhead: " + worst->report.strategy + ", " +
                    format_seconds(std::max(0.0, over)) + " over the ideal (" + percent + ")");
  }
  return sentence("the most overhead: " + worst->report.strategy + " reached only " + percent + " of its ideal, " +
                  format_seconds(over) + " over it");
}

// --- the event loop against threads --------------------------------------------------------------

std::string resources(const StrategyRow& row) {
  return row.report.strategy + " " + format_seconds(wall(row)) + ", " +
         plural(row.report.peak_threads, "thread", "threads") + ", " + memory(row.usage.peak_rss_kb);
}

std::string event_loop_paragraph(const ListReport& list) {
  const auto* async = row_named(list, "async");
  if (!async) return {};
  std::vector<const StrategyRow*> others;
  if (const auto* threads = row_named(list, "threads")) others.push_back(threads);
  if (const auto sweep = pools(list); !sweep.empty()) others.push_back(sweep.back().row);
  if (others.empty()) return {};
  std::string text = "wall time, peak threads and peak memory: " + resources(*async);
  for (const auto* other : others) text += "; " + resources(*other);
  text = sentence(text);
  const auto* most = *std::max_element(others.begin(), others.end(), [](const auto* a, const auto* b) {
    return a->report.peak_threads < b->report.peak_threads;
  });
  const long threads_saved =
      static_cast<long>(most->report.peak_threads) - static_cast<long>(async->report.peak_threads);
  const long memory_saved = most->usage.peak_rss_kb - async->usage.peak_rss_kb;
  if (threads_saved > 0) {
    // Under a megabyte, peak RSS differences are allocator noise, not a saving.
    const std::string saved = memory_saved >= 1024 ? " and " + memory(memory_saved) + " of memory," : "";
    text +=
        " " + sentence("against " + most->report.strategy + ", the event loop saved " +
                       plural(static_cast<std::size_t>(threads_saved), "thread", "threads") + saved + " and spent " +
                       format_seconds(async->usage.cpu_s()) + " of CPU against " + format_seconds(most->usage.cpu_s()));
  }
  return text;
}

std::string failure_paragraph(const ListReport& list) {
  std::vector<std::string> failed;
  for (const auto& row : list.strategies) {
    if (row.report.failed > 0) {
      failed.push_back(row.report.strategy + " " + std::to_string(row.report.failed) + "/" +
                       std::to_string(row.report.requests));
    }
  }
  if (failed.empty()) return {};
  return sentence("some fetches failed (" + join(failed) + "), so those rows time less work; the messages are above");
}

}  // namespace

std::vector<std::string> explain(const ListReport& list) {
  std::vector<std::string> paragraphs;
  for (auto text : {speedup_paragraph(list), limit_paragraph(list), pool_paragraph(list), efficiency_paragraph(list),
                    event_loop_paragraph(list), failure_paragraph(list)}) {
    if (!text.empty()) paragraphs.push_back(std::move(text));
  }
  return paragraphs;
}

std::string render_explanation(const ListReport& list, std::size_t width) {
  const auto paragraphs = explain(list);
  if (paragraphs.empty()) return {};
  std::string text = "reading " + list.name + ":\n";
  for (const auto& paragraph : paragraphs) {
    const auto lines = wrap_words("- " + paragraph, width, "  ");
    for (const auto& line : lines) text += line + "\n";
  }
  return text;
}

}  // namespace fetcher::cli
