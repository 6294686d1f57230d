// serve_command.cpp: `fetcher serve`, the emulated origin on its own, for any client to use.
#include "commands.hpp"

#include <fetcher/origin/control.hpp>
#include <fetcher/origin/server.hpp>
#include <fetcher/run.hpp>

#include <csignal>
#include <iostream>

#include <malloc.h>
#include <pthread.h>

namespace fetcher::cli {

int serve_command(const ServeArgs& args) {
  raise_open_files_limit();
  const auto sites_path = args.sites.empty() ? urls_directory() + "/sites.toml" : args.sites;
  auto sites = origin::load_sites(sites_path);
  if (args.http_port > 65535 || args.https_port > 65535) throw std::invalid_argument("serve: port out of range");
  origin::ServerOptions options;
  options.address = args.address;
  options.http_port = static_cast<std::uint16_t>(args.http_port);
  options.https_port = static_cast<std::uint16_t>(args.https_port);

  // Block the stop signals before the server starts its threads, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // One malloc arena for the whole process. The origin's loop runs on a thread of its own, and a
  // thread's arena grows by an mprotect call per few pages it takes (glibc pads only the main
  // arena's growth), each call followed by page faults: more than one call per connection when
  // thousands arrive at once. The main arena grows in padded steps, on huge pages when the
  // bench asks for them. The main thread only reads the control channel, so the loop thread has
  // the arena to itself. See docs/performance.md, "Origin: one malloc arena".
  mallopt(M_ARENA_MAX, 1);
  origin::Server server(std::move(sites), options);
  server.start();
  if (args.control) {
    origin::run_control_loop(server, std::cin, std::cout);
    server.stop();
    return exit_ok;
  }

  const auto http = std::to_string(server.http_port());
  const auto https = std::to_string(server.https_port());
  std::cout << "emulated origin serving " << server.sites().sites.size() << " sites from " << sites_path << "\n"
            << "  http:  " << args.address << ":" << http << "\n"
            << "  https: " << args.address << ":" << https << "\n"
            << "  CA:    " << server.ca_file() << "\n";
  for (const auto& site : server.site_ports()) {
    std::cout << "  " << site.host << " (faulty site, ports of its own): http " << args.address << ":" << site.http_port
              << ", https " << args.address << ":" << site.https_port << "\n";
  }
  std::cout << "try:\n";
  if (!server.sites().sites.empty()) {
    const auto& host = server.sites().sites.front().host;
    std::cout << "  curl --connect-to ::" << args.address << ":" << https << " --cacert " << server.ca_file()
              << " https://" << host << "/\n"
              << "  fetcher get --connect-to :80:" << args.address << ":" << http
              << " --connect-to :443:" << args.address << ":" << https << " --cacert " << server.ca_file()
              << " https://" << host << "/\n";
  }
  std::cout << "Ctrl-C stops it.\n" << std::flush;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.stop();
  std::cerr << "stopped\n";
  return exit_ok;
}

}  // namespace fetcher::cli
