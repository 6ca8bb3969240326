// SPDX-License-Identifier: Apache-2.0
// The control socket's client: a nonblocking socket polled against a deadline, so no daemon
// (stuck, gone, or answering with garbage) can hang a CLI command.
#include "syscope/daemon/control_client.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "syscope/base/error.hpp"

namespace syscope::daemon {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 1000 * 1000 ? 1000 * 1000 : static_cast<int>(left.count());
}

Error closed_error() { return Error(Exit::environment, "the daemon closed the connection"); }

bool is_event(const nlohmann::json &line) {
  return line.is_object() && line.contains("event") && !line.contains("ok");
}

}  // namespace

std::string default_socket_path() { return "/run/syscope/syscope.sock"; }

ControlClient::ControlClient(const std::string &socket_path) : path_(socket_path) {
  auto fail = [&](int err) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return Error(Exit::environment, "no syscope daemon at " + path_ +
                                        " (is `syscope daemon` running?): " + errno_text(err));
  };
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof addr.sun_path) throw fail(ENAMETOOLONG);
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw fail(errno);
  // A unix connect() waits while the listener's backlog is full, up to SO_SNDTIMEO: bounded
  // like everything else here. Nonblocking only afterwards, since a nonblocking connect gives
  // EAGAIN for a full backlog and nothing to poll for.
  timeval limit{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) throw fail(errno);
  int flags = fcntl(fd_, F_GETFL);
  if (flags < 0 || fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) throw fail(errno);
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) close(fd_);
}

void ControlClient::send_all(const std::string &data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int rc = poll(&p, 1, remaining_ms(deadline));
      if (rc == 0)
        throw Error(Exit::environment, "the daemon at " + path_ + " is not reading requests");
      continue;
    }
    throw closed_error();  // EPIPE, ECONNRESET
  }
}

ControlClient::Read ControlClient::read_line(std::string &line, Clock::time_point deadline) {
  for (;;) {
    size_t newline = in_.find('\n', scanned_);
    if (newline != std::string::npos) {
      line = in_.substr(0, newline);
      in_.erase(0, newline + 1);
      scanned_ = 0;
      return Read::line;
    }
    scanned_ = in_.size();
    if (in_.size() > kMaxQueuedBytes)
      throw Error(Exit::environment, "the daemon sent a line longer than " +
                                         std::to_string(kMaxQueuedBytes) + " bytes");
    char buf[64 * 1024];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      continue;
    }
    // ECONNRESET after the data: the daemon closed with our unread request still queued (a line
    // over its limit), which is a close like any other.
    if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) return Read::closed;
    if (errno == EINTR) continue;
    pollfd p{fd_, POLLIN, 0};
    int wait = remaining_ms(deadline);
    if (wait == 0 || poll(&p, 1, wait) == 0) return Read::timeout;
  }
}

void ControlClient::keep_event(nlohmann::json event, size_t bytes) {
  // A caller that asks and never takes its events: the oldest go, counted.
  while (!events_.empty() && event_bytes_ + bytes > kMaxQueuedBytes) {
    event_bytes_ -= events_.front().second;
    events_.pop_front();
    ++dropped_events_;
  }
  events_.emplace_back(std::move(event), bytes);
  event_bytes_ += bytes;
}

nlohmann::json ControlClient::request(const nlohmann::json &request,
                                      std::chrono::milliseconds timeout) {
  if (!request.is_object() || !request.contains("request"))
    throw Error(Exit::usage, "a control request is a JSON object with a \"request\" name");
  auto deadline = Clock::now() + timeout;
  nlohmann::json sent = request;
  if (!sent.contains("id")) sent["id"] = next_id_++;
  std::string line = sent.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::string name = sent["request"].is_string() ? sent["request"].get<std::string>() : "?";
  try {
    send_all(line, deadline);
  } catch (const Error &) {
    // The daemon may have refused us (too many clients) before we wrote: its line is still
    // there to read, and says more than EPIPE.
  }
  for (;;) {
    std::string text;
    Read got = read_line(text, deadline);
    if (got == Read::timeout)
      throw Error(Exit::environment, "no answer from the daemon at " + path_ + " to \"" + name +
                                         "\" within " + std::to_string(timeout.count()) + " ms");
    if (got == Read::closed) throw closed_error();
    nlohmann::json response = nlohmann::json::parse(text, nullptr, false);
    if (response.is_discarded() || !response.is_object())
      throw Error(Exit::environment, "the daemon at " + path_ +
                                         " sent a line that is not a "
                                         "JSON object");
    if (is_event(response)) {
      keep_event(std::move(response), text.size() + 1);
      continue;
    }
    if (!response.contains("id")) {
      // Not an answer to a request of ours: the daemon refusing the connection or a line.
      if (response.value("ok", true) == false) return response;
      continue;
    }
    if (response["id"] == sent["id"]) return response;
    // Another id: the late answer to an earlier request that timed out.
  }
}

std::optional<nlohmann::json> ControlClient::next_event(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!events_.empty()) {
      nlohmann::json event = std::move(events_.front().first);
      event_bytes_ -= events_.front().second;
      events_.pop_front();
      return event;
    }
    std::string text;
    Read got = read_line(text, deadline);
    if (got == Read::timeout) return std::nullopt;
    if (got == Read::closed) throw closed_error();
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object())
      throw Error(Exit::environment, "the daemon at " + path_ +
                                         " sent a line that is not a "
                                         "JSON object");
    if (is_event(line)) return line;
    if (!line.contains("id") && line.value("ok", true) == false)
      throw Error(Exit::environment,
                  "the daemon at " + path_ + " refused: " + line.value("error", "no reason given"));
    // A response with no request waiting (one that timed out): nobody asks for it any more.
  }
}

}  // namespace syscope::daemon
