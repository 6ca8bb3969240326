// SPDX-License-Identifier: Apache-2.0
// The control socket's requests (README: run it as a service). Every answer comes from what the
// daemon holds in memory, never from the runtime's API; only `profile` first saves what the
// kernel gathered since the last flush, so the answer holds every call up to now.
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

#include "daemon_impl.hpp"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::daemon {
namespace {

using json = nlohmann::json;

std::string string_field(const json &request, const char *key, const std::string &fallback = "") {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return fallback;
  if (!it->is_string()) throw Error(Exit::usage, std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

json profile_text(const seccomp::Profile &profile, const std::string &format) {
  seccomp::compile_profile(profile);  // never hand out what libseccomp would refuse
  return json::parse(format == "oci" ? record::to_oci_json(profile)
                                     : seccomp::to_docker_json(profile));
}

}  // namespace

json Daemon::handle(ControlServer::ClientId client, const json &request) {
  std::string what = request.at("request").get<std::string>();
  if (what == "status") return status();
  if (what == "containers") return list_containers();
  if (what == "profile") return profile(request);
  if (what == "denials") return denials(request);
  if (what == "dry_run") return dry_run_report(request);
  if (what == "dry_run_start") return dry_run_start(client, request);
  if (what == "dry_run_stop") return dry_run_stop(client);
  if (what == "audit") {
    json out;
    out["containers"] = alerts_->verdicts();
    out["failing"] = alerts_->failing();
    return out;
  }
  if (what == "subscribe") {
    json topics =
        request.contains("topics") ? request["topics"] : json::array({"denials", "alerts"});
    if (!topics.is_array() || topics.empty())
      throw Error(Exit::usage, "\"topics\" must be a list: [\"denials\", \"alerts\"]");
    std::vector<std::string> names;
    for (const auto &t : topics) {
      if (!t.is_string() || (t != "denials" && t != "alerts" && t != "would_deny"))
        throw Error(Exit::usage, "unknown topic " + t.dump() + " (denials, alerts, would_deny)");
      names.push_back(t.get<std::string>());
    }
    for (const auto &t : names) server_->subscribe(client, t);
    return {{"subscribed", names}};
  }
  if (what == "trace_start") return trace_start(client, request);
  if (what == "trace_stop") return trace_stop(client, request);
  if (what == "flight_dump") return flight_dump(request);
  return {{"ok", false},
          {"error",
           "unknown request \"" + what +
               "\" (status, containers, profile, denials, dry_run, dry_run_start, dry_run_stop, "
               "audit, subscribe, "
               "trace_start, trace_stop, flight_dump)"}};
}

json Daemon::status() const {
  size_t running = 0;
  for (const auto &[id, c] : registry_->containers()) running += c.running();
  auto server = server_->stats();
  auto tracing = tracer_->usage();
  json out;
  out["version"] = SYSCOPE_VERSION;
  out["pid"] = getpid();
  out["started"] = rfc3339_time(started_wall_ns_);
  out["uptime_s"] = std::chrono::duration<double>(Clock::now() - started_).count();
  out["state_dir"] = config_.state_dir;
  out["socket"] = config_.socket;
  out["metrics"] =
      metrics_server_ ? json("http://" + metrics_server_->address() + "/metrics") : json();
  out["persistence"] = {{"pinned", pin_dir_.has_value()},
                        {"pin_dir", pin_dir_ ? json(*pin_dir_) : json()},
                        {"note", persistence_note_},
                        {"probes", bpf::to_string(probes_->start())},
                        {"probes_note", probes_->start_note()}};
  out["containers"] = {{"running", running},
                       {"profiled", store_->containers().size()},
                       {"images", store_->image_keys().size()},
                       {"failing_audit", alerts_->failing()}};
  out["denials"] = denials_total_;
  out["alerts"] = alerts_total_;
  out["losses"] = bpf::to_json(probes_->losses());
  out["losses"]["unattributed_calls"] = unattributed_calls_;
  out["dry_run"] = dry_run_status();  // null without a dry-run setting
  out["confinement"] = confinement_ ? confinement_->to_json() : json();
  out["self_denials"] = self_denials_;
  out["map_bytes"] = probes_->map_bytes();
  out["rss_bytes"] = rss_bytes();
  out["clients"] = {{"connected", server.clients},
                    {"subscribers", server.subscribers},
                    {"dropped_slow", server.dropped_slow},
                    {"refused_too_many", server.dropped_too_many},
                    {"bad_requests", server.bad_requests}};
  out["tracing"] = {
      {"sessions", tracing.sessions},         {"flight_recorders", tracing.flights},
      {"flight_bytes", tracing.flight_bytes}, {"flight_dropped", tracing.flight_dropped},
      {"flight_dumps", flight_dumps_},        {"session_dropped", tracing.session_dropped}};
  return out;
}

json Daemon::list_containers() const {
  json list = json::array();
  std::set<std::string> listed;
  for (const auto &[id, c] : registry_->containers()) {
    const auto *entry = store_->find_container(id);
    json j = {{"id", id},
              {"name", c.name()},
              {"image", c.image()},
              {"runtime", std::string(container::runtime_name(c.ref.runtime))},
              {"state", c.running() ? "running" : "exited"},
              {"cgroups", c.cgroup_ids.size()},
              {"first_seen", rfc3339_time(c.first_seen_ns)},
              {"flight_recorder", flights_.count(id) ? json(flights_.at(id).count()) : json()},
              {"syscalls", entry ? entry->calls.all().count() : 0}};
    list.push_back(std::move(j));
    listed.insert(id);
  }
  for (const auto *entry : store_->containers()) {
    if (listed.count(entry->who.id)) continue;
    list.push_back(
        {{"id", entry->who.id},
         {"name", entry->who.name.empty() ? container::short_id(entry->who.id) : entry->who.name},
         {"image", entry->who.image},
         {"runtime", entry->who.runtime},
         {"state", entry->removed_at ? "exited" : "not seen since the restart"},
         {"first_seen", rfc3339_time(entry->first_seen)},
         {"exited", entry->removed_at ? json(rfc3339_time(entry->removed_at)) : json()},
         {"syscalls", entry->calls.all().count()}});
  }
  return {{"containers", list}};
}

// A container's profile first (name or id prefix, as docker takes them), else an image's.
json Daemon::profile(const json &request) {
  std::string target = string_field(request, "target");
  std::string format = string_field(request, "format", "docker");
  std::string kind = string_field(request, "kind", "auto");
  if (target.empty())
    throw Error(Exit::usage, "profile: \"target\" (a container or image) is missing");
  if (format != "docker" && format != "oci")
    throw Error(Exit::usage, "unknown format \"" + format + "\" (docker, oci)");
  if (kind != "auto" && kind != "container" && kind != "image")
    throw Error(Exit::usage, "unknown kind \"" + kind + "\" (container, image)");
  // Calls gathered since the last flush are in the answer too.
  save_profiles();
  const auto &reference = seccomp::DockerDefault::for_this_host();
  if (kind != "image") {
    if (const auto *entry = store_->find_container(target)) {
      auto composed = store_->container_profile(entry->who.id);
      if (!composed) throw Error(Exit::usage, "container " + target + " has made no calls yet");
      json out;
      out["kind"] = "container";
      out["container"] = {{"id", entry->who.id},
                          {"name", entry->who.name},
                          {"image", entry->who.image},
                          {"exited", entry->removed_at != 0}};
      out["syscalls"] = composed->built.syscall_count;
      out["allowed_by_docker_default"] = reference.allowed_count();
      out["notes"] = composed->notes;
      out["profile"] = profile_text(composed->built.profile, format);
      return out;
    }
    if (kind == "container") throw Error(Exit::usage, "no container " + target + " is known");
  }
  auto image = store_->image_profile(target);
  if (!image) throw Error(Exit::usage, "no container or image \"" + target + "\" is known");
  json out;
  out["kind"] = "image";
  out["image"] = {{"key", image->key},
                  {"image", image->image},
                  {"image_id", image->image_id},
                  {"command", image->command},
                  {"instances", image->instances}};
  out["syscalls"] = image->composed.built.syscall_count;
  out["coverage"] = image->coverage;
  out["notes"] = image->composed.notes;
  out["profile"] = profile_text(image->composed.built.profile, format);
  return out;
}

json Daemon::denials(const json &request) const {
  std::string container = string_field(request, "container");
  size_t limit = kRecentDenials;
  if (request.contains("limit")) {
    if (!request["limit"].is_number_unsigned())
      throw Error(Exit::usage, "\"limit\" must be a whole number");
    limit = std::min<size_t>(limit, request["limit"].get<size_t>());
  }
  json list = json::array();
  if (container.empty()) {
    for (auto it = recent_denials_.rbegin(); it != recent_denials_.rend() && list.size() < limit;
         ++it)
      list.push_back(json(*it));
  } else {
    // The container's own recent denials. One made before its metadata arrived was kept with
    // an empty name: the registry, which has the name by now, says which ids the query means.
    std::set<std::string> ids;
    for (const auto &[id, c] : registry_->containers())
      if (c.metadata && container::container_matches(container, c.metadata->name, id))
        ids.insert(id);
    std::vector<const nlohmann::ordered_json *> mine;
    for (const auto &[id, events] : recent_by_container_) {
      bool named = false;
      for (const auto &e : events) {
        const auto &c = e["denial"]["container"];
        named = named || container::container_matches(container, c["name"].get<std::string>(), id);
      }
      if (!ids.count(id) && !named) continue;
      for (const auto &e : events) mine.push_back(&e);
    }
    std::sort(mine.begin(), mine.end(), [](const auto *a, const auto *b) {
      return (*a)["denial"]["wall_time_ns"].template get<uint64_t>() >
             (*b)["denial"]["wall_time_ns"].template get<uint64_t>();
    });
    for (const auto *e : mine) {
      if (list.size() >= limit) break;
      list.push_back(json(*e));
    }
  }
  std::reverse(list.begin(), list.end());
  return {{"denials", list}, {"total", denials_total_}};
}

}  // namespace syscope::daemon
