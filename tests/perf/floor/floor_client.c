/* floor_client.c: the least a client can do for N sequential keep-alive GETs: one blocking
 * socket, one write per request, reads until Content-Length is in. Prints the wall time over
 * N x the server's latency, and how late the first byte of each response came (percentiles).
 * With floor_server.c it measures what this machine's kernel and scheduler cost per round trip,
 * the floor under every client's overhead in a sequential run (tests/perf/floor.sh).
 *
 *   floor_client PORT HOST N LATENCY_SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "floor_common.h"

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: floor_client PORT HOST N LATENCY_SECONDS\n");
    return 2;
  }
  const int port = atoi(argv[1]);
  const char* host = argv[2];
  const int count = atoi(argv[3]);
  const double latency = atof(argv[4]);
  if (count <= 0 || count > 100000) return 2;

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const struct sockaddr_in address = loopback_address(port);
  const struct timeval limit = {5, 0}; /* no read waits forever */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (const struct sockaddr*)&address, sizeof address) != 0) {
    perror("floor_client: connect");
    return 1;
  }

  static char buffer[1 << 20];
  double* late = calloc((size_t)count, sizeof *late);
  const double start = now();
  for (int i = 0; i < count; ++i) {
    char request[512];
    const int length = snprintf(request, sizeof request, "GET /page/%d HTTP/1.1\r\nHost: %s\r\n\r\n", i, host);
    const double sent = now();
    if (write(fd, request, (size_t)length) != length) {
      perror("floor_client: write");
      return 1;
    }
    size_t got = 0;
    long expected = -1; /* head + body, once the head is in */
    while (expected < 0 || (long)got < expected) {
      const ssize_t n = read(fd, buffer + got, sizeof buffer - got);
      if (n <= 0) {
        fprintf(stderr, "floor_client: the server closed or stalled at request %d\n", i);
        return 1;
      }
      if (got == 0) late[i] = (now() - sent - latency) * 1e6;
      got += (size_t)n;
      if (expected < 0) {
        const char* end = memmem(buffer, got, "\r\n\r\n", 4);
        const char* field = end ? strcasestr(buffer, "\r\nContent-Length:") : NULL;
        if (end && strncmp(buffer, "HTTP/1.1 200 ", 13) != 0) {
          fprintf(stderr, "floor_client: not a 200 response: %.40s\n", buffer);
          return 1;
        }
        if (end && !field) {
          fprintf(stderr, "floor_client: a response without Content-Length\n");
          return 1;
        }
        if (end) expected = (end + 4 - buffer) + atol(field + 17);
      }
      if (got == sizeof buffer) return 1;
    }
  }
  const double wall = now() - start;
  qsort(late, (size_t)count, sizeof *late, by_value);
  printf("%.3f %.1f %.1f %.1f\n", (wall - count * latency) * 1e3, late[count / 2], late[count * 9 / 10],
         (wall - count * latency) * 1e6 / count);
  free(late);
  close(fd);
  return 0;
}
