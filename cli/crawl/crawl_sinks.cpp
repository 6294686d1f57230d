// crawl_sinks.cpp: the crawl's output flags settled, and each page written to the sinks they name.
#include "crawl/crawl_sinks.hpp"

#include "common/build_info.hpp"
#include "common/output_flags.hpp"
#include "common/result_json.hpp"
#include "common/saved_bodies.hpp"
#include "common/terminal_style.hpp"
#include "crawl/crawl_output.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace fetcher::cli {

CrawlOutput settle_output_flags(const CrawlArgs& args) {
  if (!args.format.empty() && args.format != "json") {
    throw std::invalid_argument("--format: a crawl writes json (one object per page), not '" + args.format + "'");
  }
  std::vector<std::string> notes;
  CrawlOutput how;
  if (!args.format.empty() || !args.output.empty()) how.records = args.output.empty() ? "-" : args.output;
  const bool new_records = !args.format.empty() || !args.output.empty();
  if (take_old_spelling(notes, "crawl", !args.old_jsonl.empty(), "--jsonl", new_records,
                        args.format.empty() ? "--output" : "--format",
                        args.old_jsonl == "-" ? "--format json" : "--format json --output FILE")) {
    how.records = args.old_jsonl;
  }
  how.save = save_directory(notes, "crawl", args.save, args.old_o, args.old_output_dir);
  for (const auto& note : notes) std::cerr << note << "\n";
  return how;
}

PageSinks::PageSinks(const CrawlArgs& args, const CrawlOutput& how) : save_dir_(how.save) {
  if (!how.records.empty() && how.records != "-") open_report_file(jsonl_file_, how.records);
  jsonl_ = how.records.empty() ? nullptr : (how.records == "-" ? &std::cout : &jsonl_file_);
  if (!save_dir_.empty()) {
    std::error_code error;
    std::filesystem::create_directories(save_dir_, error);
    if (error || !std::filesystem::is_directory(save_dir_)) {
      throw std::runtime_error("--save " + save_dir_ + ": cannot create directory" +
                               (error ? ": " + error.message() : std::string()));
    }
  }
  if (!args.warc.empty()) {
    warc_ = std::make_unique<crawl::WarcWriter>(
        args.warc, "fetcher/" + fetcher_version(),
        std::vector<std::pair<std::string, std::string>>{{"robots", args.robots == "on" ? "obey" : "ignore"},
                                                         {"http-header-user-agent", args.client.user_agent}});
  }
}

void PageSinks::write(const crawl::CrawlPage& page) {
  const auto& result = *page.result;
  std::string saved;
  ++numbered_;
  if (!save_dir_.empty() && result.delivered() && !result.body_skipped) {
    saved = save_body(std::filesystem::path(save_dir_) / safe_file_name(numbered_, 6, page.url), page.body);
    if (saved.empty()) ++save_failures_;
  }
  if (warc_ && result.delivered() && !result.body_skipped) {
    crawl::WarcExchange exchange;
    exchange.target_uri = page.url;
    exchange.date = page.started;
    exchange.request_head = page.request_head;
    exchange.status = result.status;
    for (std::size_t i = 0; i < result.headers.size(); ++i) {
      exchange.response_fields.emplace_back(result.headers[i].name, result.headers[i].value);
    }
    exchange.payload = page.body;
    warc_->write(exchange);
  }
  if (jsonl_) {
    auto record = page_to_json(page);
    if (!saved.empty()) record["saved"] = saved;
    *jsonl_ << json_line(record) << '\n' << std::flush;
    if (!*jsonl_) throw std::runtime_error("--output: cannot write: " + std::string(std::strerror(errno)));
  }
}

}  // namespace fetcher::cli
