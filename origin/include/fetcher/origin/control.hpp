// control.hpp: the line protocol through which `fetcher bench` drives an origin that runs in
// its own process (`fetcher serve --control`).
//
// On start the origin writes one JSON line to `out`:
//   {"http_port": P, "https_port": Q, "ca_file": "/tmp/.../ca.pem",
//    "site_ports": [{"host", "http_port", "https_port"}, ...]}   (sites with a fault)
// then answers each line read from `in`:
//   "stats"  -> {"hosts": [{"host", "requests", "connections", "peak_concurrent", "min_start_gap_us"}, ...]}
//               (HostStats; "min_start_gap_us" is whole microseconds, null until a host's second request)
//   "paths"  -> {"paths": [{"host", "target", "requests"}, ...]}   (Server::request_counts)
//   "reset"  -> {"ok": true}
//   "quit" or end of input -> returns
#pragma once

#include <fetcher/origin/server.hpp>

#include <iosfwd>
#include <string>

namespace fetcher::origin {

std::string ready_line(const Server& server);
std::string stats_line(const Server& server);
std::string paths_line(const Server& server);

// Blocks reading commands until "quit" or end of input; the server keeps serving meanwhile.
void run_control_loop(Server& server, std::istream& in, std::ostream& out);

}  // namespace fetcher::origin
