// one_fetch_loop.hpp: marks an event loop that runs one fetch at a time (a blocking strategy's
// private loop, Client::fetch's), where a fetch has no one to give way to. Marked before its
// first fetch: the loop's connection pool reads the mark once, when the first fetch makes it.
#pragma once

#include <boost/asio/execution_context.hpp>

namespace fetcher::detail {

// Present as a service only in the loops that were marked; it holds nothing.
class OneFetchLoop : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;
  explicit OneFetchLoop(boost::asio::execution_context& context) : service(context) {}

 private:
  void shutdown() override {}
};

inline void mark_one_fetch_loop(boost::asio::execution_context& loop) {
  if (!boost::asio::has_service<OneFetchLoop>(loop)) boost::asio::make_service<OneFetchLoop>(loop);
}

inline bool is_one_fetch_loop(boost::asio::execution_context& loop) {
  return boost::asio::has_service<OneFetchLoop>(loop);
}

}  // namespace fetcher::detail
