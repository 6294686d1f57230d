// faults.hpp: a faulty site's answer to a request, written by the small writer of its fault
// (sites.hpp lists them). The faults of the connection itself (refuse, tls-*) happen on the
// site's own ports instead (listeners.cpp, connection.cpp).
#pragma once

#include "server_common.hpp"

#include <fetcher/origin/sites.hpp>

#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>

namespace fetcher::origin {

// True for the faults of the connection itself, which act only on the site's own ports.
bool is_connection_fault(Fault fault);

// Answers with the site's fault; true when the connection stays open for the next request.
// `site_body` is the site's page for `path`, which the faults that cut a body short cut.
template <typename Stream>
asio::awaitable<bool> answer_fault(Stream& stream, const Request& request, const Site& site, const std::string& path,
                                   const std::string& site_body);

extern template asio::awaitable<bool> answer_fault(beast::tcp_stream&, const Request&, const Site&, const std::string&,
                                                   const std::string&);
extern template asio::awaitable<bool> answer_fault(beast::ssl_stream<beast::tcp_stream>&, const Request&, const Site&,
                                                   const std::string&, const std::string&);

}  // namespace fetcher::origin
