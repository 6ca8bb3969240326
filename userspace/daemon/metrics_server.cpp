// SPDX-License-Identifier: Apache-2.0
// libmicrohttpd in "external epoll" mode: no thread, the daemon's loop drives it. The listening
// socket is made here rather than by the library, so a failed bind says why (in use, no such
// local address) instead of a bare NULL.
#include "syscope/daemon/metrics_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"

namespace syscope::daemon::metrics {
namespace {

constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

[[noreturn]] void bad_address(const std::string &what, const std::string &text) {
  throw Error(Exit::usage, what +
                               ": expected [HOST:]PORT (9090, 127.0.0.1:9090, 0.0.0.0:9090, "
                               "[::1]:9090), not \"" +
                               printable(text) + "\"");
}

bool parse_port(const std::string &text, uint16_t *port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned long n = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  if (n > 65535) return false;
  *port = static_cast<uint16_t>(n);
  return true;
}

MHD_Result send_text(MHD_Connection *connection, unsigned status, const std::string &body,
                     const char *type) {
  MHD_Response *response = MHD_create_response_from_buffer(
      body.size(), const_cast<char *>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_Result r = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return r;
}

}  // namespace

std::string MetricsAddress::text() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

MetricsAddress parse_metrics_address(const std::string &text, const std::string &what) {
  MetricsAddress out;
  if (parse_port(text, &out.port)) return out;  // a bare port: loopback only
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      bad_address(what, text);
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) bad_address(what, text);
    out.ipv6 = true;
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) bad_address(what, text);
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host == "localhost") host = "127.0.0.1";
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) bad_address(what, text);
  }
  if (!parse_port(port, &out.port)) bad_address(what, text);
  out.host = host;
  return out;
}

// The access handler: libmicrohttpd calls it on the loop's thread from MHD_run.
struct MetricsServer::Handler {
  static MHD_Result answer(void *cls, MHD_Connection *connection, const char *url,
                           const char *method, const char *, const char *, size_t *upload_size,
                           void **) {
    auto *self = static_cast<MetricsServer *>(cls);
    *upload_size = 0;  // a body is never read
    bool get = std::strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               std::strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!get || std::strcmp(url, "/metrics") != 0)
      return send_text(connection, MHD_HTTP_NOT_FOUND, "not found: GET /metrics\n",
                       "text/plain; charset=utf-8");
    ++self->scrapes_;
    return send_text(connection, MHD_HTTP_OK, self->body_, kContentType);
  }
};

MetricsServer::MetricsServer(const MetricsAddress &address) : bound_(address) {
  int family = address.ipv6 ? AF_INET6 : AF_INET;
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw Error(Exit::environment, "metrics: socket: " + errno_text(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (address.ipv6) {
    auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(address.port);
    inet_pton(AF_INET6, address.host.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto *a = reinterpret_cast<sockaddr_in *>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(address.port);
    inet_pton(AF_INET, address.host.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0 || listen(fd, 64) != 0) {
    int err = errno;
    close(fd);
    throw Error(Exit::environment,
                "metrics: cannot listen on " + address.text() + ": " + errno_text(err));
  }
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) == 0)
    bound_.port = ntohs(address.ipv6 ? reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port
                                     : reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  unsigned flags = MHD_USE_EPOLL | (address.ipv6 ? MHD_USE_IPv6 : 0);
  mhd_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &Handler::answer, this, MHD_OPTION_LISTEN_SOCKET, fd,
      // A scraper that stops mid-request holds a slot 10 s at most.
      MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_END);
  if (!mhd_) {
    close(fd);
    throw Error(Exit::environment, "metrics: libmicrohttpd could not start on " + bound_.text());
  }
}

MetricsServer::~MetricsServer() {
  if (mhd_) MHD_stop_daemon(mhd_);  // closes the listening socket too
}

int MetricsServer::poll_fd() const {
  const MHD_DaemonInfo *info = MHD_get_daemon_info(mhd_, MHD_DAEMON_INFO_EPOLL_FD);
  return info ? info->epoll_fd : -1;
}

void MetricsServer::serve() { MHD_run(mhd_); }

std::string MetricsServer::address() const { return bound_.text(); }

}  // namespace syscope::daemon::metrics
