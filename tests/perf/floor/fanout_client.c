/* fanout_client.c: the least a client can do to fetch N URLs at once: one thread, one epoll set,
 * N non-blocking connects started together, one write per request, reads until Content-Length is
 * in, then close. Prints the wall time, the wall time over the server's latency, how many came
 * back whole, and the CPU it used. With fanout_server.c it is the floor under the scale check
 * (10,000 URLs at once); against `fetcher serve` it shows the origin's share (tests/perf/floor.sh).
 *
 *   fanout_client PORT N HOSTS LATENCY_SECONDS   (requests /N on hosts h1..hHOSTS.synthetic.test)
 *   prints: over_ms wall_ms ok cpu_ms
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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

enum { max_fd = 1 << 17 };

/* Per socket: bytes of the response so far, and its whole length once the head is in. */
static long received[max_fd];
static long expected[max_fd];

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: fanout_client PORT N HOSTS LATENCY_SECONDS\n");
    return 2;
  }
  const int port = atoi(argv[1]);
  const int count = atoi(argv[2]);
  const int hosts = atoi(argv[3]);
  const double latency = atof(argv[4]);
  if (count <= 0 || count > 60000 || hosts <= 0) return 2;

  raise_open_files_limit();
  const struct sockaddr_in address = loopback_address(port);
  const int one = 1;
  const int poller = epoll_create1(0);
  const double started = now();
  int open = 0, ok = 0;
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || fd >= max_fd) {
      perror("fanout_client: socket");
      break;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr*)&address, sizeof address) != 0 && errno != EINPROGRESS) {
      close(fd);
      continue;
    }
    received[fd] = 0;
    expected[fd] = -(long)(i % hosts) - 1; /* before the request is sent: minus the host number */
    struct epoll_event writable = {.events = EPOLLOUT, .data.fd = fd};
    epoll_ctl(poller, EPOLL_CTL_ADD, fd, &writable);
    ++open;
  }

  struct epoll_event events[256];
  char buffer[65536];
  const double give_up = started + latency + 60;
  while (open > 0 && now() < give_up) {
    const int ready = epoll_wait(poller, events, 256, 200);
    for (int e = 0; e < ready; ++e) {
      const int fd = events[e].data.fd;
      if (expected[fd] < 0) { /* connected (or failed): send the request */
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        char request[160];
        const int length = snprintf(request, sizeof request, "GET /%d HTTP/1.1\r\nHost: h%ld.synthetic.test\r\n\r\n",
                                    fd, -expected[fd]);
        if (error != 0 || write(fd, request, (size_t)length) != length) {
          close(fd);
          --open;
          continue;
        }
        expected[fd] = 0;
        struct epoll_event readable = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(poller, EPOLL_CTL_MOD, fd, &readable);
        continue;
      }
      const ssize_t got = read(fd, buffer, sizeof buffer);
      if (got <= 0) {
        close(fd);
        --open;
        continue;
      }
      if (received[fd] == 0) { /* the head comes in the first read: the server writes it whole */
        const char* end = memmem(buffer, (size_t)got, "\r\n\r\n", 4);
        const char* field = memmem(buffer, (size_t)got, "Content-Length: ", 16);
        if (!end || !field || strncmp(buffer, "HTTP/1.1 200", 12) != 0) {
          close(fd);
          --open;
          continue;
        }
        expected[fd] = (end + 4 - buffer) + atol(field + 16);
      }
      received[fd] += got;
      if (received[fd] >= expected[fd]) {
        close(fd);
        --open;
        ++ok;
      }
    }
  }
  const double wall = now() - started;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                     (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
  printf("%.1f %.1f %d %.1f\n", (wall - latency) * 1e3, wall * 1e3, ok, cpu * 1e3);
  return ok == count ? 0 : 1;
}
