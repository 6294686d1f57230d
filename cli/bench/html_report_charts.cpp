// html_report_charts.cpp: the HTML report's charts, drawn by hand as inline SVG: the frame, axes
// and ticks they share, and the four charts a list may get.
#include "bench/html_report_charts.hpp"

#include "bench/html_report.hpp"
#include "common/units.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace fetcher::cli {
namespace {

constexpr const char* measured_color = "#2563eb";
constexpr const char* fastest_color = "#16a34a";

Chart withheld(std::string reason) { return Chart{{}, {}, std::move(reason), false}; }

// An axis label: "0" at the origin rather than "0 us".
std::string seconds_label(double seconds) { return seconds == 0 ? std::string("0") : format_seconds(seconds); }

// The plot area of a chart inside its SVG, in pixels; the right margin leaves room for the
// last tick's label, centred on the plot's edge.
struct Frame {
  double width = 560, height = 300;
  double left = 64, right = 28, top = 16, bottom = 44;

  double plot_width() const { return width - left - right; }
  double plot_height() const { return height - top - bottom; }
};

// Round steps (1, 2, 5 x 10^k) from 0 to at least `high`, about five of them.
std::vector<double> nice_ticks(double high) {
  if (high <= 0) return {0, 1};
  const double rough = high / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  double step = magnitude;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= rough) break;
  }
  std::vector<double> ticks;
  for (double tick = 0; tick < high + step * 0.999; tick += step) ticks.push_back(tick);
  return ticks;
}

std::string svg_open(const Frame& frame, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + html_number(frame.width, "%.0f") + " " +
         html_number(frame.height, "%.0f") + "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
}

std::string text_at(double x, double y, const std::string& text, const char* anchor = "middle",
                    const char* css_class = "axis") {
  return "<text x=\"" + html_number(x) + "\" y=\"" + html_number(y) + "\" text-anchor=\"" + anchor + "\" class=\"" +
         css_class + "\">" + html_escape(text) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* css_class) {
  return "<line x1=\"" + html_number(x1) + "\" y1=\"" + html_number(y1) + "\" x2=\"" + html_number(x2) + "\" y2=\"" +
         html_number(y2) + "\" class=\"" + css_class + "\"/>\n";
}

// Horizontal grid lines and labels of a vertical axis from 0 to ticks.back().
std::string y_axis(const Frame& frame, const std::vector<double>& ticks,
                   const std::function<std::string(double)>& label, const std::string& title) {
  std::string svg;
  for (const double tick : ticks) {
    const double y = frame.top + frame.plot_height() * (1 - tick / ticks.back());
    svg += line(frame.left, y, frame.left + frame.plot_width(), y, "grid");
    svg += text_at(frame.left - 6, y + 4, label(tick), "end");
  }
  svg += "<text transform=\"translate(14 " + html_number(frame.top + frame.plot_height() / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">" + html_escape(title) + "</text>\n";
  return svg;
}

// Vertical grid lines and labels of a horizontal axis from 0 to ticks.back(), and its title.
std::string x_axis(const Frame& frame, const std::vector<double>& ticks,
                   const std::function<std::string(double)>& label, const std::string& title) {
  std::string svg;
  for (const double tick : ticks) {
    const double x = frame.left + frame.plot_width() * tick / ticks.back();
    svg += line(x, frame.top, x, frame.top + frame.plot_height(), "grid");
    svg += text_at(x, frame.top + frame.plot_height() + 18, label(tick));
  }
  return svg + text_at(frame.left + frame.plot_width() / 2, frame.height - 6, title);
}

const StrategyRow* row_named(const ListReport& list, std::string_view name) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == name) return &row;
  }
  return nullptr;
}

std::vector<std::pair<unsigned, const StrategyRow*>> pool_rows(const ListReport& list) {
  std::vector<std::pair<unsigned, const StrategyRow*>> pools;
  for (const auto& row : list.strategies) {
    if (row.report.strategy.rfind("pool:", 0) != 0) continue;
    try {
      pools.emplace_back(static_cast<unsigned>(std::stoul(row.report.strategy.substr(5))), &row);
    } catch (const std::exception&) {
      // Not a pool name this chart understands.
    }
  }
  std::sort(pools.begin(), pools.end());
  return pools;
}

std::string polyline(const std::vector<std::pair<double, double>>& points, const char* css_class) {
  std::string text = "<polyline class=\"" + std::string(css_class) + "\" points=\"";
  for (const auto& [x, y] : points) text += html_number(x) + "," + html_number(y) + " ";
  return text + "\"/>\n";
}

// The ideal as a wide pale band under the measured line and its dots: where the two coincide the
// band still shows round the line, so they never hide each other.
constexpr const char* measured_vs_ideal_key =
    "measured <span class=\"key measured\"></span> and ideal <span class=\"key ideal\"></span>";

// Wall time against the number of pool workers (log2 axis), measured and ideal, with threads
// and async as labelled horizontal references. Needs two pools or more: see wall_chart.
Chart workers_chart(const ListReport& list) {
  const auto pools = pool_rows(list);
  const Frame frame;
  double high = 0;
  for (const auto& [workers, row] : pools) high = std::max({high, row->report.wall_seconds(), row->ideal_s});
  for (const char* name : {"threads", "async"}) {
    if (const auto* row = row_named(list, name)) high = std::max(high, row->report.wall_seconds());
  }
  const auto ticks = nice_ticks(high);
  const double low_log = std::log2(pools.front().first);
  const double high_log = std::max(low_log + 1, std::log2(pools.back().first));
  const auto x_of = [&](unsigned workers) {
    return frame.left + frame.plot_width() * (std::log2(workers) - low_log) / (high_log - low_log);
  };
  const auto y_of = [&](double seconds) { return frame.top + frame.plot_height() * (1 - seconds / ticks.back()); };

  std::string svg = svg_open(frame, "wall time against pool workers for " + list.name);
  svg += y_axis(frame, ticks, seconds_label, "wall time");
  for (const auto& [workers, row] : pools) {
    svg += text_at(x_of(workers), frame.top + frame.plot_height() + 18, std::to_string(workers));
  }
  svg += text_at(frame.left + frame.plot_width() / 2, frame.height - 6, "pool workers");
  // threads labelled at the left end of its line, async at the right, so equal times do not overprint.
  for (const auto& [name, at_left] : {std::pair{"threads", true}, std::pair{"async", false}}) {
    if (const auto* row = row_named(list, name)) {
      const double y = y_of(row->report.wall_seconds());
      svg += line(frame.left, y, frame.left + frame.plot_width(), y, "reference");
      svg += text_at(at_left ? frame.left + 4 : frame.left + frame.plot_width() - 4, y - 5,
                     std::string(name) + " " + format_seconds(row->report.wall_seconds()), at_left ? "start" : "end",
                     "label");
    }
  }
  std::vector<std::pair<double, double>> measured, ideal;
  for (const auto& [workers, row] : pools) {
    measured.emplace_back(x_of(workers), y_of(row->report.wall_seconds()));
    if (row->ideal_s >= 0) ideal.emplace_back(x_of(workers), y_of(row->ideal_s));
  }
  const bool with_ideal = ideal.size() == pools.size();
  if (with_ideal) svg += polyline(ideal, "ideal");
  svg += polyline(measured, "measured");
  for (const auto& [x, y] : measured) {
    svg += "<circle cx=\"" + html_number(x) + "\" cy=\"" + html_number(y) + "\" r=\"4\" class=\"measured-dot\"/>\n";
  }
  // Each line named at its right end, the higher one above it and the lower one below, so the
  // names stay apart even where the lines meet.
  if (with_ideal) {
    const double right = measured.back().first - 6;
    const bool measured_higher = measured.back().second <= ideal.back().second;
    svg += text_at(right, measured.back().second + (measured_higher ? -10 : 18), "measured", "end", "measured-label");
    svg += text_at(right, ideal.back().second + (measured_higher ? 18 : -10), "ideal", "end", "ideal-label");
  }
  return Chart{std::string("Wall time vs pool workers: ") + (with_ideal ? measured_vs_ideal_key : "measured"),
               svg + "</svg>\n",
               {},
               false};
}

// With fewer than two pools there is no curve to draw: a bar per strategy instead, its wall time,
// with the ideal marked.
Chart wall_chart(const ListReport& list) {
  Frame frame;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 26.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  const auto* fastest = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
  double high = 0;
  for (const auto& row : list.strategies) high = std::max({high, row.report.wall_seconds(), row.ideal_s});
  // Headroom past the longest bar for its value label.
  const auto ticks = nice_ticks(high * 1.2);
  const auto x_of = [&](double seconds) { return frame.left + frame.plot_width() * seconds / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "wall time per strategy for " + list.name);
  svg += x_axis(frame, ticks, seconds_label, "wall time (lower is better)");
  bool any_ideal = false;
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double wall = std::max(0.0, row.report.wall_seconds());
    const double y = frame.top + band * static_cast<double>(i);
    svg += text_at(frame.left - 8, y + band / 2 + 4, row.report.strategy, "end", "label");
    svg += "<rect x=\"" + html_number(frame.left) + "\" y=\"" + html_number(y + band * 0.2) + "\" width=\"" +
           html_number(std::max(1.0, x_of(wall) - frame.left)) + "\" height=\"" + html_number(band * 0.6) +
           "\" fill=\"" + (&row == fastest ? fastest_color : measured_color) + "\"/>\n";
    double label_x = x_of(wall);
    if (row.ideal_s >= 0) {
      any_ideal = true;
      const double x = x_of(row.ideal_s);
      svg += line(x, y + band * 0.1, x, y + band * 0.9, "ideal-mark");
      label_x = std::max(label_x, x);
    }
    svg += text_at(label_x + 5, y + band / 2 + 4, format_seconds(wall), "start", "value");
  }
  return Chart{std::string("Wall time per strategy") +
                   (any_ideal ? ", and the ideal <span class=\"key ideal-mark\"></span>" : ""),
               svg + "</svg>\n",
               {},
               false};
}

// A horizontal bar per strategy: speedup against sequential, with the ideal speedup marked.
Chart speedup_chart(const ListReport& list) {
  const auto* sequential = row_named(list, "sequential");
  if (!sequential) return withheld("no speedup chart: it needs a sequential run to compare with");
  if (speedup(list, *sequential) < 0) {
    return withheld("no speedup chart: sequential got no response, so its wall time measures only failures");
  }
  Frame frame;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 26.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  const auto* fastest = fastest_row(list);
  double high = 1;
  for (const auto& row : list.strategies) {
    high = std::max(high, speedup(list, row));
    if (row.ideal_s > 0 && sequential->ideal_s > 0) high = std::max(high, sequential->ideal_s / row.ideal_s);
  }
  // Headroom past the longest bar for its value label.
  const auto ticks = nice_ticks(high * 1.15);
  const auto x_of = [&](double gain) { return frame.left + frame.plot_width() * gain / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "speedup against sequential for " + list.name);
  svg += x_axis(
      frame, ticks, [](double tick) { return html_number(tick, "%gx"); },
      "speedup against sequential (higher is better)");
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double gain = std::max(0.0, speedup(list, row));
    const double y = frame.top + band * static_cast<double>(i);
    svg += text_at(frame.left - 8, y + band / 2 + 4, row.report.strategy, "end", "label");
    svg += "<rect x=\"" + html_number(frame.left) + "\" y=\"" + html_number(y + band * 0.2) + "\" width=\"" +
           html_number(x_of(gain) - frame.left) + "\" height=\"" + html_number(band * 0.6) + "\" fill=\"" +
           (&row == fastest ? fastest_color : measured_color) + "\"/>\n";
    double label_x = x_of(gain);
    if (row.ideal_s > 0 && sequential->ideal_s > 0) {
      const double x = x_of(sequential->ideal_s / row.ideal_s);
      svg += line(x, y + band * 0.1, x, y + band * 0.9, "ideal-mark");
      label_x = std::max(label_x, x);  // the label goes past the tick, not over it
    }
    svg += text_at(label_x + 5, y + band / 2 + 4, html_number(gain, "%.2fx"), "start", "value");
  }
  return Chart{"Speedup against sequential, and the ideal speedup <span class=\"key ideal-mark\"></span>",
               svg + "</svg>\n",
               {},
               false};
}

// Every fetch's latency as a dot, one row per strategy, with the median and p95 as ticks of two
// colours (and the median's the longer), so each reads apart from the other and from the dots.
Chart latency_chart(const ListReport& list) {
  Frame frame;
  frame.width = 1140;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 30.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  double high = 0;
  for (const auto& row : list.strategies) {
    for (const double value : row.latencies_s) high = std::max(high, value);
  }
  if (high <= 0) return withheld("no latency chart: no fetch got a response");
  const auto ticks = nice_ticks(high);
  const auto x_of = [&](double seconds) { return frame.left + frame.plot_width() * seconds / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "latency of each fetch per strategy for " + list.name);
  svg += x_axis(frame, ticks, seconds_label, "latency of each fetch (lower is better)");
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double middle = frame.top + band * (static_cast<double>(i) + 0.5);
    svg += text_at(frame.left - 8, middle + 4, row.report.strategy, "end", "label");
    // Dots spread over the band by a fixed scramble of their index, so equal latencies stay
    // visible and the same report always draws the same picture.
    for (std::size_t k = 0; k < row.latencies_s.size(); ++k) {
      const double spread = (static_cast<double>((k * 2654435761u) % 1000) / 999.0 - 0.5) * band * 0.6;
      svg += "<circle cx=\"" + html_number(x_of(row.latencies_s[k])) + "\" cy=\"" + html_number(middle + spread) +
             "\" r=\"3\" class=\"dot\"/>\n";
    }
    if (row.report.latency.count > 0) {
      const double p95 = x_of(row.report.latency.p95);
      const double p50 = x_of(row.report.latency.p50);
      svg += line(p95, middle - band * 0.32, p95, middle + band * 0.32, "p95");
      svg += line(p50, middle - band * 0.45, p50, middle + band * 0.45, "p50");
    }
  }
  return Chart{
      "Latency of every fetch, per strategy: median <span class=\"key p50\"></span> and 95th percentile "
      "<span class=\"key p95\"></span>",
      svg + "</svg>\n",
      {},
      true};
}

}  // namespace

std::vector<Chart> list_charts(const ListReport& list) {
  return {pool_rows(list).size() >= 2 ? workers_chart(list) : wall_chart(list), speedup_chart(list),
          latency_chart(list)};
}

}  // namespace fetcher::cli
