/* floor_common.h: what the floor's C clients and servers share (tests/perf/floor.sh compiles
 * each .c on its own; these are static functions in a header so no build step links them):
 * the monotonic clock, the loopback address, a listening socket, the fixed response, and the
 * open-files limit raised to its maximum. */
#ifndef FETCHER_FLOOR_COMMON_H
#define FETCHER_FLOOR_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static inline double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline struct sockaddr_in loopback_address(int port) {
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/* A socket listening on 127.0.0.1:PORT (type: SOCK_STREAM, optionally | SOCK_NONBLOCK), or -1
 * after saying why on stderr, prefixed with `name`. */
static inline int listen_on_loopback(const char* name, int port, int type, int backlog) {
  const int listener = socket(AF_INET, type, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const struct sockaddr_in address = loopback_address(port);
  if (bind(listener, (const struct sockaddr*)&address, sizeof address) != 0 || listen(listener, backlog) != 0) {
    fprintf(stderr, "%s: listen: %s\n", name, strerror(errno));
    return -1;
  }
  return listener;
}

/* "HTTP/1.1 200 OK" with a body of BODY 'x' bytes, whole; its length in *length. */
static inline char* fixed_response(long body, int* length) {
  char* response = malloc((size_t)body + 128);
  const int head = snprintf(response, 128, "HTTP/1.1 200 OK\r\nContent-Length: %ld\r\n\r\n", body);
  memset(response + head, 'x', (size_t)body);
  *length = head + (int)body;
  return response;
}

static inline void raise_open_files_limit(void) {
  struct rlimit files;
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
}

#endif
