// control.cpp: the JSON-lines protocol through which `fetcher bench` drives an origin running
// in its own process. Every answer is one line, flushed at once, because the other end blocks
// reading it.
#include <fetcher/origin/control.hpp>

#include <nlohmann/json.hpp>

#include <istream>
#include <ostream>

namespace fetcher::origin {
namespace {

std::string_view trimmed(std::string_view text) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

void write_line(std::ostream& out, const std::string& line) {
  out << line << '\n';
  out.flush();
}

}  // namespace

std::string ready_line(const Server& server) {
  nlohmann::json site_ports = nlohmann::json::array();
  for (const auto& site : server.site_ports()) {
    site_ports.push_back({{"host", site.host}, {"http_port", site.http_port}, {"https_port", site.https_port}});
  }
  const nlohmann::json ready = {
      {"http_port", server.http_port()},
      {"https_port", server.https_port()},
      {"ca_file", server.ca_file()},
      {"site_ports", std::move(site_ports)},
  };
  return ready.dump();
}

std::string stats_line(const Server& server) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& host : server.stats()) {
    hosts.push_back({
        {"host", host.host},
        {"requests", host.requests},
        {"connections", host.connections},
        {"peak_concurrent", host.peak_concurrent},
        {"min_start_gap_us", host.min_start_gap ? nlohmann::json(host.min_start_gap->count()) : nlohmann::json()},
    });
  }
  return nlohmann::json{{"hosts", std::move(hosts)}}.dump();
}

std::string paths_line(const Server& server) {
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& path : server.request_counts()) {
    paths.push_back({{"host", path.host}, {"target", path.target}, {"requests", path.requests}});
  }
  // A target may hold bytes that are not UTF-8: they are replaced, not thrown about.
  return nlohmann::json{{"paths", std::move(paths)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void run_control_loop(Server& server, std::istream& in, std::ostream& out) {
  write_line(out, ready_line(server));
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view command = trimmed(line);
    if (command.empty()) continue;
    if (command == "quit") return;
    if (command == "stats") {
      write_line(out, stats_line(server));
    } else if (command == "paths") {
      write_line(out, paths_line(server));
    } else if (command == "reset") {
      server.reset();
      write_line(out, nlohmann::json{{"ok", true}}.dump());
    } else {
      write_line(out, nlohmann::json{{"error", "unknown command: " + std::string(command)}}.dump());
    }
  }
}

}  // namespace fetcher::origin
