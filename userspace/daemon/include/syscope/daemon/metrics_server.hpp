// SPDX-License-Identifier: Apache-2.0
// The daemon's /metrics listener (libmicrohttpd, no thread of its own): the daemon's loop polls
// its fd and calls serve(), so the HTTP side runs on the loop's thread, answers only from the
// text last published, and never touches daemon state. GET /metrics answers; anything else 404.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

struct MHD_Daemon;

namespace syscope::daemon::metrics {

struct MetricsAddress {
  std::string host = "127.0.0.1";  // a numeric IPv4 or IPv6 address
  uint16_t port = 0;               // 0: any free port (the bound one is in address())
  bool ipv6 = false;
  std::string text() const;  // "127.0.0.1:9090", "[::1]:9090"
};

// "9090" -> 127.0.0.1:9090 (loopback unless an address is given), "0.0.0.0:9090",
// "[::]:9090", "localhost:9090". Exit::usage with one line for anything else, naming `what`.
MetricsAddress parse_metrics_address(const std::string &text, const std::string &what);

class MetricsServer {
 public:
  // Binds and listens; Exit::environment when the address cannot be bound (in use, not local).
  explicit MetricsServer(const MetricsAddress &address);
  ~MetricsServer();
  MetricsServer(const MetricsServer &) = delete;
  MetricsServer &operator=(const MetricsServer &) = delete;

  int poll_fd() const;  // readable when a connection needs serving
  void serve();         // answers what is ready, never blocks
  void publish(std::string body) { body_ = std::move(body); }
  const std::string &body() const { return body_; }
  std::string address() const;  // as bound: "127.0.0.1:9090"
  uint64_t scrapes() const { return scrapes_; }

 private:
  struct Handler;
  MHD_Daemon *mhd_ = nullptr;
  MetricsAddress bound_;
  std::string body_;
  uint64_t scrapes_ = 0;
};

}  // namespace syscope::daemon::metrics
