// SPDX-License-Identifier: Apache-2.0
// The daemon's control socket over real unix sockets: a ControlServer serving from its own
// thread with a tiny handler, and clients (ControlClient, or raw sockets for what ControlClient
// never sends) that are slow, silent, half-closed, hostile or too many. No BPF, no root needed.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../common/temp_dir.hpp"
#include "syscope/base/error.hpp"
#include "syscope/daemon/control_client.hpp"
#include "syscope/daemon/control_server.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using syscope::daemon::ControlClient;
using syscope::daemon::ControlServer;
using syscope::daemon::ControlServerOptions;
using syscope::daemon::kMaxClients;
using syscope::daemon::kMaxQueuedBytes;
using syscope::daemon::kMaxRequestLine;

namespace {

// A ControlServer serving from its own thread. The server is not thread-safe, so after the
// constructor every call on it happens on that thread: tests reach it through sockets only,
// and ask its counters with the "stats" request.
//   ping                              -> {"pong":true}
//   echo                              -> {"echo":<the request>}
//   throw                             -> the handler throws
//   subscribe {topic, paced}          -> events of topic from now on; a paced subscriber holds
//                                        a flood back while it has over 1 MiB unread
//   flood {topic, count, size}        -> publishes count events {"event":"flood","seq":N,
//                                        "pad":...} of about size bytes from the serve loop
//   stats                             -> Stats, max queued bytes seen, on_disconnect calls
class ServingThread {
 public:
  explicit ServingThread(const std::string &path) : ServingThread(ControlServerOptions{path}) {}
  explicit ServingThread(ControlServerOptions options) {
    server_ = std::make_unique<ControlServer>(
        std::move(options), [this](ControlServer::ClientId client, const json &request) {
          return handle(client, request);
        });
    server_->on_disconnect = [this](ControlServer::ClientId client) {
      ++disconnects_;
      paced_.erase(client);
    };
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { loop(); });
  }
  ~ServingThread() {
    uint64_t one = 1;  // an eventfd write of 8 bytes cannot fail here; no REQUIRE in a destructor
    ssize_t ignored = write(stop_fd_, &one, sizeof one);
    (void)ignored;
    thread_.join();
    close(stop_fd_);
  }

 private:
  json handle(ControlServer::ClientId client, const json &request) {
    const std::string name = request["request"];
    if (name == "ping") return {{"pong", true}};
    if (name == "echo") return {{"echo", request}};
    if (name == "throw") throw std::runtime_error("handler failed on purpose");
    if (name == "subscribe") {
      server_->subscribe(client, request.at("topic"));
      if (request.value("paced", false)) paced_.insert(client);
      return json::object();
    }
    if (name == "flood") {
      flood_topic_ = request.at("topic");
      flood_left_ = request.at("count");
      flood_pad_ = std::string(request.at("size").get<size_t>(), 'e');
      flood_seq_ = 0;
      return json::object();
    }
    if (name == "has_subscribers") return {{"yes", server_->has_subscribers(request.at("topic"))}};
    if (name == "stats") {
      json stats = server_->stats();
      stats["max_queued_bytes"] = max_queued_;
      stats["flood_left"] = flood_left_;
      stats["disconnects"] = disconnects_;
      return stats;
    }
    return {{"ok", false}, {"error", "unknown request \"" + name + "\""}};
  }

  // Whether the flood may go on: no paced subscriber is more than 1 MiB behind.
  bool paced_ready() const {
    for (ControlServer::ClientId client : paced_)
      if (server_->queued_bytes(client) > (1u << 20)) return false;
    return true;
  }

  void loop() {
    for (;;) {
      bool publishing = flood_left_ > 0 && paced_ready();
      pollfd fds[2] = {{server_->poll_fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      // Waiting is a poll on the server's fd: a paced subscriber that reads makes it writable.
      poll(fds, 2, publishing ? 0 : -1);
      if (fds[1].revents) return;
      server_->serve();
      for (int i = 0; i < 64 && flood_left_ > 0 && paced_ready(); ++i, --flood_left_)
        server_->publish(flood_topic_,
                         {{"event", "flood"}, {"seq", flood_seq_++}, {"pad", flood_pad_}});
      max_queued_ = std::max(max_queued_, server_->stats().queued_bytes);
    }
  }

  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  int stop_fd_ = -1;
  std::set<ControlServer::ClientId> paced_;
  std::string flood_topic_, flood_pad_;
  uint64_t flood_left_ = 0, flood_seq_ = 0, disconnects_ = 0;
  size_t max_queued_ = 0;
};

// A plain blocking unix socket, for what ControlClient never sends (bad lines, half-closes) and
// for clients that never read.
class RawClient {
 public:
  explicit RawClient(const std::string &path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  }
  ~RawClient() { close(fd_); }
  // False when the server closed its end on the way (EPIPE): no SIGPIPE in the test either.
  bool send_text(const std::string &text) {
    size_t sent = 0;
    while (sent < text.size()) {
      ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  void shutdown_write() { REQUIRE(shutdown(fd_, SHUT_WR) == 0); }
  // The next line, or nullopt when the server closed the connection (EOF, or ECONNRESET when
  // it closed with input of ours unread). A timeout fails the test.
  std::optional<std::string> line(std::chrono::milliseconds timeout = 10s) {
    for (;;) {
      size_t newline = in_.find('\n');
      if (newline != std::string::npos) {
        std::string line = in_.substr(0, newline);
        in_.erase(0, newline + 1);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      int rc = poll(&p, 1, static_cast<int>(timeout.count()));
      REQUIRE(rc == 1);  // the server answered (or closed) within the timeout
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      in_.append(buf, static_cast<size_t>(n));
    }
  }
  json response(std::chrono::milliseconds timeout = 10s) {
    std::optional<std::string> text = line(timeout);
    REQUIRE(text);
    return json::parse(*text);
  }
  // True when the server closes the connection within timeout; whatever it sent first is read
  // and thrown away.
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) return false;
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return true;
    }
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string in_;
};

// VmRSS of this process, in bytes.
size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      size_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  FAIL("no VmRSS in /proc/self/status");
  return 0;
}

json stats(const std::string &path) {
  ControlClient client(path);
  json response = client.request({{"request", "stats"}});
  REQUIRE(response["ok"] == true);
  return response;
}

void require_ping(ControlClient &client) {
  json response = client.request({{"request", "ping"}});
  CHECK(response["ok"] == true);
  CHECK(response["pong"] == true);
}

// The Error a callable throws (it must throw one).
syscope::Error error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const syscope::Error &e) {
    return e;
  }
  FAIL("no syscope::Error thrown");
  return syscope::Error(syscope::Exit::ok, "");
}

// A unix socket file at path that nobody will accept on: bound, then closed without unlink, as
// a server killed with -9 leaves it.
void leave_stale_socket(const std::string &path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  close(fd);
}

// Listens at path (no syscope server: no lock file, no answers) until destroyed.
struct SilentListener {
  explicit SilentListener(const std::string &path) {
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd, 16) == 0);
  }
  ~SilentListener() { close(fd); }
  int fd = -1;
};

}  // namespace

TEST_CASE("control socket: malformed JSON gets an error and the connection keeps serving",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  RawClient raw(dir.file("ctl.sock"));
  REQUIRE(raw.send_text("{\"request\": \"ping\",\n"));
  json response = raw.response();
  CHECK(response["ok"] == false);
  CHECK(response["error"].get<std::string>().rfind("malformed JSON: parse error", 0) == 0);
  CHECK(!response.contains("id"));

  // Invalid UTF-8 inside a string: an error line that is itself valid JSON.
  REQUIRE(raw.send_text("{\"request\": \"\xff\xfe\"}\n"));
  response = raw.response();
  CHECK(response["ok"] == false);

  REQUIRE(raw.send_text("{\"request\":\"ping\",\"id\":1}\n"));
  response = raw.response();
  CHECK(response["ok"] == true);
  CHECK(response["pong"] == true);
  CHECK(response["id"] == 1);
  CHECK(stats(dir.file("ctl.sock"))["bad_requests"] == 2);
}

TEST_CASE("control socket: a request that is not an object or names nothing is refused",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  RawClient raw(dir.file("ctl.sock"));

  REQUIRE(raw.send_text("[1, 2]\n\"status\"\n42\n"));
  for (const char *type : {"array", "string", "number"}) {
    json response = raw.response();
    CHECK(response["ok"] == false);
    CHECK(response["error"] == std::string("a request is a JSON object, not ") + type);
  }
  // An object without a "request" string: refused, and its id still echoed.
  REQUIRE(raw.send_text("{\"id\":\"abc\"}\n{\"request\":7,\"id\":[1]}\n"));
  for (json id : {json("abc"), json::array({1})}) {
    json response = raw.response();
    CHECK(response["ok"] == false);
    CHECK(response["id"] == id);
    CHECK(response["error"].get<std::string>().find("\"request\" string") != std::string::npos);
  }
  // Nesting far past the limit: refused before any handler could recurse through it.
  REQUIRE(raw.send_text("{\"request\":\"echo\",\"x\":" + std::string(100000, '[') + "\n"));
  json response = raw.response();
  CHECK(response["ok"] == false);
  CHECK(response["error"] == "request nested deeper than 64 levels");
  // Blank lines and CRLF endings are no requests and no errors.
  REQUIRE(raw.send_text("\n  \r\n{\"request\":\"ping\",\"id\":2}\r\n"));
  response = raw.response();
  CHECK(response["ok"] == true);
  CHECK(response["id"] == 2);
}

TEST_CASE("control socket: unknown requests and handlers that throw get an error response",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  ControlClient client(dir.file("ctl.sock"));

  json response = client.request({{"request", "nope"}, {"id", "mine"}});
  CHECK(response["ok"] == false);
  CHECK(response["error"] == "unknown request \"nope\"");
  CHECK(response["id"] == "mine");

  response = client.request({{"request", "throw"}});
  CHECK(response["ok"] == false);
  CHECK(response["error"] == "handler failed on purpose");

  response = client.request({{"request", "echo"}, {"id", nullptr}, {"x", {1, 2}}});
  CHECK(response["ok"] == true);
  CHECK(response.contains("id"));
  CHECK(response["id"].is_null());
  CHECK(response["echo"]["x"] == json({1, 2}));
  CHECK(stats(dir.file("ctl.sock"))["handler_errors"] == 1);
}

TEST_CASE("control socket: a line over 1 MiB gets an error and is closed while others go on",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  ControlClient other(dir.file("ctl.sock"));
  require_ping(other);

  SECTION("without a newline") {
    RawClient raw(dir.file("ctl.sock"));
    // The server may close before it has read everything: EPIPE is fine here.
    raw.send_text(std::string(kMaxRequestLine + 1, 'x'));
    std::optional<std::string> line = raw.line();
    REQUIRE(line);
    CHECK(json::parse(*line) ==
          json({{"ok", false}, {"error", "request line longer than 1048576 bytes"}}));
    CHECK(raw.closed_within(10s));
  }
  SECTION("with its newline, in one write") {
    RawClient raw(dir.file("ctl.sock"));
    raw.send_text(std::string(kMaxRequestLine + 1, ' ') + "\n{\"request\":\"ping\"}\n");
    json response = raw.response();
    CHECK(response["error"] == "request line longer than 1048576 bytes");
    CHECK(raw.closed_within(10s));
  }
  SECTION("a line of exactly 1 MiB is served") {
    std::string head = "{\"request\":\"echo\",\"id\":3,\"pad\":\"";
    std::string tail = "\"}";
    std::string line = head + std::string(kMaxRequestLine - head.size() - tail.size(), 'p') + tail;
    REQUIRE(line.size() == kMaxRequestLine);
    RawClient raw(dir.file("ctl.sock"));
    REQUIRE(raw.send_text(line + "\n"));
    json response = raw.response();
    CHECK(response["ok"] == true);
    CHECK(response["id"] == 3);
    CHECK(response["echo"]["pad"].get<std::string>().size() ==
          kMaxRequestLine - head.size() - tail.size());
  }
  require_ping(other);
}

TEST_CASE("control socket: 100 clients at once each get their own answer", "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 100; ++i)
    clients.push_back(std::make_unique<RawClient>(dir.file("ctl.sock")));
  // Every request is out before any answer is read: the server has all 100 in flight.
  for (int i = 0; i < 100; ++i)
    REQUIRE(
        clients[i]->send_text(json({{"request", "echo"}, {"id", i}, {"n", i * 7}}).dump() + "\n"));
  for (int i = 0; i < 100; ++i) {
    json response = clients[i]->response();
    CHECK(response["ok"] == true);
    CHECK(response["id"] == i);
    CHECK(response["echo"]["n"] == i * 7);
  }
  json s = stats(dir.file("ctl.sock"));
  CHECK(s["clients"] == 101);  // the 100 and the stats client
  CHECK(s["accepted"] == 101);
}

TEST_CASE("control socket: client 257 is refused with an error line and a freed slot is reused",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  std::vector<std::unique_ptr<ControlClient>> clients;
  for (size_t i = 0; i < kMaxClients; ++i) {
    clients.push_back(std::make_unique<ControlClient>(dir.file("ctl.sock")));
    require_ping(*clients.back());  // answered: it holds a slot now
  }
  ControlClient extra(dir.file("ctl.sock"));
  json refused = extra.request({{"request", "ping"}});
  CHECK(refused["ok"] == false);
  CHECK(refused["error"] == "too many clients: the daemon serves at most 256 at once");
  CHECK_THROWS_WITH(extra.request({{"request", "ping"}}), "the daemon closed the connection");

  // One client leaves (its half-close answered by the server's close): the next is served.
  REQUIRE(shutdown(clients.back()->fd(), SHUT_WR) == 0);
  CHECK_THROWS_WITH(clients.back()->next_event(10s), "the daemon closed the connection");
  clients.pop_back();
  json s = stats(dir.file("ctl.sock"));
  CHECK(s["dropped_too_many"] == 1);
  CHECK(s["clients"] == kMaxClients);
  CHECK(s["accepted"] == kMaxClients + 1);
  CHECK(s["disconnects"] == 1);
  for (auto &client : clients) require_ping(*client);
}

TEST_CASE(
    "control socket: a subscriber that never reads is dropped while the others get every event",
    "[control_server]") {
  syscope::test::TempDir dir;
  std::string path = dir.file("ctl.sock");
  ServingThread server(path);

  RawClient stalled(path);
  REQUIRE(stalled.send_text("{\"request\":\"subscribe\",\"topic\":\"flood\"}\n"));
  CHECK(stalled.response()["ok"] == true);
  ControlClient reader(path);
  CHECK(reader.request({{"request", "subscribe"}, {"topic", "flood"}, {"paced", true}})["ok"] ==
        true);
  // A subscriber that disconnects at once: the server writes to a closed peer (EPIPE), which
  // must neither raise SIGPIPE (it would end this test binary) nor disturb the others.
  {
    RawClient gone(path);
    REQUIRE(gone.send_text("{\"request\":\"subscribe\",\"topic\":\"flood\"}\n"));
    CHECK(gone.response()["ok"] == true);
  }

  constexpr uint64_t kEvents = 50 * 1024;  // of 1 KiB each: 50 MiB in all
  ControlClient control(path);
  CHECK(control.request(
            {{"request", "flood"}, {"topic", "flood"}, {"count", kEvents}, {"size", 1000}})["ok"] ==
        true);
  // This process is server and clients: its resident memory, sampled while the 50 MiB go
  // through, grows by the stalled client's 16 MiB cap and small change, not by 50 MiB.
  size_t rss_before = rss_bytes(), rss_peak = rss_before;
  uint64_t seen = 0;
  bool in_order = true;
  while (seen < kEvents) {
    std::optional<json> event = reader.next_event(10s);
    REQUIRE(event);
    if ((*event)["seq"] != seen) in_order = false;
    if (++seen % 1024 == 0) rss_peak = std::max(rss_peak, rss_bytes());
  }
  CHECK(in_order);
  CHECK(rss_peak - rss_before < (40u << 20));
  CHECK(reader.dropped_events() == 0);

  json s = control.request({{"request", "stats"}});
  CHECK(s["flood_left"] == 0);
  CHECK(s["dropped_slow"] == 1);
  CHECK(s["subscribers"] == 1);  // the reader
  // Bounded: the stalled client's 16 MiB, the reader's pacing window and one batch.
  CHECK(s["max_queued_bytes"].get<size_t>() <= kMaxQueuedBytes + (2u << 20));
  CHECK(s["disconnects"] == 2);  // the stalled one (dropped while publishing) and the gone one
  // What the kernel had taken for the stalled client before the drop, then the close.
  CHECK(stalled.closed_within(10s));
  require_ping(reader);
}

TEST_CASE("control socket: two subscribers both get every event", "[control_server]") {
  syscope::test::TempDir dir;
  std::string path = dir.file("ctl.sock");
  ServingThread server(path);
  ControlClient a(path), b(path), other(path);
  CHECK(a.request({{"request", "subscribe"}, {"topic", "denials"}, {"paced", true}})["ok"] == true);
  CHECK(b.request({{"request", "subscribe"}, {"topic", "denials"}, {"paced", true}})["ok"] == true);
  CHECK(other.request({{"request", "subscribe"}, {"topic", "alerts"}})["ok"] == true);
  constexpr uint64_t kEvents = 20000;
  ControlClient control(path);
  CHECK(
      control.request(
          {{"request", "flood"}, {"topic", "denials"}, {"count", kEvents}, {"size", 100}})["ok"] ==
      true);
  // Read in turns, so neither falls over the pacing window while the other is being read.
  uint64_t seen_a = 0, seen_b = 0;
  while (seen_a < kEvents || seen_b < kEvents) {
    for (auto [client, seen] : {std::pair{&a, &seen_a}, std::pair{&b, &seen_b}}) {
      while (*seen < kEvents) {
        std::optional<json> event = client->next_event(*seen == 0 ? 10000ms : 0ms);
        if (!event) break;
        REQUIRE((*event)["event"] == "flood");
        REQUIRE((*event)["seq"] == *seen);
        ++*seen;
      }
    }
  }
  // A request on a subscribed connection: its answer among the events, the events kept.
  CHECK(a.request({{"request", "ping"}})["pong"] == true);
  CHECK(!other.next_event(0ms));  // the other topic got nothing
  CHECK(control.request({{"request", "has_subscribers"}, {"topic", "denials"}})["yes"] == true);
  CHECK(control.request({{"request", "has_subscribers"}, {"topic", "nobody"}})["yes"] == false);
  // Once its only subscriber has gone, a topic has none.
  {
    ControlClient once(path);
    CHECK(once.request({{"request", "subscribe"}, {"topic", "once"}})["ok"] == true);
    CHECK(control.request({{"request", "has_subscribers"}, {"topic", "once"}})["yes"] == true);
    REQUIRE(shutdown(once.fd(), SHUT_WR) == 0);
    CHECK_THROWS_WITH(once.next_event(10s), "the daemon closed the connection");
  }
  CHECK(control.request({{"request", "has_subscribers"}, {"topic", "once"}})["yes"] == false);
  CHECK(control.request({{"request", "stats"}})["dropped_slow"] == 0);
}

TEST_CASE("control socket: a half-closed client gets every answer and then the close",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  RawClient raw(dir.file("ctl.sock"));
  // The last request has no newline: the end of input ends it.
  REQUIRE(raw.send_text("{\"request\":\"ping\",\"id\":7}\n{\"request\":\"echo\",\"id\":8}\n"
                        "{\"request\":\"ping\",\"id\":9}"));
  raw.shutdown_write();
  for (int id : {7, 8, 9}) {
    json response = raw.response();
    CHECK(response["ok"] == true);
    CHECK(response["id"] == id);
  }
  CHECK(!raw.line());  // then EOF
}

TEST_CASE("control socket: thousands of pipelined requests are all answered in order",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  ControlClient other(dir.file("ctl.sock"));
  RawClient raw(dir.file("ctl.sock"));
  // Far more than one serve() answers for one client: the rest waits in its backlog, and the
  // end of input comes while requests still wait there.
  constexpr int kRequests = 5000;
  std::string text;
  for (int i = 0; i < kRequests; ++i) text += json({{"request", "ping"}, {"id", i}}).dump() + "\n";
  // Joined on every way out: a failed REQUIRE below must not meet a joinable thread.
  struct Joined : std::thread {
    using std::thread::thread;
    ~Joined() { join(); }
  } writer([&] {
    raw.send_text(text);
    shutdown(raw.fd(), SHUT_WR);
  });
  require_ping(other);  // served while the pipeline is
  int answered = 0;
  bool in_order = true;
  while (std::optional<std::string> line = raw.line()) {
    if (json::parse(*line)["id"] != answered) in_order = false;
    ++answered;
  }
  CHECK(answered == kRequests);
  CHECK(in_order);
}

TEST_CASE("control socket: a client that asks and never reads its answers is dropped",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  RawClient raw(dir.file("ctl.sock"));
  // 64 KiB answers: 16 MiB of them is 256 requests; 2000 would be 125 MiB if nothing dropped
  // the client (the writer then ends on its own, and the checks fail).
  std::string request =
      json({{"request", "echo"}, {"pad", std::string(64 * 1024, 'r')}}).dump() + "\n";
  int sent = 0;
  while (sent < 2000 && raw.send_text(request)) ++sent;
  CHECK(sent < 2000);  // the server closed: EPIPE (MSG_NOSIGNAL here too)
  CHECK(raw.closed_within(10s));
  json s = stats(dir.file("ctl.sock"));
  CHECK(s["dropped_slow"] == 1);
  CHECK(s["max_queued_bytes"].get<size_t>() <= kMaxQueuedBytes);
  CHECK(s["clients"] == 1);  // only the stats client
}

TEST_CASE("control socket: out of fds accepting pauses (no spin) and resumes when a client leaves",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  auto first = std::make_unique<RawClient>(dir.file("ctl.sock"));
  REQUIRE(first->send_text("{\"request\":\"ping\"}\n"));
  CHECK(first->response()["ok"] == true);  // accepted: its server-side socket is open too
  // Server and clients share this process's fds. Fill the holes below the highest open fd and
  // allow one more: the second client's socket takes it, and accepting that client fails
  // (EMFILE) until the first one leaves.
  int highest = 0;
  for (const auto &entry : std::filesystem::directory_iterator("/proc/self/fd"))
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  struct Restore {
    rlimit limit{};
    std::vector<int> fillers;
    ~Restore() {
      setrlimit(RLIMIT_NOFILE, &limit);
      for (int fd : fillers) close(fd);
    }
  } restore;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &restore.limit) == 0);
  for (;;) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    if (fd > highest) {
      close(fd);
      break;
    }
    restore.fillers.push_back(fd);
  }
  rlimit tight = restore.limit;
  tight.rlim_cur = static_cast<rlim_t>(highest) + 2;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
  RawClient second(dir.file("ctl.sock"));  // in the backlog; the server cannot take it
  auto accept_errors = [&] {
    REQUIRE(first->send_text("{\"request\":\"stats\"}\n"));
    return first->response()["accept_errors"].get<uint64_t>();
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (accept_errors() == 0) REQUIRE(std::chrono::steady_clock::now() < deadline);
  // Paused: later serve() calls do not retry (and fail) the accept in a loop.
  for (int i = 0; i < 20; ++i) CHECK(accept_errors() == 1);
  first.reset();  // its slot and fd freed: accepting resumes, and the waiting client is served
  REQUIRE(second.send_text("{\"request\":\"ping\",\"id\":2}\n"));
  json response = second.response();
  CHECK(response["ok"] == true);
  CHECK(response["id"] == 2);
}

TEST_CASE("control socket: a client gone before its answer does not disturb the server",
          "[control_server]") {
  syscope::test::TempDir dir;
  ServingThread server(dir.file("ctl.sock"));
  for (int i = 0; i < 20; ++i) {
    RawClient raw(dir.file("ctl.sock"));
    // A 1 MiB answer the client will never read: the server meets EPIPE or ECONNRESET.
    std::string head = "{\"request\":\"echo\",\"pad\":\"";
    REQUIRE(raw.send_text(head + std::string(512 * 1024, 'q') + "\"}\n"));
  }
  ControlClient client(dir.file("ctl.sock"));
  require_ping(client);
}

TEST_CASE("control socket: a second server on a live path refuses and a stale one is replaced",
          "[control_server]") {
  syscope::test::TempDir dir;
  std::string path = dir.file("ctl.sock");

  SECTION("another ControlServer holds the path") {
    ServingThread first(path);
    syscope::Error e = error_of([&] { ControlServer second({path}, nullptr); });
    CHECK(e.code == syscope::Exit::environment);
    CHECK(std::string(e.what()) == "another syscope daemon is serving " + path);
    ControlClient client(path);
    require_ping(client);  // the first one untouched
  }
  SECTION("something else listens there") {
    SilentListener listener(path);
    syscope::Error e = error_of([&] { ControlServer second({path}, nullptr); });
    CHECK(e.code == syscope::Exit::environment);
    CHECK(std::string(e.what()) == "another syscope daemon is serving " + path);
  }
  SECTION("a stale socket file left by a killed server") {
    leave_stale_socket(path);
    struct stat st {};
    REQUIRE(lstat(path.c_str(), &st) == 0);
    REQUIRE(S_ISSOCK(st.st_mode));
    ServingThread server(path);
    ControlClient client(path);
    require_ping(client);
  }
  SECTION("a path that is not a socket is left alone") {
    { std::ofstream(path) << "keep me"; }
    syscope::Error e = error_of([&] { ControlServer server({path}, nullptr); });
    CHECK(e.code == syscope::Exit::usage);
    CHECK(std::string(e.what()) == path + " exists and is not a socket (not replacing it)");
    std::ifstream in(path);
    std::string content;
    std::getline(in, content);
    CHECK(content == "keep me");
  }
  SECTION("a path too long for a unix socket address") {
    std::string long_path = dir.file(std::string(120, 'l'));
    syscope::Error e = error_of([&] { ControlServer server({long_path}, nullptr); });
    CHECK(e.code == syscope::Exit::usage);
    CHECK(std::string(e.what()).rfind("control socket path longer than", 0) == 0);
  }
}

TEST_CASE("control socket: mode 0600 by default or 0660 with a group and unlinked at the end",
          "[control_server]") {
  syscope::test::TempDir dir;
  struct stat st {};
  SECTION("default") {
    std::string path = dir.file("run/syscope/ctl.sock");  // the parents are created
    {
      ServingThread server(path);
      REQUIRE(lstat(path.c_str(), &st) == 0);
      CHECK(S_ISSOCK(st.st_mode));
      CHECK((st.st_mode & 07777) == 0600);
      REQUIRE(stat(dir.file("run/syscope").c_str(), &st) == 0);
      CHECK((st.st_mode & 07777) == 0755);
    }
    CHECK(lstat(path.c_str(), &st) != 0);
    CHECK(errno == ENOENT);
  }
  SECTION("with a group") {
    std::string path = dir.file("ctl.sock");
    ServingThread server(ControlServerOptions{path, 0600, getgid()});
    REQUIRE(lstat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0660);
    CHECK(st.st_gid == getgid());
  }
}

TEST_CASE("control client: no daemon and a daemon that never answers are one-line errors",
          "[control_server]") {
  syscope::test::TempDir dir;
  std::string path = dir.file("ctl.sock");
  syscope::Error e = error_of([&] { ControlClient client(path); });
  CHECK(e.code == syscope::Exit::environment);
  CHECK(std::string(e.what()) == "no syscope daemon at " + path +
                                     " (is `syscope daemon` running?): No such file or directory");

  SilentListener listener(path);
  ControlClient client(path);
  e = error_of([&] { client.request({{"request", "status"}}, 200ms); });
  CHECK(e.code == syscope::Exit::environment);
  CHECK(std::string(e.what()) ==
        "no answer from the daemon at " + path + " to \"status\" within 200 ms");
  CHECK(!client.next_event(50ms));
  CHECK(syscope::daemon::default_socket_path() == "/run/syscope/syscope.sock");
}
