// get_command.cpp: `fetcher get`, fetching for daily use: one line per URL as it completes, and on a
// terminal a progress line for long lists.
#include "commands.hpp"
#include "common/interrupt.hpp"
#include "common/output_flags.hpp"
#include "common/result_json.hpp"
#include "common/run_metadata.hpp"
#include "common/saved_bodies.hpp"
#include "common/shard.hpp"
#include "common/terminal_style.hpp"
#include "get/get_output.hpp"

#include <fetcher/run.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace fetcher::cli {
namespace {

// The "120/1,000 URLs  118 ok  2 failed  0:03" line on stderr, for a terminal only (not with -q):
// drawn once the list is longer than a screen's worth or the run has taken a second, erased
// before each result line so the two never share a row, then redrawn under it.
class GetProgress {
 public:
  GetProgress(bool enabled, std::size_t total) : enabled_(enabled), total_(total) {}

  void erase() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }

  void draw(std::size_t done, std::size_t ok, std::size_t failed) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (total_ <= long_list && elapsed < 1.0) return;
    std::cerr << "\r" << get_progress_line(done, total_, ok, failed, elapsed) << "\033[K" << std::flush;
    drawn_ = true;
  }

 private:
  static constexpr std::size_t long_list = 20;
  bool enabled_;
  std::size_t total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// What `get` writes and where, once the old spellings are settled.
struct GetOutput {
  bool json = false;   // --format json: JSON Lines
  std::string output;  // --output FILE; empty: standard output
  std::string save;    // --save DIR; empty: bodies are not kept
};

// --format, --output and --save, with the old spellings (--json, -o, --output-dir) applied: each
// prints its deprecation note, and one given together with its replacement is a usage error.
GetOutput settle_output_flags(const GetArgs& args) {
  std::vector<std::string> notes;
  GetOutput how;
  auto format = args.format;
  if (take_old_spelling(notes, "get", args.old_json, "--json", !args.format.empty(), "--format", "--format json")) {
    format = "json";
  }
  if (format.empty()) format = "table";
  if (format != "table" && format != "json") {
    throw std::invalid_argument("--format: expected table or json, not '" + format + "'");
  }
  how.json = format == "json";
  how.output = args.output;
  how.save = save_directory(notes, "get", args.save, args.old_o, args.old_output_dir);
  for (const auto& note : notes) std::cerr << note << "\n";
  return how;
}

}  // namespace

int get_command(const GetArgs& args) {
  const auto how = settle_output_flags(args);
  std::vector<FetchRequest> requests;
  for (std::size_t i = 0; i < args.urls.size(); ++i) {
    FetchRequest request;
    request.url = args.urls[i];
    request.source = "argument " + std::to_string(i + 1);
    request.error = check_url(request.url);
    requests.push_back(std::move(request));
  }
  for (const auto& path : args.input_lists) {
    auto more = load_url_list(path);
    requests.insert(requests.end(), more.begin(), more.end());
  }
  if (requests.empty()) throw std::invalid_argument("get: no URLs (give URLs as arguments or -i FILE)");
  // This worker's part of an array job; a shard may be empty, which is not an error.
  if (!args.shard.empty()) requests = select_shard(std::move(requests), parse_shard(args.shard));
  const auto strategy = Strategy::parse(args.strategy);
  const auto color = parse_color_mode(args.color);
  std::ofstream report_file;
  if (!how.output.empty()) open_report_file(report_file, how.output);
  std::ostream& out = how.output.empty() ? std::cout : report_file;
  const auto out_style = detect_style(color, how.output.empty() ? STDOUT_FILENO : -1);
  const auto err_style = detect_style(color, STDERR_FILENO);
  auto options = args.client.to_options();
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  if (!how.save.empty()) {
    std::error_code error;
    std::filesystem::create_directories(how.save, error);
    if (error || !std::filesystem::is_directory(how.save)) {
      throw std::runtime_error("--save " + how.save + ": cannot create directory");
    }
    options.keep_body = true;
  }
  raise_open_files_limit();
  Client client(options);
  RunOptions run_options;
  run_options.max_in_flight = args.max_in_flight;
  RunStopper stopper;
  run_options.stopper = &stopper;
  InterruptWatcher interrupt(stopper);

  std::size_t save_failures = 0;
  std::size_t done = 0;
  std::size_t ok = 0;
  GetProgress progress(!args.quiet && is_terminal(STDERR_FILENO), requests.size());
  const auto report = run(requests, strategy, client, run_options, [&](const FetchResult& result) {
    std::string saved;  // where the body went, for the line and the JSON record
    if (!how.save.empty() && result.ok()) {
      saved = save_body(std::filesystem::path(how.save) /
                            safe_file_name(result.index + 1, std::to_string(requests.size()).size(), result.final_url),
                        result.body);
      if (saved.empty()) ++save_failures;
    }
    // After Ctrl-C a person wants what finished, not a line per URL that never started;
    // JSON Lines keep one line per URL for scripts.
    ++done;
    ok += result.ok() ? 1 : 0;
    progress.erase();
    if (interrupt.interrupted() && result.error == ErrorKind::cancelled && !how.json) return;
    if (how.json) {
      auto record = round_floats(result_to_json(result));
      if (!saved.empty()) record["saved"] = saved;
      out << json_line(record) << "\n" << std::flush;
    } else {
      out << result_line(result, out_style) << (saved.empty() ? "" : "  saved " + printable(saved)) << "\n"
          << std::flush;
    }
    progress.draw(done, ok, done - ok);
  });
  progress.erase();  // the summary takes its place
  if (interrupt.interrupted()) {
    std::cerr << summary_line(report, err_style) << " (interrupted)\n";
    return exit_code_for_signal(interrupt.signal());
  }
  if (!args.quiet) std::cerr << summary_line(report, err_style) << "\n";
  return report.failed > 0 || save_failures > 0 ? exit_some_failed : exit_ok;
}

}  // namespace fetcher::cli
