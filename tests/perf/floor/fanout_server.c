/* fanout_server.c: the least a server can do to answer many connections at once with a fixed
 * latency: one thread, one epoll set, non-blocking accept until the queue is empty, one read per
 * request, the answer written LATENCY after the request came (all latencies are equal, so the
 * waiting connections form a queue in arrival order), the socket closed when the client closes.
 * With fanout_client.c it measures what the kernel and scheduler of this machine cost to open,
 * serve and close N loopback connections at once: the floor under the scale check's overhead
 * (tests/perf/floor.sh --fanout). It exits after MAX_SECONDS.
 *
 *   fanout_server PORT LATENCY_SECONDS BODY_BYTES MAX_SECONDS   (prints nothing; ready when listening)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "floor_common.h"

enum { max_connections = 1 << 17 };

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: fanout_server PORT LATENCY_SECONDS BODY_BYTES MAX_SECONDS\n");
    return 2;
  }
  const int port = atoi(argv[1]);
  const double latency = atof(argv[2]);
  const long body = atol(argv[3]);
  const double stop_at = now() + atof(argv[4]);
  if (body < 0 || body > (1 << 20)) return 2;

  raise_open_files_limit();
  const int listener = listen_on_loopback("fanout_server", port, SOCK_STREAM | SOCK_NONBLOCK, SOMAXCONN);
  if (listener < 0) return 1;
  const int one = 1;
  int length = 0;
  const char* response = fixed_response(body, &length);

  /* The connections waiting for their answer, oldest first: a ring of (fd, due time). */
  int* waiting_fd = malloc(sizeof(int) * max_connections);
  double* waiting_due = malloc(sizeof(double) * max_connections);
  size_t first = 0, count = 0;

  const int poller = epoll_create1(0);
  struct epoll_event listening = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(poller, EPOLL_CTL_ADD, listener, &listening);
  struct epoll_event events[256];
  char request[4096];
  while (now() < stop_at) {
    int timeout_ms = 200;
    if (count > 0) {
      const double until = waiting_due[first] - now();
      timeout_ms = until <= 0 ? 0 : (int)(until * 1000) + 1;
      if (timeout_ms > 200) timeout_ms = 200;
    }
    const int ready = epoll_wait(poller, events, 256, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int accepted = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
          if (accepted < 0) break;
          setsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event readable = {.events = EPOLLIN, .data.fd = accepted};
          epoll_ctl(poller, EPOLL_CTL_ADD, accepted, &readable);
        }
        continue;
      }
      const ssize_t got = read(fd, request, sizeof request); /* one read: a request comes whole */
      if (got <= 0) {
        close(fd); /* the client is done (or gone); closing removes it from the epoll set */
        continue;
      }
      if (count == max_connections) {
        close(fd);
        continue;
      }
      const size_t slot = (first + count++) % max_connections;
      waiting_fd[slot] = fd;
      waiting_due[slot] = now() + latency;
    }
    const double time = now();
    while (count > 0 && waiting_due[first] <= time) {
      const int fd = waiting_fd[first];
      first = (first + 1) % max_connections;
      --count;
      if (write(fd, response, (size_t)length) != length) close(fd);
    }
  }
  return 0;
}
