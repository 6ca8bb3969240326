// SPDX-License-Identifier: Apache-2.0
// The control socket's server: nonblocking unix stream sockets under one level-triggered epoll
// set, a bounded input buffer and a bounded output queue per client.
#include "syscope/daemon/control_server.hpp"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "control_socket_path.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"

namespace syscope::daemon {

namespace {

// epoll data of the two fds that are not clients; client ids start at 1 and are never reused,
// so an event collected for a client that has just gone finds nothing.
constexpr uint64_t kListenerKey = 0;
constexpr uint64_t kWakeKey = ~uint64_t{0};

// Work per serve() call, so one busy client or a connection storm cannot starve the rest: the
// level-triggered set stays readable while anything is left.
constexpr int kEventsPerServe = 64;
constexpr int kAcceptsPerServe = 32;
constexpr int kReadsPerClient = 4;
constexpr size_t kReadChunk = 64 * 1024;
// Requests answered per client per serve(): a client pipelining thousands of requests waits its
// turn instead of holding the daemon's loop for all of them.
constexpr int kRequestsPerServe = 16;
// An output buffer that drained keeps no more than this capacity: a burst of events to one
// client must not stay allocated after the client caught up.
constexpr size_t kKeptCapacity = 256 * 1024;
// A parser's message quotes what it read; a one-line error needs only its start.
constexpr size_t kMaxErrorText = 200;

std::string dump_line(const nlohmann::json &value) {
  // Replace, not throw, on invalid UTF-8: a handler's strings may come from containers.
  std::string line = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

std::string one_line(std::string text) {
  for (char &c : text)
    if (c == '\n' || c == '\r') c = ' ';
  if (text.size() > kMaxErrorText) text = text.substr(0, kMaxErrorText) + "...";
  return printable(text);
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the
// bracketed tag, which says nothing to a client.
std::string parse_error_text(const std::string &what) {
  std::string text = what;
  if (!text.empty() && text[0] == '[') {
    size_t end = text.find("] ");
    if (end != std::string::npos) text = text.substr(end + 2);
  }
  return one_line(text);
}

struct TooDeep {};

void add_or_throw(int epoll_fd, int fd, uint64_t key, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw Error(Exit::environment, "control socket: epoll_ctl: " + errno_text(errno));
}

}  // namespace

struct ControlServer::Client {
  ClientId id = 0;
  int fd = -1;
  std::string in;      // bytes read and not yet split into lines
  size_t scanned = 0;  // in[0, scanned) holds no newline
  std::string out;     // queued output; out[0, out_sent) is already written
  size_t out_sent = 0;
  std::set<std::string> topics;
  bool eof = false;          // the client shut down its side: answer what is in, then close
  bool backlogged = false;   // complete requests wait in `in` for the next serve()
  bool read_closed = false;  // all answered after EOF, or a line too long: close once flushed
  bool dead = false;         // closed, waiting for reap() to free it and call on_disconnect
  uint32_t interest = EPOLLIN;

  size_t queued() const { return out.size() - out_sent; }
};

ControlServer::ControlServer(ControlServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  try {
    const std::string &path = options_.socket_path;
    std::string temp_path = path + ".new";
    check_socket_path(path, temp_path);
    make_parent_directories(path);
    lock_fd_ = lock_socket_path(path);
    remove_stale_socket(path);

    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0)
      throw Error(Exit::environment, "control socket: socket: " + errno_text(errno));
    // Bound under a temporary name (ours: we hold the lock), given its mode and group before
    // listen() (until then connecting is refused), then renamed into place: the socket is never
    // reachable with a wider mode than asked for.
    if (unlink(temp_path.c_str()) != 0 && errno != ENOENT)
      throw Error(Exit::environment, "cannot remove " + temp_path + ": " + errno_text(errno));
    sockaddr_un addr = unix_address(temp_path);
    if (bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
      throw Error(Exit::environment, "cannot bind " + temp_path + ": " + errno_text(errno));
    mode_t mode = options_.mode & 07777;
    if (options_.group) {
      if (chown(temp_path.c_str(), static_cast<uid_t>(-1), *options_.group) != 0) {
        int err = errno;
        unlink(temp_path.c_str());
        throw Error(Exit::environment, "cannot give " + path + " to group " +
                                           std::to_string(*options_.group) + ": " +
                                           errno_text(err));
      }
      mode |= 0060;
    }
    if (chmod(temp_path.c_str(), mode) != 0 || listen(listen_fd_, SOMAXCONN) != 0 ||
        rename(temp_path.c_str(), path.c_str()) != 0) {
      int err = errno;
      unlink(temp_path.c_str());
      throw Error(Exit::environment, "cannot set up " + path + ": " + errno_text(err));
    }
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) {
      socket_dev_ = st.st_dev;
      socket_ino_ = st.st_ino;
    }

    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0)
      throw Error(Exit::environment, "control socket: epoll/eventfd: " + errno_text(errno));
    add_or_throw(epoll_fd_, listen_fd_, kListenerKey, EPOLLIN);
    add_or_throw(epoll_fd_, wake_fd_, kWakeKey, EPOLLIN);
  } catch (...) {
    close_everything();
    throw;
  }
}

ControlServer::~ControlServer() { close_everything(); }

void ControlServer::close_everything() {
  for (auto &[id, client] : clients_)
    if (client->fd >= 0) close(client->fd);
  clients_.clear();
  topics_.clear();
  for (int *fd : {&epoll_fd_, &wake_fd_})
    if (*fd >= 0) close(std::exchange(*fd, -1));
  if (listen_fd_ >= 0) {
    close(std::exchange(listen_fd_, -1));
    // Only our own socket: a successor started after a failed stop may own the path now.
    struct stat st {};
    if (socket_ino_ != 0 && stat(options_.socket_path.c_str(), &st) == 0 &&
        st.st_dev == socket_dev_ && st.st_ino == socket_ino_)
      unlink(options_.socket_path.c_str());
  }
  // Released last, so a successor that takes the lock finds the socket already gone.
  if (lock_fd_ >= 0) close(std::exchange(lock_fd_, -1));
}

int ControlServer::poll_fd() const { return epoll_fd_; }

void ControlServer::serve() {
  if (dispatch_depth_ > 0) return;  // called from a handler: the outer serve() goes on
  epoll_event events[kEventsPerServe];
  int n = epoll_wait(epoll_fd_, events, kEventsPerServe, 0);
  // Clients with complete requests left over from the last call first: nothing else would
  // wake them, their sockets are not polled for input meanwhile.
  std::vector<ClientId> backlog;
  backlog.swap(backlog_);
  for (ClientId id : backlog) {
    Client *client = live(id);
    if (!client) continue;
    process_input(*client);
    update_interest(*client);
    if (!client->dead && client->read_closed && client->queued() == 0) drop(*client);
  }
  for (int i = 0; i < n; ++i) {
    uint64_t key = events[i].data.u64;
    if (key == kListenerKey) {
      accept_clients();
      continue;
    }
    if (key == kWakeKey) {
      uint64_t count;
      while (read(wake_fd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    auto it = clients_.find(key);
    if (it == clients_.end() || it->second->dead) continue;
    Client &client = *it->second;
    uint32_t ready = events[i].events;
    if (ready & (EPOLLOUT | EPOLLERR | EPOLLHUP)) flush(client);
    if (!client.dead && (ready & (EPOLLIN | EPOLLERR | EPOLLHUP))) read_client(client);
    if (!client.dead && client.read_closed && client.queued() == 0) drop(client);
  }
  reap();
  if (!backlog_.empty()) wake();  // poll_fd() stays readable while requests wait
}

void ControlServer::accept_clients() {
  for (int i = 0; i < kAcceptsPerServe; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of fds or memory: the listener would stay readable and serve() spin, so stop
      // accepting until a client leaves (reap() resumes). Connections wait in the backlog.
      ++stats_.accept_errors;
      epoll_event ev{};
      ev.data.u64 = kListenerKey;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev) == 0) accept_paused_ = true;
      return;
    }
    if (live_clients() >= kMaxClients) {
      ++stats_.dropped_too_many;
      refuse(fd, "too many clients: the daemon serves at most " + std::to_string(kMaxClients) +
                     " at once");
      continue;
    }
    auto client = std::make_unique<Client>();
    client->id = next_id_++;
    client->fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = client->id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ++stats_.accept_errors;
      close(fd);
      continue;
    }
    ++stats_.accepted;
    clients_.emplace(client->id, std::move(client));
  }
}

void ControlServer::refuse(int fd, const std::string &message) {
  // One attempt: a fresh socket's buffer takes a short line, and a refused client gets no more.
  std::string line = dump_line({{"ok", false}, {"error", message}});
  ssize_t ignored = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)ignored;
  close(fd);
}

void ControlServer::read_client(Client &client) {
  for (int i = 0; i < kReadsPerClient && !client.dead && !client.read_closed && !client.eof &&
                  !client.backlogged;
       ++i) {
    size_t old = client.in.size();
    client.in.resize(old + kReadChunk);
    ssize_t n = recv(client.fd, client.in.data() + old, kReadChunk, MSG_DONTWAIT);
    client.in.resize(old + std::max<ssize_t>(n, 0));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      drop(client);  // ECONNRESET and the like: the client is gone
      return;
    }
    // 0: the client shut down its side; it is answered, then closed once the answers are out.
    if (n == 0) client.eof = true;
    process_input(client);
  }
  update_interest(client);
}

void ControlServer::process_input(Client &client) {
  size_t start = 0;
  int answered = 0;
  client.backlogged = false;
  while (!client.dead && !client.read_closed) {
    size_t newline = client.in.find('\n', std::max(start, client.scanned));
    if (newline == std::string::npos) {
      client.scanned = client.in.size();
      if (client.in.size() - start > kMaxRequestLine) {
        line_too_long(client);
      } else if (client.eof) {
        // What came without a final newline before the end is the last request.
        std::string last = client.in.substr(start);
        start = client.in.size();
        handle_line(client, last);
        client.read_closed = true;
      }
      break;
    }
    if (newline - start > kMaxRequestLine) {
      line_too_long(client);
      break;
    }
    if (answered == kRequestsPerServe) {
      // Enough for one serve(): the rest waits in the backlog, and this client's socket is not
      // read meanwhile (its requests queue in the kernel, bounded by the socket buffer).
      client.backlogged = true;
      backlog_.push_back(client.id);
      break;
    }
    // A copy: the handler may queue output or drop this client, and in must stay valid.
    std::string line = client.in.substr(start, newline - start);
    start = newline + 1;
    handle_line(client, line);
    ++answered;
  }
  if (client.dead || client.read_closed) {
    std::string().swap(client.in);
    client.scanned = 0;
    client.backlogged = false;
    return;
  }
  client.in.erase(0, start);
  client.scanned = client.backlogged ? 0 : client.in.size();
}

void ControlServer::line_too_long(Client &client) {
  ++stats_.bad_requests;
  // The rest of the line cannot be told from the next request: answer, then close.
  enqueue(client, dump_line({{"ok", false},
                             {"error", "request line longer than " +
                                           std::to_string(kMaxRequestLine) + " bytes"}}));
  client.read_closed = true;
  client.in.clear();
  client.scanned = 0;
}

void ControlServer::handle_line(Client &client, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // nc -C, telnet
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  auto error = [&](const std::string &message, const nlohmann::json *request) {
    ++stats_.bad_requests;
    nlohmann::json response = {{"ok", false}, {"error", message}};
    if (request && request->is_object() && request->contains("id"))
      response["id"] = (*request)["id"];
    enqueue(client, dump_line(response));
  };
  nlohmann::json request;
  try {
    request = nlohmann::json::parse(line.begin(), line.end(),
                                    [](int depth, nlohmann::json::parse_event_t, nlohmann::json &) {
                                      if (depth > kMaxRequestDepth) throw TooDeep{};
                                      return true;
                                    });
  } catch (const TooDeep &) {
    error("request nested deeper than " + std::to_string(kMaxRequestDepth) + " levels", nullptr);
    return;
  } catch (const nlohmann::json::exception &e) {
    error("malformed JSON: " + parse_error_text(e.what()), nullptr);
    return;
  }
  if (!request.is_object()) {
    error("a request is a JSON object, not " + std::string(request.type_name()), nullptr);
    return;
  }
  auto name = request.find("request");
  if (name == request.end() || !name->is_string()) {
    error("a request needs a \"request\" string naming what it asks", &request);
    return;
  }
  dispatch(client, request);
}

void ControlServer::dispatch(Client &client, const nlohmann::json &request) {
  nlohmann::json response;
  ++dispatch_depth_;
  try {
    response = handler_(client.id, request);
    if (response.is_null())
      response = nlohmann::json::object();
    else if (!response.is_object())
      response = {{"result", std::move(response)}};
    if (!response.contains("ok")) response["ok"] = true;
  } catch (const std::exception &e) {
    ++stats_.handler_errors;
    response = {{"ok", false}, {"error", one_line(e.what())}};
  } catch (...) {
    ++stats_.handler_errors;
    response = {{"ok", false}, {"error", "the request failed"}};
  }
  --dispatch_depth_;
  if (request.contains("id")) response["id"] = request["id"];
  enqueue(client, dump_line(response));
}

bool ControlServer::enqueue(Client &client, std::string line) {
  if (client.dead) return false;
  if (client.queued() + line.size() > kMaxQueuedBytes) {
    ++stats_.dropped_slow;
    drop(client);
    return false;
  }
  bool was_empty = client.queued() == 0;
  client.out += line;
  if (was_empty) flush(client);  // most lines go out at once; EPOLLOUT only for the rest
  return !client.dead;
}

void ControlServer::flush(Client &client) {
  while (client.queued() > 0) {
    ssize_t n = ::send(client.fd, client.out.data() + client.out_sent, client.queued(),
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      client.out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    drop(client);  // EPIPE, ECONNRESET: the client is gone (MSG_NOSIGNAL: no SIGPIPE)
    return;
  }
  if (client.queued() == 0) {
    client.out.clear();
    client.out_sent = 0;
    if (client.out.capacity() > kKeptCapacity) std::string().swap(client.out);
  } else if (client.out_sent > kKeptCapacity && client.out_sent * 2 > client.out.size()) {
    // Drop what was written once it is most of the buffer: appends stay amortised O(1).
    client.out.erase(0, client.out_sent);
    client.out_sent = 0;
  }
  update_interest(client);
}

void ControlServer::update_interest(Client &client) {
  if (client.dead) return;
  bool reading = !client.read_closed && !client.eof && !client.backlogged;
  uint32_t interest =
      (reading ? uint32_t{EPOLLIN} : 0u) | (client.queued() > 0 ? uint32_t{EPOLLOUT} : 0u);
  if (interest == client.interest) return;
  epoll_event ev{};
  ev.events = interest;
  ev.data.u64 = client.id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, client.fd, &ev) == 0) client.interest = interest;
}

void ControlServer::drop(Client &client) {
  if (client.dead) return;
  client.dead = true;
  // Deleted before close: a child forked without exec would keep the file, and the set with it.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd, nullptr);
  close(client.fd);
  client.fd = -1;
  for (const std::string &topic : client.topics) {
    auto it = topics_.find(topic);
    if (it == topics_.end()) continue;
    it->second.erase(client.id);
    if (it->second.empty()) topics_.erase(it);
  }
  client.topics.clear();
  std::string().swap(client.in);
  std::string().swap(client.out);
  client.out_sent = 0;
  dead_.push_back(client.id);
  wake();
}

void ControlServer::wake() {
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);  // EAGAIN: already pending, which is enough
  (void)ignored;
}

void ControlServer::reap() {
  if (dead_.empty()) return;
  std::vector<ClientId> gone;
  gone.swap(dead_);
  for (ClientId id : gone) clients_.erase(id);
  if (accept_paused_ && live_clients() < kMaxClients) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerKey;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev) == 0) accept_paused_ = false;
  }
  if (on_disconnect)
    for (ClientId id : gone) on_disconnect(id);
}

size_t ControlServer::live_clients() const { return clients_.size() - dead_.size(); }

ControlServer::Client *ControlServer::live(ClientId id) const {
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second->dead) return nullptr;
  return it->second.get();
}

void ControlServer::subscribe(ClientId id, const std::string &topic) {
  Client *client = live(id);
  if (!client) return;
  client->topics.insert(topic);
  topics_[topic].insert(id);
}

void ControlServer::unsubscribe(ClientId id, const std::string &topic) {
  Client *client = live(id);
  if (!client) return;
  client->topics.erase(topic);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) topics_.erase(it);
}

size_t ControlServer::publish(const std::string &topic, const nlohmann::json &event) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return 0;
  std::string line;
  if (event.is_object() && !event.contains("event")) {
    nlohmann::json tagged = event;
    tagged["event"] = topic;
    line = dump_line(tagged);
  } else {
    line = dump_line(event);
  }
  // A copy: a subscriber dropped on the way leaves the set.
  std::vector<ClientId> subscribers(it->second.begin(), it->second.end());
  size_t delivered = 0;
  for (ClientId id : subscribers)
    if (Client *client = live(id); client && enqueue(*client, line)) ++delivered;
  return delivered;
}

bool ControlServer::has_subscribers(const std::string &topic) const {
  return topics_.count(topic) != 0;  // empty sets are erased
}

bool ControlServer::send(ClientId id, const nlohmann::json &message) {
  Client *client = live(id);
  return client && enqueue(*client, dump_line(message));
}

size_t ControlServer::queued_bytes(ClientId id) const {
  Client *client = live(id);
  return client ? client->queued() : 0;
}

void to_json(nlohmann::json &out, const ControlServer::Stats &stats) {
  out = {{"clients", stats.clients},
         {"subscribers", stats.subscribers},
         {"queued_bytes", stats.queued_bytes},
         {"accepted", stats.accepted},
         {"dropped_slow", stats.dropped_slow},
         {"dropped_too_many", stats.dropped_too_many},
         {"bad_requests", stats.bad_requests},
         {"handler_errors", stats.handler_errors},
         {"accept_errors", stats.accept_errors}};
}

ControlServer::Stats ControlServer::stats() const {
  Stats stats = stats_;
  stats.clients = live_clients();
  stats.subscribers = 0;
  stats.queued_bytes = 0;
  for (const auto &[id, client] : clients_) {
    if (client->dead) continue;
    if (!client->topics.empty()) ++stats.subscribers;
    stats.queued_bytes += client->queued();
  }
  return stats;
}

}  // namespace syscope::daemon
