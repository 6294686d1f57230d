// process_origin.cpp: see process_origin.hpp.
#include "process_origin.hpp"

#include "test_origin.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fetcher::testing {
namespace {

constexpr int answer_limit_ms = 30'000;  // a hung origin fails the test instead of hanging it

}  // namespace

ProcessOrigin::ProcessOrigin(const std::string& fetcher_path, const std::string& sites_toml)
    : sites_(origin::parse_sites(sites_toml, "test-sites.toml")) {
  char path[] = "/tmp/fetcher-test-sites-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  sites_file_ = path;
  std::ofstream(sites_file_) << sites_toml;

  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    throw std::runtime_error("pipe failed");
  }
  // posix_spawn, not fork: the child runs nothing of this process's before exec.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  std::vector<std::string> arguments{fetcher_path, "serve", "--sites", sites_file_, "--control"};
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawn(&pid_, fetcher_path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  to_origin_ = to_child[1];
  from_origin_ = from_child[0];
  if (spawned != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + fetcher_path + ": " + std::strerror(spawned));
  }

  const auto ready = nlohmann::json::parse(read_line());
  http_port_ = ready.at("http_port").get<std::uint16_t>();
  https_port_ = ready.at("https_port").get<std::uint16_t>();
  ca_file_ = ready.at("ca_file").get<std::string>();
  for (const auto& site : ready.at("site_ports")) {
    site_ports_.push_back({site.at("host").get<std::string>(), site.at("http_port").get<std::uint16_t>(),
                           site.at("https_port").get<std::uint16_t>()});
  }
}

ProcessOrigin::~ProcessOrigin() {
  if (to_origin_ >= 0) {
    [[maybe_unused]] const auto written = ::write(to_origin_, "quit\n", 5);
    ::close(to_origin_);  // end of its input ends it too
  }
  if (from_origin_ >= 0) ::close(from_origin_);
  if (pid_ > 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (!sites_file_.empty()) ::unlink(sites_file_.c_str());
}

FetchOptions ProcessOrigin::client_options() const {
  return client_options_for(site_ports_, http_port_, https_port_, ca_file_);
}

std::string ProcessOrigin::expected_digest(const std::string& host, const std::string& path) const {
  const auto* site = sites_.find(host);
  if (!site) throw std::logic_error("no such test site: " + host);
  return sha256_hex(origin::make_body(sites_, *site, path));
}

std::vector<origin::HostStats> ProcessOrigin::stats() {
  const auto answer = nlohmann::json::parse(command("stats"));
  std::vector<origin::HostStats> hosts;
  for (const auto& host : answer.at("hosts")) {
    origin::HostStats stats{host.at("host").get<std::string>(), host.at("requests").get<std::uint64_t>(),
                            host.at("connections").get<std::uint64_t>(), host.at("peak_concurrent").get<unsigned>(),
                            std::nullopt};
    const auto gap = host.value("min_start_gap_us", nlohmann::json());
    if (!gap.is_null()) stats.min_start_gap = std::chrono::microseconds(gap.get<std::int64_t>());
    hosts.push_back(std::move(stats));
  }
  return hosts;
}

void ProcessOrigin::reset() {
  const auto answer = nlohmann::json::parse(command("reset"));
  if (!answer.value("ok", false)) throw std::runtime_error("origin refused reset: " + answer.dump());
}

std::string ProcessOrigin::command(const std::string& line) {
  const std::string out = line + "\n";
  if (::write(to_origin_, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    throw std::runtime_error("origin process is gone (write failed)");
  }
  return read_line();
}

std::string ProcessOrigin::read_line() {
  while (true) {
    const auto end = pending_.find('\n');
    if (end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    pollfd readable{from_origin_, POLLIN, 0};
    const int ready = ::poll(&readable, 1, answer_limit_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) throw std::runtime_error("origin process did not answer within 30 s");
    char buffer[4096];
    const auto got = ::read(from_origin_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw std::runtime_error("origin process ended before answering");
    pending_.append(buffer, static_cast<std::size_t>(got));
  }
}

std::vector<pid_t> child_processes() {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat_file(entry.path() / "stat");
    std::string stat;
    std::getline(stat_file, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const auto after_name = stat.rfind(')');
    if (after_name == std::string::npos) continue;
    std::istringstream fields(stat.substr(after_name + 1));
    std::string state;
    pid_t parent = 0;
    if (fields >> state >> parent && parent == ::getpid()) children.push_back(std::stoi(name));
  }
  return children;
}

}  // namespace fetcher::testing
