// SPDX-License-Identifier: Apache-2.0
// The daemon's control socket: a unix stream socket serving one JSON request per line and one
// JSON response per line, with subscribed connections also receiving {"event":...} lines. It
// never blocks and is bounded everywhere, so no client (slow, silent, hostile) can stall the
// daemon or grow its memory: the limits below are the whole contract.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/daemon/control_protocol.hpp"

namespace syscope::daemon {

struct ControlServerOptions {
  std::string socket_path;  // parent directories are created 0755 when missing
  mode_t mode = 0600;       // root only, by default
  // chown(-1, gid), and the group gets read and write too (0600 -> 0660).
  std::optional<gid_t> group = std::nullopt;
};

// Not thread-safe: one thread (the daemon's loop) constructs it and makes every call. The loop
// polls poll_fd() beside its other fds (ring buffers, signals) and calls serve() when it is
// readable; publish() and send() may be called at any time between.
class ControlServer {
 public:
  using ClientId = uint64_t;
  // Answers one request (a JSON object with a "request" string). May call subscribe() and
  // send() for this client. Its object is the response: the server adds "ok": true unless the
  // handler set "ok" itself ({"ok":false,"error":"unknown request \"x\""}), and echoes the
  // request's "id" when it had one. What it throws becomes {"ok":false,"error":what()}.
  using Handler = std::function<nlohmann::json(ClientId, const nlohmann::json &request)>;

  // Binds and listens. A path where a live server answers, or whose lock (<path>.lock, flock)
  // another process holds: Exit::environment "another syscope daemon is serving <path>". A
  // stale socket file (connection refused) is replaced; a path that is not a socket, or too
  // long for a unix socket address: Exit::usage. The socket is bound under a temporary name,
  // given its mode and group, then renamed into place, so it is never reachable with a wider
  // mode. The lock file is left in place (unlinking a lock races with its next taker).
  ControlServer(ControlServerOptions options, Handler handler);
  // Closes every client (without calling on_disconnect) and unlinks the socket if it is still
  // the one this server created.
  ~ControlServer();
  ControlServer(const ControlServer &) = delete;
  ControlServer &operator=(const ControlServer &) = delete;

  // One epoll fd over the listener, every client and an internal wakeup: readable means
  // serve() has work. Level-triggered, so work left over by a bounded serve() keeps it readable.
  int poll_fd() const;
  // Never blocks: accepts, reads, dispatches complete lines, writes what the sockets take and
  // closes what is finished or dropped (calling on_disconnect). Each call does a bounded
  // amount of work per client, so one busy client cannot starve the others.
  void serve();

  // Events published on topic go to this client from now on (idempotent).
  void subscribe(ClientId client, const std::string &topic);
  void unsubscribe(ClientId client, const std::string &topic);
  // Queues one event line to every subscriber of topic and returns how many took it (a
  // subscriber over kMaxQueuedBytes is dropped instead). An object without "event" gets
  // "event": topic, so clients can always tell events from responses.
  size_t publish(const std::string &topic, const nlohmann::json &event);
  // Whether publish(topic) would reach anyone: callers skip building events nobody reads.
  bool has_subscribers(const std::string &topic) const;
  // Queues one line to one client; false: the client is gone or was just dropped.
  bool send(ClientId client, const nlohmann::json &message);
  // Output this client has queued and not yet read, in bytes (0 for an unknown client): a
  // producer that must not lose data (a trace stream) waits while it is high, rather than let
  // the client reach kMaxQueuedBytes and be dropped.
  size_t queued_bytes(ClientId client) const;

  // Called from serve() only (never from publish()/send(), never from the destructor), once
  // per client that was connected and is now gone: e.g. to stop the client's trace session.
  std::function<void(ClientId)> on_disconnect;

  struct Stats {
    size_t clients = 0;             // connected now
    size_t subscribers = 0;         // connected now with at least one subscription
    size_t queued_bytes = 0;        // output queued for all clients now
    uint64_t accepted = 0;          // connections accepted since start
    uint64_t dropped_slow = 0;      // clients dropped: over kMaxQueuedBytes
    uint64_t dropped_too_many = 0;  // connections refused: kMaxClients already connected
    uint64_t bad_requests = 0;      // malformed, not an object, no "request", line too long
    uint64_t handler_errors = 0;    // requests whose handler threw
    uint64_t accept_errors = 0;     // accept() failures (out of fds or memory: accepting pauses
                                    // until a client leaves)
  };
  Stats stats() const;

 private:
  struct Client;
  void close_everything();
  void accept_clients();
  void refuse(int fd, const std::string &message);
  void read_client(Client &client);
  void process_input(Client &client);
  void line_too_long(Client &client);
  void handle_line(Client &client, std::string_view line);
  void dispatch(Client &client, const nlohmann::json &request);
  bool enqueue(Client &client, std::string line);
  void flush(Client &client);
  void update_interest(Client &client);
  void drop(Client &client);
  void reap();
  void wake();
  size_t live_clients() const;
  Client *live(ClientId id) const;

  ControlServerOptions options_;
  Handler handler_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int lock_fd_ = -1;
  int wake_fd_ = -1;      // eventfd: a client dropped outside serve() is reaped by the next serve()
  dev_t socket_dev_ = 0;  // the socket file this server created, so ~ControlServer unlinks
  ino_t socket_ino_ = 0;  // only its own (a successor may have replaced it)
  bool accept_paused_ = false;
  int dispatch_depth_ = 0;
  ClientId next_id_ = 1;
  std::map<ClientId, std::unique_ptr<Client>> clients_;
  std::map<std::string, std::set<ClientId>> topics_;
  std::vector<ClientId> backlog_;  // clients with complete requests left for the next serve()
  std::vector<ClientId> dead_;     // dropped, not yet reaped (freed, on_disconnect called)
  Stats stats_;
};

// {"clients":..,"subscribers":..,...}: every counter under its field name, for "status".
void to_json(nlohmann::json &out, const ControlServer::Stats &stats);

}  // namespace syscope::daemon
