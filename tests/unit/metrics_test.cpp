// SPDX-License-Identifier: Apache-2.0
// The /metrics page: escaping and layout of the exposition format, the per-container series'
// cap and expiry, the listen address, and the listener answering real HTTP on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "../common/temp_dir.hpp"
#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/daemon/daemon_config.hpp"
#include "syscope/daemon/metrics_exposition.hpp"
#include "syscope/daemon/metrics_server.hpp"
#include "syscope/daemon/metrics_state.hpp"

using namespace syscope;
using namespace syscope::daemon::metrics;
using namespace std::chrono_literals;

namespace {

const ContainerLabels kWeb{"0123456789abcdef0123", "web", "nginx:1.25"};
const DenialLabels kUnshare{"unshare", "EPERM", "errno"};

std::string page(const ContainerSeries &series) {
  Exposition out;
  series.render(out);
  return out.text();
}

Exit usage_code(const std::string &text) {
  try {
    parse_metrics_address(text, "--metrics");
  } catch (const Error &e) {
    return e.code;
  }
  return Exit::ok;
}

// One HTTP/1.0 request to 127.0.0.1:port, the server driven in this thread until it answers.
std::string http_get(MetricsServer &server, uint16_t port, const std::string &request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);  // the backlog takes it
  REQUIRE(write(fd, request.data(), request.size()) == ssize_t(request.size()));
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    server.serve();
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) break;  // HTTP/1.0: the server closes after its answer
    if (n > 0) answer.append(buf, size_t(n));
    if (n < 0) usleep(1000);
  }
  close(fd);
  return answer;
}

// "HTTP/1.1 200 OK\r\n..." -> "200".
std::string status_of(const std::string &answer) {
  return answer.rfind("HTTP/1.", 0) == 0 && answer.size() > 12 ? answer.substr(9, 3) : "";
}

}  // namespace

TEST_CASE("label values escape backslash quote and newline only", "[metrics]") {
  CHECK(escape_label_value(R"(a\b"c)") == R"(a\\b\"c)");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("tab\there, caf\xc3\xa9") == "tab\there, caf\xc3\xa9");
  CHECK(escape_help("a\\b \"q\"\nx") == "a\\\\b \"q\"\\nx");
}

TEST_CASE("a family is HELP TYPE then its samples", "[metrics]") {
  Exposition out;
  out.counter("syscope_x_total", "Things\ncounted");
  out.sample({{"image", "reg/x:1 \"q\""}, {"errno", ""}}, uint64_t{18446744073709551615ull});
  out.gauge("process_cpu", "CPU");
  out.sample({}, 0.25);
  out.sample({}, 3.0);
  CHECK(out.text() ==
        "# HELP syscope_x_total Things\\ncounted\n"
        "# TYPE syscope_x_total counter\n"
        "syscope_x_total{image=\"reg/x:1 \\\"q\\\"\",errno=\"\"} 18446744073709551615\n"
        "# HELP process_cpu CPU\n"
        "# TYPE process_cpu gauge\n"
        "process_cpu 0.25\n"
        "process_cpu 3\n");
}

TEST_CASE("denial labels come from libseccomp and glibc", "[metrics]") {
  auto unshare = denial_labels(SYSCOPE_ARCH_NATIVE, 272, SYSCOPE_ACTION_ERRNO, 1);
  CHECK(unshare.syscall == "unshare");
  CHECK(unshare.errno_name == "EPERM");
  CHECK(unshare.action == "errno");
  // Numbers without a name fold into one label value, whatever the caller tried.
  CHECK(denial_labels(SYSCOPE_ARCH_NATIVE, 100000, SYSCOPE_ACTION_ERRNO, 38).syscall == "unknown");
  CHECK(denial_labels(SYSCOPE_ARCH_NATIVE, -5, SYSCOPE_ACTION_ERRNO, 38).syscall == "unknown");
  auto killed = denial_labels(SYSCOPE_ARCH_COMPAT, 1, SYSCOPE_ACTION_KILL_PROCESS, 31);
  CHECK(killed.syscall == "exit");  // i386's 1
  CHECK(killed.errno_name.empty());
  CHECK(killed.action == "kill_process");
}

TEST_CASE("a container's denial series carry its labels", "[metrics]") {
  ContainerSeries series;
  auto t0 = Clock::now();
  series.denial(kWeb, kUnshare, t0);
  series.denial(kWeb, kUnshare, t0);
  series.host_denial({"mount", "EPERM", "errno"});
  std::string text = page(series);
  CHECK(
      text.find("syscope_denials_total{container=\"web\",container_id=\"0123456789ab\","
                "image=\"nginx:1.25\",syscall=\"unshare\",errno=\"EPERM\",action=\"errno\"} 2\n") !=
      std::string::npos);
  CHECK(text.find("syscope_denials_total{container=\"\",container_id=\"\",image=\"\","
                  "syscall=\"mount\",errno=\"EPERM\",action=\"errno\"} 1\n") != std::string::npos);
  CHECK(text.find("# TYPE syscope_denials_total counter\n") != std::string::npos);
}

TEST_CASE("a gone container's series go keep_exited after it", "[metrics]") {
  ContainerSeries series(60s);
  auto t0 = Clock::now();
  series.denial(kWeb, kUnshare, t0);
  std::map<std::string, ContainerLabels> running{{kWeb.id, kWeb}};
  series.observe(running, t0 + 1h);  // running for an hour: kept however long
  CHECK(series.containers() == 1);
  series.observe({}, t0 + 2h);  // gone from here on
  series.observe({}, t0 + 2h + 59s);
  CHECK(series.containers() == 1);
  CHECK(page(series).find("container=\"web\"") != std::string::npos);
  series.observe({}, t0 + 2h + 60s);
  CHECK(series.containers() == 0);
  CHECK(page(series).find("container=\"web\"") == std::string::npos);
}

TEST_CASE("a container back before its expiry keeps its series and new labels", "[metrics]") {
  ContainerSeries series(60s);
  auto t0 = Clock::now();
  series.denial(kWeb, kUnshare, t0);
  series.observe({}, t0);
  ContainerLabels renamed = kWeb;
  renamed.name = "web-2";
  series.observe({{kWeb.id, renamed}}, t0 + 30s);  // restarted (same id), renamed meanwhile
  series.observe({{kWeb.id, renamed}}, t0 + 10min);
  CHECK(series.containers() == 1);
  CHECK(page(series).find("container=\"web-2\"") != std::string::npos);
  // A denial late from a container already gone makes it alive again until the next look.
  series.observe({}, t0 + 11min);
  series.denial(renamed, kUnshare, t0 + 11min + 59s);
  series.observe({}, t0 + 12min + 30s);
  CHECK(series.containers() == 1);
  series.observe({}, t0 + 13min + 30s);
  CHECK(series.containers() == 0);
}

TEST_CASE("a container's series are capped and the rest counted as other", "[metrics]") {
  ContainerSeries series;
  auto now = Clock::now();
  for (int i = 0; i < int(kMaxSeriesPerContainer) + 50; ++i)
    series.denial(kWeb, {"call" + std::to_string(i), "EPERM", "errno"}, now);
  std::string text = page(series);
  size_t lines = 0;
  for (size_t at = 0; (at = text.find("\nsyscope_denials_total{", at)) != std::string::npos; ++at)
    ++lines;
  CHECK(lines == kMaxSeriesPerContainer + 1);
  CHECK(text.find("syscall=\"other\",errno=\"\",action=\"\"} 50\n") != std::string::npos);
}

TEST_CASE("the page has every family once", "[metrics]") {
  DaemonGauges g;
  g.version = "1.2.3";
  g.containers_running = 3;
  g.losses.emplace_back("daemon", "ringbuf_full", 7);
  g.events.emplace_back("denial", 9);
  g.cpu_seconds = 1.5;
  ContainerSeries series;
  std::string text = render(g, series);
  CHECK(text.find("syscope_build_info{version=\"1.2.3\"} 1\n") != std::string::npos);
  CHECK(text.find("syscope_containers_running 3\n") != std::string::npos);
  CHECK(text.find("syscope_losses_total{program=\"daemon\",reason=\"ringbuf_full\"} 7\n") !=
        std::string::npos);
  CHECK(text.find("syscope_kernel_events_total{type=\"denial\"} 9\n") != std::string::npos);
  CHECK(text.find("process_cpu_seconds_total 1.5\n") != std::string::npos);
  for (const char *family : {"syscope_denials_total", "process_resident_memory_bytes",
                             "syscope_bpf_map_bytes", "syscope_containers_unconfined",
                             "syscope_containers_privileged", "syscope_dry_run_would_deny"}) {
    std::string type = std::string("# TYPE ") + family + " ";
    INFO(family);
    CHECK(text.find(type) != std::string::npos);
    CHECK(text.find(type) == text.rfind(type));
  }
}

TEST_CASE("a bare port listens on loopback only", "[metrics]") {
  auto a = parse_metrics_address("9090", "--metrics");
  CHECK(a.text() == "127.0.0.1:9090");
  CHECK(parse_metrics_address("0.0.0.0:9100", "--metrics").text() == "0.0.0.0:9100");
  CHECK(parse_metrics_address("localhost:1", "--metrics").text() == "127.0.0.1:1");
  auto v6 = parse_metrics_address("[::1]:9090", "--metrics");
  CHECK(v6.ipv6);
  CHECK(v6.text() == "[::1]:9090");
  for (const char *bad :
       {"", "abc", "70000", "-1", "1.2.3:80", "host:", ":9090", "[::1]9090",
        "[::1]:", "example.com:80", "127.0.0.1:9090x", "[1.2.3.4]:80", "127.0.0.1:123456"}) {
    INFO(bad);
    CHECK(usage_code(bad) == Exit::usage);
  }
}

TEST_CASE("the config's metrics key is checked when read", "[metrics]") {
  syscope::test::TempDir dir;
  std::string path = (dir / "daemon.yaml").string();
  std::ofstream(path) << "metrics: 9090\nmetrics_keep_exited: 2m\n";
  daemon::DaemonConfig config;
  daemon::apply_config_file(config, path);
  CHECK(config.metrics == "9090");
  CHECK(config.metrics_keep_exited == 120s);
  std::ofstream(path) << "metrics: everywhere:80\n";
  try {
    daemon::apply_config_file(config, path);
    FAIL("accepted a bad address");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()).find("metrics: expected [HOST:]PORT") != std::string::npos);
  }
}

TEST_CASE("the listener answers GET /metrics and 404 for anything else", "[metrics]") {
  MetricsServer server(parse_metrics_address("127.0.0.1:0", "--metrics"));
  uint16_t port = uint16_t(std::stoul(server.address().substr(server.address().rfind(':') + 1)));
  REQUIRE(port != 0);
  REQUIRE(server.poll_fd() >= 0);
  server.publish("# HELP a A\n# TYPE a gauge\na 1\n");
  std::string ok = http_get(server, port, "GET /metrics HTTP/1.0\r\n\r\n");
  CHECK(status_of(ok) == "200");
  CHECK(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
  CHECK(ok.find("\r\n\r\n# HELP a A\n# TYPE a gauge\na 1\n") != std::string::npos);
  CHECK(server.scrapes() == 1);
  for (const char *req : {"GET / HTTP/1.0\r\n\r\n", "GET /metrics/x HTTP/1.0\r\n\r\n",
                          "POST /metrics HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"}) {
    INFO(req);
    CHECK(status_of(http_get(server, port, req)) == "404");
  }
  CHECK(server.scrapes() == 1);
}

TEST_CASE("a port in use is an environment error naming it", "[metrics]") {
  MetricsServer first(parse_metrics_address("127.0.0.1:0", "--metrics"));
  try {
    MetricsServer second(parse_metrics_address(first.address(), "--metrics"));
    FAIL("bound twice");
  } catch (const Error &e) {
    CHECK(e.code == Exit::environment);
    CHECK(std::string(e.what()) ==
          "metrics: cannot listen on " + first.address() + ": Address already in use");
  }
}
