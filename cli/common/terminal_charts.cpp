// terminal_charts.cpp: bar chart and latency histogram drawn with characters.
#include "common/terminal_charts.hpp"

#include "common/units.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>

namespace fetcher::cli {
namespace {

// Widest a bar may be even on a wide terminal: longer bars add no precision a person reads.
constexpr std::size_t max_bar_cells = 50;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

std::string solid(const Style& style) { return style.unicode ? "\u2588" : "#"; }
std::string shade(const Style& style) { return style.unicode ? "\u2592" : "-"; }

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string pad_left(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::size_t cells_for(double value, double scale, std::size_t cells) {
  if (value <= 0 || scale <= 0) return 0;
  return static_cast<std::size_t>(std::lround(value / scale * static_cast<double>(cells)));
}

// One strategy's bar: solid up to the ideal, shaded from there to the wall time. The shade is
// rounded on its own, so an overhead under half a cell draws nothing rather than a whole cell.
std::string wall_bar(const StrategyRow& row, double scale, std::size_t cells, const Style& style) {
  const double wall = row.report.wall_seconds();
  const std::size_t total = std::max<std::size_t>(wall > 0 ? 1 : 0, cells_for(wall, scale, cells));
  if (row.ideal_s < 0) return paint(style, Paint::cyan, repeat(solid(style), total));
  const std::size_t over = std::min(total, cells_for(wall - row.ideal_s, scale, cells));
  return paint(style, Paint::cyan, repeat(solid(style), total - over)) +
         paint(style, Paint::yellow, repeat(shade(style), over));
}

const StrategyRow* find_row(const ListReport& list, const std::string& strategy) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == strategy) return &row;
  }
  return nullptr;
}

}  // namespace

std::string render_wall_bars(const ListReport& list, const Style& style, std::size_t width) {
  if (list.strategies.empty()) return {};
  // Wall times of runs that got no response measure only how fast things failed.
  if (std::all_of(list.strategies.begin(), list.strategies.end(),
                  [](const StrategyRow& row) { return row.report.latency.count == 0; })) {
    std::string text;
    for (const auto& line : wrap_words("wall time: not charted, no URL was fetched by any strategy", width, "  ")) {
      text += line + "\n";
    }
    return text;
  }
  std::size_t name_width = 0;
  std::size_t time_width = 0;
  double slowest = 0;
  bool any_ideal = false;
  for (const auto& row : list.strategies) {
    name_width = std::max(name_width, row.report.strategy.size());
    time_width = std::max(time_width, format_seconds(row.report.wall_seconds()).size());
    slowest = std::max(slowest, row.report.wall_seconds());
    any_ideal = any_ideal || row.ideal_s >= 0;
  }
  // "  name  bar time": whatever the name and time leave, up to max_bar_cells.
  const std::size_t fixed_part = 2 + name_width + 2 + 1 + time_width;
  const std::size_t cells = width > fixed_part + 10 ? std::min(max_bar_cells, width - fixed_part) : 10;
  std::string text = any_ideal ? "wall time: " + paint(style, Paint::cyan, solid(style)) + " ideal, " +
                                     paint(style, Paint::yellow, shade(style)) + " over the ideal\n"
                               : "wall time:\n";
  for (const auto& row : list.strategies) {
    text += "  " + pad_right(row.report.strategy, name_width) + "  " + wall_bar(row, slowest, cells, style) + " " +
            format_seconds(row.report.wall_seconds()) + "\n";
  }
  return text;
}

namespace {

// The smallest of 1, 2 and 5 times a power of ten that is at least `raw`; 1 us at least, the
// finest step a label shows.
double nice_step(double raw) {
  raw = std::max(raw, 1e-6);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * power >= raw * (1 - 1e-9)) return factor * power;
  }
  return 10 * power;
}

// Bin edges in one unit, chosen by the largest edge, with the decimals the step needs: adjacent
// labels always differ ("144.0 ms - 144.1 ms"), and no label carries digits the step lacks.
struct LabelFormat {
  double scale = 1;  // seconds per unit
  const char* unit = "s";
  int decimals = 0;

  LabelFormat(double largest_s, double step_s) {
    if (largest_s < 999.5e-6) {
      scale = 1e-6, unit = "us";
    } else if (largest_s < 0.9995) {
      scale = 1e-3, unit = "ms";
    }
    decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step_s / scale) + 1e-9)));
  }
  std::string operator()(double seconds) const {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f %s", decimals, seconds / scale, unit);
    return text;
  }
};

}  // namespace

std::vector<HistogramBin> latency_bins(const std::vector<double>& latencies_s, std::size_t bins) {
  if (latencies_s.empty()) return {};
  const auto [low, high] = std::minmax_element(latencies_s.begin(), latencies_s.end());
  if (*high <= *low) return {HistogramBin{*low, *high, latencies_s.size()}};
  if (bins == 0) {
    const double sturges = 1 + std::ceil(std::log2(static_cast<double>(latencies_s.size())));
    bins = std::clamp<std::size_t>(static_cast<std::size_t>(sturges), 1, 12);
  }
  // A round width (1, 2 or 5 times a power of ten) from a round edge: at most `bins` bins, and
  // edges a label can show exactly.
  const double step = nice_step((*high - *low) / static_cast<double>(bins));
  const double start = std::floor(*low / step + 1e-9) * step;
  const auto count = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((*high - start) / step - 1e-9)));
  std::vector<HistogramBin> result(count);
  for (std::size_t i = 0; i < count; ++i) {
    result[i].low_s = start + step * static_cast<double>(i);
    result[i].high_s = start + step * static_cast<double>(i + 1);
  }
  for (const double value : latencies_s) {
    const auto index = static_cast<std::size_t>(std::max(0.0, std::floor((value - start) / step + 1e-9)));
    result[std::min(index, count - 1)].count += 1;
  }
  return result;
}

std::string render_latency_histogram(const ListReport& list, const std::string& strategy, const Style& style,
                                     std::size_t width) {
  const auto* row = find_row(list, strategy);
  if (!row || row->latencies_s.empty()) return {};
  const auto bins = latency_bins(row->latencies_s);
  std::vector<std::string> labels;
  std::size_t label_width = 0;
  std::size_t most = 0;
  const LabelFormat label(bins.back().high_s, bins.front().high_s - bins.front().low_s);
  for (const auto& bin : bins) {
    // One value (every latency the same) is a point, not a range.
    labels.push_back(bin.high_s <= bin.low_s ? format_seconds(bin.low_s)
                                             : pad_left(label(bin.low_s), 7) + " - " + pad_right(label(bin.high_s), 7));
    label_width = std::max(label_width, labels.back().size());
    most = std::max(most, bin.count);
  }
  const std::size_t count_width = std::to_string(most).size();
  const std::size_t fixed_part = 2 + label_width + 2 + count_width + 2;
  const std::size_t cells = width > fixed_part + 10 ? std::min(max_bar_cells, width - fixed_part) : 10;
  const auto& latency = row->report.latency;
  // The title wraps at word boundaries on a narrow terminal; a figure stays with its unit.
  std::string text;
  for (const auto& line : wrap_words("latency of " + strategy + ", " + std::to_string(row->latencies_s.size()) +
                                         " fetches: p50 " + format_seconds(latency.p50) + ", p95 " +
                                         format_seconds(latency.p95) + ", max " + format_seconds(latency.max),
                                     width, "  ")) {
    text += line + "\n";
  }
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const std::size_t length =
        bins[i].count
            ? std::max<std::size_t>(1, cells_for(static_cast<double>(bins[i].count), static_cast<double>(most), cells))
            : 0;
    std::string line = "  " + labels[i] + "  " + pad_left(std::to_string(bins[i].count), count_width) + "  " +
                       paint(style, Paint::cyan, repeat(solid(style), length));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
  }
  return text;
}

std::string default_histogram_strategy(const ListReport& list) {
  if (find_row(list, "async")) return "async";
  const auto* best = fastest_row(list);
  return best ? best->report.strategy : std::string();
}

}  // namespace fetcher::cli
