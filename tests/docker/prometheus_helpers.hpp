// SPDX-License-Identifier: Apache-2.0
// A real Prometheus (Debian's package) for the metrics test: started on loopback with its own
// config and temp storage, scraping one target every second, asked through its HTTP API. And
// plain HTTP/1.0 GETs on loopback, so the test needs no HTTP library of its own.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "../common/temp_dir.hpp"
#include "docker_helpers.hpp"

namespace syscope::test {

// A port nobody listens on now (bound to port 0 and released: the kernel does not hand it out
// again at once).
inline uint16_t free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
    throw std::runtime_error("no free loopback port");
  close(fd);
  return ntohs(a.sin_port);
}

struct HttpAnswer {
  int status = 0;  // 0: no answer (refused, cut)
  std::string headers, body;
};

// GET path from 127.0.0.1:port as HTTP/1.0 (the server closes when done).
inline HttpAnswer http_get(uint16_t port, const std::string &path) {
  HttpAnswer out;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return out;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  std::string raw;
  if (connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
      write(fd, request.data(), request.size()) == ssize_t(request.size())) {
    char buf[16384];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) raw.append(buf, size_t(n));
  }
  close(fd);
  auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos || raw.size() < 12) return out;
  out.status = std::stoi(raw.substr(9, 3));
  out.headers = raw.substr(0, end);
  out.body = raw.substr(end + 4);
  return out;
}

inline std::string url_encode(const std::string &text) {
  static const char *hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class TestPrometheus {
 public:
  // Scrapes `target` ("127.0.0.1:9090") every second; storage and config in `dir`.
  TestPrometheus(const TempDir &dir, const std::string &target) : port_(free_loopback_port()) {
    std::string config = dir.file("prometheus.yml");
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                             "scrape_configs:\n  - job_name: syscope\n    static_configs:\n"
                             "      - targets: ['"
                          << target << "']\n";
    process_ = std::make_unique<Background>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config,
                                 "--storage.tsdb.path=" + dir.file("prometheus-data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        dir.file("prometheus.log"));
  }
  // Until /-/ready answers 200.
  bool wait_ready(double seconds = 60) const {
    for (int i = 0; i < seconds * 10; ++i) {
      if (http_get(port_, "/-/ready").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // GET /api/v1/<what> as JSON (null when it did not answer 200 with JSON).
  nlohmann::json api(const std::string &what) const {
    auto r = http_get(port_, "/api/v1/" + what);
    if (r.status != 200) return nullptr;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  nlohmann::json query(const std::string &promql) const {
    return api("query?query=" + url_encode(promql));
  }
  std::string log() const { return process_->log(); }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
  std::unique_ptr<Background> process_;
};

}  // namespace syscope::test
