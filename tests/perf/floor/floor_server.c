/* floor_server.c: the least a server can do to answer with a fixed latency: one connection at a
 * time, epoll to wait for each request, the latency counted from the kernel's receive timestamp,
 * an absolute-time sleep to 1.5 ms before the deadline and a spin for the rest (all as the
 * emulated origin does), one write of a fixed response. It exits after MAX_SECONDS.
 *
 *   floor_server PORT LATENCY_SECONDS BODY_BYTES MAX_SECONDS   (prints nothing; ready when listening)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "floor_common.h"

/* Reads the request; returns when its first byte reached the socket, on the monotonic clock
 * (the kernel stamps wall-clock time), or the time now when there is no stamp; -1 at the end. */
static double read_request(int fd, char* buffer, size_t size) {
  char control[256];
  struct iovec vector = {buffer, size};
  struct msghdr message = {0};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  if (recvmsg(fd, &message, 0) <= 0) return -1;
  const double monotonic = now();
  for (struct cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
    struct timespec stamp, wall;
    memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
    clock_gettime(CLOCK_REALTIME, &wall);
    const double age = (double)(wall.tv_sec - stamp.tv_sec) + (double)(wall.tv_nsec - stamp.tv_nsec) / 1e9;
    if (age >= 0 && age < 1) return monotonic - age;
  }
  return monotonic;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: floor_server PORT LATENCY_SECONDS BODY_BYTES MAX_SECONDS\n");
    return 2;
  }
  const int port = atoi(argv[1]);
  const double latency = atof(argv[2]);
  const long body = atol(argv[3]);
  const double stop_at = now() + atof(argv[4]);
  if (body < 0 || body > (1 << 24)) return 2;

  const int listener = listen_on_loopback("floor_server", port, SOCK_STREAM, 8);
  if (listener < 0) return 1;
  const int one = 1;
  int length = 0;
  const char* response = fixed_response(body, &length);

  const int poller = epoll_create1(0);
  struct epoll_event listening = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(poller, EPOLL_CTL_ADD, listener, &listening);
  while (now() < stop_at) {
    struct epoll_event event;
    if (epoll_wait(poller, &event, 1, 200) <= 0) continue;
    const int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    const int connection_poller = epoll_create1(0); /* not the listener's: one client at a time */
    struct epoll_event readable = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(connection_poller, EPOLL_CTL_ADD, fd, &readable);
    char request[4096];
    while (now() < stop_at) {
      if (epoll_wait(connection_poller, &event, 1, 200) <= 0) continue;
      const double arrived = read_request(fd, request, sizeof request); /* one read: the client sends each whole */
      if (arrived < 0) break;
      const double deadline = arrived + latency;
      const double wake = deadline - 0.0015;
      if (wake > now()) {
        const struct timespec at = {(time_t)wake, (long)((wake - (double)(time_t)wake) * 1e9)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
      }
      while (now() < deadline) {
      }
      if (write(fd, response, (size_t)length) != length) break;
    }
    close(connection_poller);
    close(fd);
  }
  return 0;
}
