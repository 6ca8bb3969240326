// SPDX-License-Identifier: Apache-2.0
// Forensic capture through the daemon: `trace --daemon` sessions streamed to their client, and
// flight recorders for containers labelled io.syscope.flight-recorder=<seconds>, dumped into
// the state dir on a denial or an alert (at most once per window per container, so a denial
// loop does not fill the disk) or on request.
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "daemon_impl.hpp"
#include "syscope/base/error.hpp"
#include "syscope/daemon/trace_stream.hpp"

namespace syscope::daemon {
namespace {

using json = nlohmann::json;

// The label's value as a window: whole seconds from 1 to kMaxFlightSeconds; nullopt otherwise.
std::optional<std::chrono::seconds> flight_window(const std::string &value) {
  if (value.empty() || value.size() > 5 ||
      value.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int seconds = std::atoi(value.c_str());
  if (seconds < 1 || seconds > kMaxFlightSeconds) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace

json Daemon::container_record(const TrackedContainer &c) const {
  json record = {{"cgroup_id", c.cgroup_ids.empty() ? 0 : *c.cgroup_ids.begin()},
                 {"runtime", std::string(container::runtime_name(c.ref.runtime))},
                 {"id", c.ref.id},
                 {"name", c.metadata ? c.metadata->name : ""},
                 {"image", c.image()},
                 {"labels", c.metadata ? json(c.metadata->labels) : json::object()}};
  return record;
}

void Daemon::ensure_flight(TrackedContainer &c) {
  if (!c.metadata || !c.running() || flights_.count(c.ref.id)) return;
  auto label = c.metadata->labels.find(kFlightLabel);
  if (label == c.metadata->labels.end()) return;
  auto window = flight_window(label->second);
  if (!window) {
    log_.warning("flight_recorder", {{"id", c.ref.id},
                                     {"name", c.name()},
                                     {"error", std::string(kFlightLabel) + "=" + label->second +
                                                   ": expected whole seconds from 1 to " +
                                                   std::to_string(kMaxFlightSeconds)}});
    return;
  }
  try {
    tracer_->start_flight(c.ref.id, {c.cgroup_ids.begin(), c.cgroup_ids.end()}, *window,
                          container_record(c));
  } catch (const Error &e) {
    log_.error("flight_recorder", {{"id", c.ref.id}, {"error", e.what()}});
    return;
  }
  flights_[c.ref.id] = *window;
  log_.info("flight_recorder",
            {{"id", c.ref.id}, {"name", c.name()}, {"window_s", window->count()}});
}

void Daemon::flight_trigger(const std::string &container_id, const std::string &reason) {
  auto flight = flights_.find(container_id);
  if (flight == flights_.end()) return;
  auto now = Clock::now();
  auto last = last_flight_dump_.find(container_id);
  if (last != last_flight_dump_.end() && now - last->second < flight->second) return;
  last_flight_dump_[container_id] = now;
  try {
    std::string path = tracer_->dump_flight(container_id, config_.state_dir + "/flight", reason);
    ++flight_dumps_;
    log_.info("flight_dump", {{"id", container_id}, {"reason", reason}, {"path", path}});
  } catch (const Error &e) {
    log_.error("flight_dump", {{"id", container_id}, {"error", e.what()}});
  }
}

json Daemon::flight_dump(const json &request) {
  if (!request.contains("container") || !request["container"].is_string())
    throw Error(Exit::usage, "flight_dump: \"container\" is missing");
  TrackedContainer *c = registry_->find(request["container"].get<std::string>());
  if (!c || !flights_.count(c->ref.id))
    throw Error(Exit::usage, "no flight recorder runs for container " +
                                 request["container"].get<std::string>() + " (label it " +
                                 kFlightLabel + "=<seconds>)");
  std::string path = tracer_->dump_flight(c->ref.id, config_.state_dir + "/flight", "request");
  ++flight_dumps_;
  log_.info("flight_dump", {{"id", c->ref.id}, {"reason", "request"}, {"path", path}});
  return {{"path", path}};
}

json Daemon::trace_start(ControlServer::ClientId client, const json &request) {
  if (!request.contains("container") || !request["container"].is_string())
    throw Error(Exit::usage, "trace_start: \"container\" is missing");
  std::string query = request["container"].get<std::string>();
  TrackedContainer *c = registry_->find(query);
  if (!c || !c->running()) throw Error(Exit::usage, "no running container " + query + " is known");
  std::optional<Clock::time_point> deadline;
  if (request.contains("duration")) {
    if (!request["duration"].is_number() || request["duration"].get<double>() <= 0)
      throw Error(Exit::usage, "\"duration\" must be a positive number of seconds");
    deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(request["duration"].get<double>()));
  }
  auto session_id = std::make_shared<uint64_t>(0);
  ControlServer *server = server_.get();
  uint64_t session = tracer_->start_session(
      c->ref.id, {c->cgroup_ids.begin(), c->cgroup_ids.end()},
      [server, client, session_id](std::string_view records) {
        server->send(client, json::parse(trace_records_message(*session_id, records)));
      });
  *session_id = session;
  sessions_[session] = Session{client, c->ref.id, deadline};
  log_.info("trace_started", {{"session", session}, {"id", c->ref.id}, {"name", c->name()}});
  return trace_start_fields(session, trace::local_file_header(), container_record(*c));
}

json Daemon::trace_stop(ControlServer::ClientId client, const json &request) {
  if (!request.contains("session") || !request["session"].is_number_unsigned())
    throw Error(Exit::usage, "trace_stop: \"session\" is missing");
  uint64_t session = request["session"].get<uint64_t>();
  auto it = sessions_.find(session);
  if (it == sessions_.end() || it->second.client != client)
    throw Error(Exit::usage, "no trace session " + std::to_string(session) + " on this connection");
  end_session(session, "stopped by the client");
  return {{"session", session}};
}

void Daemon::end_session(uint64_t session, const std::string &reason) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  ControlServer::ClientId client = it->second.client;
  sessions_.erase(it);
  auto stats = tracer_->stop_session(session);
  json counters = bpf::to_json(tracer_->losses());
  counters["session_dropped"] = stats.dropped;
  server_->send(client, json::parse(trace_end_message(session, reason, counters)));
  log_.info("trace_ended", {{"session", session},
                            {"reason", reason},
                            {"records", stats.records},
                            {"dropped", stats.dropped}});
}

void Daemon::end_sessions_of_client(ControlServer::ClientId client) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto cur = it++;
    if (cur->second.client == client) end_session(cur->first, "the client went away");
  }
}

void Daemon::end_expired_sessions() {
  auto now = Clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto cur = it++;
    if (cur->second.deadline && now >= *cur->second.deadline)
      end_session(cur->first, "duration reached");
  }
}

}  // namespace syscope::daemon
