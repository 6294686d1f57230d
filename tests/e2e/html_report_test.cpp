// html_report_test.cpp: `fetcher bench --report FILE` end to end: a short synthetic bench against
// the emulated origin on loopback writes the report and says where, in one line on stderr; then
// headless Chromium (Debian's `chromium`, from .ci/install-deps) renders the page and a check
// script, added to a copy of it, reports every chart panel that drew nothing and every error.
// Without Chromium the rendering tests are skipped and say why.
#include "text_lines.hpp"
#include "run_process.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace fetcher {
namespace {

using testing::run_process;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using testing::lines_of;

// Debian's chromium, or another build of it, from PATH; empty when there is none.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path ? path : "/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const auto candidate = std::filesystem::path(directory) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return {};
}

// Added to a copy of the report (the report itself has no scripts): records errors from the
// start, and at the end of the body writes what it found into the DOM Chromium dumps: how many
// chart panels there are, which drew nothing (no SVG, a collapsed one, or no mark with a size),
// and how many notes stand in a chart's place.
constexpr const char* error_recorder =
    "<script>window.renderErrors = []; window.addEventListener('error', e => renderErrors.push(e.message));</script>\n";
constexpr const char* panel_check = R"(<script>
(function () {
  const figures = Array.from(document.querySelectorAll('figure'));
  const empty = figures.filter(figure => {
    const svg = figure.querySelector('svg');
    if (!svg) return true;
    const box = svg.getBoundingClientRect();
    const drawn = Array.from(svg.querySelectorAll('rect, circle, polyline')).filter(mark => {
      const b = mark.getBBox();
      return b.width > 0 || b.height > 0;
    });
    return box.width < 100 || box.height < 50 || drawn.length === 0;
  }).map(figure => (figure.querySelector('figcaption') || figure).textContent.trim());
  const notes = document.querySelectorAll('figure .note, .charts .note').length;
  const check = document.createElement('pre');
  check.id = 'render-check';
  check.textContent = 'figures=' + figures.length + ' empty=' + empty.length + ' notes=' + notes + ' errors=' +
                      renderErrors.length + '\n' + empty.concat(renderErrors).join('\n');
  document.body.appendChild(check);
})();
</script>
)";

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("fetcher-html-report-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // A bench of 40 URLs over 4 hosts at 5 ms each: under a second for any of the strategies used.
  testing::ProcessOutcome bench(const std::string& strategies, const std::filesystem::path& report,
                                std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments = {FETCHER_CLI_PATH, "bench",    "--synthetic", "40",
                                          "--hosts",        "4",        "--latency",   "5ms",
                                          "--strategies",   strategies, "--report",    report.string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run_process(arguments, {}, std::chrono::seconds(60));
  }

  std::filesystem::path directory_;
};

TEST_F(HtmlReportTest, SaysWhereTheReportWasWrittenInOneLine) {
  const auto report = directory_ / "report.html";
  for (const auto& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"-q"}, std::vector<std::string>{"--format", "json"}}) {
    const auto outcome = bench("sequential,async", report, extra);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    ASSERT_TRUE(std::filesystem::exists(report));
    std::size_t mentions = 0;
    for (const auto& line : lines_of(outcome.err)) {
      if (line.find("report") == std::string::npos) continue;
      ++mentions;
      EXPECT_EQ(line, "fetcher: HTML report written to " + report.string());
    }
    EXPECT_EQ(mentions, 1u) << outcome.err;
    // On stderr only: stdout stays the table or the JSON.
    EXPECT_EQ(outcome.out.find("HTML report written"), std::string::npos) << outcome.out;
    std::filesystem::remove(report);
  }
  // Without --report, no such line.
  const auto outcome = run_process(
      {FETCHER_CLI_PATH, "bench", "--synthetic", "8", "--hosts", "2", "--latency", "1ms", "--strategies", "async"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err.find("HTML report"), std::string::npos) << outcome.err;
}

struct Rendering {
  const char* name;
  const char* strategies;
  std::size_t figures;  // chart panels the page must show
};

void PrintTo(const Rendering& rendering, std::ostream* out) { *out << rendering.strategies; }

class HtmlReportRenders : public HtmlReportTest, public ::testing::WithParamInterface<Rendering> {};

// The page loads in Chromium without a console message (SVG attribute errors, such as a NaN
// coordinate, land there too) and every chart panel draws something.
TEST_P(HtmlReportRenders, InHeadlessChromiumWithoutErrorsOrEmptyPanels) {
  const auto chromium = find_chromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium, or run .ci/install-deps): "
                    "the HTML report's rendering is not checked";
  }
  const auto report = directory_ / "report.html";
  const auto outcome = bench(GetParam().strategies, report, {"--explain", "-q"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;

  auto html = read_file(report);
  ASSERT_EQ(html.find("<script"), std::string::npos) << "the report itself has no scripts";
  const auto head = html.find("<head>");
  const auto body_end = html.rfind("</body>");
  ASSERT_NE(head, std::string::npos);
  ASSERT_NE(body_end, std::string::npos);
  html.insert(body_end, panel_check);
  html.insert(head + 6, std::string("\n") + error_recorder);
  const auto page = directory_ / "checked.html";
  std::ofstream(page) << html;

  const auto profile = directory_ / "profile";
  // run_process stops Chromium after 60 s.
  const auto rendered = run_process(
      {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
       "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.string(), "--enable-logging=stderr",
       "--v=0", "--window-size=1200,2000", "--dump-dom", "file://" + page.string()},
      {}, std::chrono::seconds(60));
  ASSERT_FALSE(rendered.timed_out);
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  for (const auto& line : lines_of(rendered.err)) {
    EXPECT_EQ(line.find(":CONSOLE"), std::string::npos) << "the page logged: " << line;
  }
  const auto at = rendered.out.find("<pre id=\"render-check\">");
  ASSERT_NE(at, std::string::npos) << "the check script did not run:\n" << rendered.out.substr(0, 2000);
  const auto check = rendered.out.substr(at + 23, rendered.out.find("</pre>", at) - at - 23);
  EXPECT_EQ(check.substr(0, check.find('\n')),
            "figures=" + std::to_string(GetParam().figures) + " empty=0 notes=0 errors=0")
      << check;
}

INSTANTIATE_TEST_SUITE_P(
    Pools, HtmlReportRenders,
    ::testing::Values(Rendering{"NoPool", "sequential,async", 3}, Rendering{"OnePool", "sequential,pool:4,async", 3},
                      Rendering{"SeveralPools", "sequential,threads,pool:1,pool:4,pool:16,async", 3},
                      Rendering{"NoSequential", "pool:2,async", 2}),
    [](const auto& rendering) { return std::string(rendering.param.name); });

}  // namespace
}  // namespace fetcher
