// SPDX-License-Identifier: Apache-2.0
// The CLI side of the control socket: one request at a time, answered by one response line,
// with event lines of a subscription kept apart for next_event().
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "syscope/daemon/control_protocol.hpp"

namespace syscope::daemon {

class ControlClient {
 public:
  // Exit::environment "no syscope daemon at PATH (is `syscope daemon` running?): <strerror>".
  explicit ControlClient(const std::string &socket_path);
  ~ControlClient();
  ControlClient(const ControlClient &) = delete;
  ControlClient &operator=(const ControlClient &) = delete;

  // Sends one request and returns its response (events arriving first are kept for
  // next_event()). A request without "id" gets one, and responses with another id (late
  // answers to an earlier request that timed out) are skipped; an {"ok":false} line without
  // id is the daemon refusing the connection or the line, and is returned. {"ok":false}
  // responses are returned, not thrown; a timeout or a closed connection: Exit::environment
  // with one line.
  nlohmann::json request(const nlohmann::json &request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next event line ({"event":...}); nullopt on timeout; Exit::environment "the daemon
  // closed the connection" when it did. Callers polling fd() with their own signals call
  // next_event(0ms) until nullopt before polling again: events may already be buffered here.
  std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);
  // Events not kept because more than kMaxQueuedBytes of them waited unread in this client.
  uint64_t dropped_events() const { return dropped_events_; }
  int fd() const { return fd_; }

 private:
  enum class Read { line, timeout, closed };
  Read read_line(std::string &line, std::chrono::steady_clock::time_point deadline);
  void keep_event(nlohmann::json event, size_t bytes);
  void send_all(const std::string &data, std::chrono::steady_clock::time_point deadline);

  std::string path_;
  int fd_ = -1;
  std::string in_;                                        // bytes read and not yet split into lines
  size_t scanned_ = 0;                                    // in_[0, scanned_) holds no newline
  std::deque<std::pair<nlohmann::json, size_t>> events_;  // with their line sizes
  size_t event_bytes_ = 0;
  uint64_t dropped_events_ = 0;
  uint64_t next_id_ = 1;
};

}  // namespace syscope::daemon
