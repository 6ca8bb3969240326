// SPDX-License-Identifier: Apache-2.0
// The daemon's dry-run of candidate profiles: from the config (dry_run, --dry-run
// CONTAINER=PROFILE), for the daemon's life, and from clients (`watch --daemon --would-deny`,
// the dry_run_start request), for the connection's. A container a setting names has its live
// calls judged against that candidate as watch --would-deny judges them (only calls made under
// a seccomp filter; nothing is enforced). Each distinct call the candidate would refuse is
// logged once ("would_deny"), published on the would_deny topic, sent to the client whose
// candidate it is, and kept per container for the dry_run request (syscope status --dry-run).
// The dry-run programs are loaded while a candidate exists: without one no syscall pays for
// them.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "daemon_impl.hpp"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::daemon {
namespace {

using json = nlohmann::json;

// A container keeps the ids of its removed cgroups (their calls are its history); only a
// cgroup still there under that id (a cgroup2 id is its directory's inode) goes under dry-run.
bool cgroup_alive(const std::string &mount, const std::optional<std::string> &path, uint64_t id) {
  struct stat st {};
  return path && stat((mount + *path).c_str(), &st) == 0 && st.st_ino == id;
}

std::vector<std::string> string_list(const json &request, const char *key) {
  std::vector<std::string> out;
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(Exit::usage, std::string("\"") + key + "\" must be a list");
  for (const auto &v : *it) {
    if (!v.is_string() || v.get<std::string>().empty())
      throw Error(Exit::usage, std::string("\"") + key + "\" must hold names");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

void Daemon::start_dry_run() {
  if (!dry_candidates_ || dry_candidates_->empty() || dry_probe_) return;
  // No cgroup sink: which cgroups are whose comes from the daemon's own lifecycle programs.
  dry_probe_ = std::make_unique<bpf::WouldDenyProbe>(
      [this](bpf::DryRunCall &&call) { on_dry_run_call(std::move(call)); }, nullptr);
  for (uint32_t i = 0; i < SYSCOPE_DRY_CANDIDATES; ++i)
    if (const auto *c = dry_candidates_->candidate(i))
      dry_probe_->set_candidate(i, c->judge->plan());
  log_.info("dry_run", {{"settings", dry_candidates_->settings_json()},
                        {"note", "candidates are judged, not enforced"}});
}

void Daemon::dry_run_assign(TrackedContainer &c) {
  if (!dry_probe_) return;
  auto known = dry_assigned_.find(c.ref.id);
  if (known == dry_assigned_.end()) {
    auto slot =
        dry_candidates_->candidate_for(c.metadata ? c.metadata->name : "", c.ref.id, c.image());
    if (!slot) return;
    DryRunAssignment a{*slot, wall_now(), "", "", dry_candidates_->candidate(*slot)->profile};
    known = dry_assigned_.emplace(c.ref.id, std::move(a)).first;
    log_.info("dry_run_started", {{"id", c.ref.id},
                                  {"name", c.name()},
                                  {"image", c.image()},
                                  {"profile", known->second.profile}});
  }
  known->second.name = c.name();  // the runtime's name once it said, else the short id
  known->second.image = c.image();
  for (uint64_t cg : c.cgroup_ids)
    if (!dry_cgroups_.count(cg) && cgroup_alive(mount_, registry_->path_of(cg), cg)) {
      dry_probe_->add_cgroup(cg, known->second.candidate);
      dry_cgroups_[cg] = c.ref.id;
    }
}

void Daemon::dry_run_forget(const std::string &container_id) {
  dry_assigned_.erase(container_id);
  dry_reports_.forget(container_id);
}

void Daemon::dry_run_cgroup_gone(uint64_t cgroup_id) {
  if (dry_cgroups_.erase(cgroup_id)) dry_probe_->remove_cgroup(cgroup_id);
}

void Daemon::on_dry_run_call(bpf::DryRunCall &&call) {
  TrackedContainer *c = registry_->container_of(call.cgroup_id, wall_now());
  const auto *candidate = dry_candidates_->candidate(call.candidate);
  if (!c || !candidate) return;  // a record of a candidate ended meanwhile
  auto w = candidate->judge->judge(call);
  if (!w) return;
  w->container = watch::ContainerLabel{std::string(container::runtime_name(c->ref.runtime)),
                                       c->ref.id, c->metadata ? c->metadata->name : "", c->image()};
  if (!dry_reports_.add(c->ref.id, *w, call.wall_time_ns)) return;
  auto report = watch::to_json(*w);
  report["profile"] = candidate->profile;
  log_.warning("would_deny", report);
  json event = {{"event", "would_deny"}, {"report", report}, {"text", watch::format_text(*w)}};
  server_->publish("would_deny", event);
  if (candidate->owner != DryRunCandidates::kConfig)
    server_->send(static_cast<ControlServer::ClientId>(candidate->owner), event);
}

// {"request":"dry_run_start","profile":{...},"source":"web.json","containers":["web"]}: the
// client's candidate judges the named containers (none: every container no other setting
// names) until dry_run_stop or the connection's end.
json Daemon::dry_run_start(ControlServer::ClientId client, const json &request) {
  if (!request.contains("profile") || !request["profile"].is_object())
    throw Error(Exit::usage, "dry_run_start: \"profile\" (a Docker-format profile) is missing");
  std::string source = request.value("source", "the client's profile");
  auto containers = string_list(request, "containers");
  if (std::find(dry_clients_.begin(), dry_clients_.end(), client) != dry_clients_.end())
    throw Error(Exit::usage, "this connection already runs a dry-run");
  auto profile = seccomp::parse_docker_profile(request["profile"].dump(), source);
  if (!dry_candidates_)
    dry_candidates_ = std::make_unique<DryRunCandidates>(std::vector<DryRunSetting>{}, nullptr);
  uint32_t slot = dry_candidates_->add_client(client, profile, source, containers);
  dry_clients_.push_back(client);
  if (dry_probe_)
    dry_probe_->set_candidate(slot, dry_candidates_->candidate(slot)->judge->plan());
  else
    start_dry_run();
  // Which running containers it judges now, and which it names that another candidate holds.
  json judged = json::array(), busy = json::array();
  for (auto &[id, c] : registry_->containers()) {
    if (!c.running()) continue;
    dry_run_assign(c);
    std::string name = c.metadata ? c.metadata->name : "";
    bool named = containers.empty() ||
                 std::any_of(containers.begin(), containers.end(), [&](const std::string &q) {
                   return container::container_matches(q, name, id);
                 });
    auto a = dry_assigned_.find(id);
    if (!named || a == dry_assigned_.end()) continue;
    if (a->second.candidate == slot)
      judged.push_back(c.name());
    else
      busy.push_back({{"name", c.name()}, {"profile", a->second.profile}});
  }
  log_.info("dry_run_client",
            {{"client", client}, {"profile", source}, {"containers", containers}});
  return {{"candidate", slot}, {"judged", judged}, {"busy", busy}};
}

json Daemon::dry_run_stop(ControlServer::ClientId client) {
  auto it = std::find(dry_clients_.begin(), dry_clients_.end(), client);
  if (it == dry_clients_.end()) throw Error(Exit::usage, "no dry-run on this connection");
  json losses = bpf::to_json(dry_probe_->losses());
  end_dry_run_of_client(client);
  return {{"losses", losses}};
}

// The client's candidate goes; the containers it judged leave the dry-run, and their reports
// with it (the client has had them).
void Daemon::end_dry_run_of_client(ControlServer::ClientId client) {
  auto it = std::find(dry_clients_.begin(), dry_clients_.end(), client);
  if (it == dry_clients_.end()) return;
  dry_clients_.erase(it);
  for (uint32_t slot : dry_candidates_->remove_owner(client)) {
    for (auto a = dry_assigned_.begin(); a != dry_assigned_.end();) {
      auto cur = a++;
      if (cur->second.candidate != slot) continue;
      for (auto cg = dry_cgroups_.begin(); cg != dry_cgroups_.end();) {
        auto c = cg++;
        if (c->second == cur->first) {
          dry_probe_->remove_cgroup(c->first);
          dry_cgroups_.erase(c);
        }
      }
      dry_run_forget(cur->first);
    }
  }
  log_.info("dry_run_client_ended", {{"client", client}});
  if (dry_candidates_->empty()) {
    dry_probe_.reset();  // nothing left to judge: the programs go, and their cost with them
    dry_cgroups_.clear();
  } else {
    // Containers the ended candidate judged may be named by another setting.
    for (auto &[id, c] : registry_->containers())
      if (c.running()) dry_run_assign(c);
  }
}

json Daemon::dry_run_status() const {
  if (!dry_probe_) return nullptr;
  return {{"settings", dry_candidates_->settings_json()},
          {"containers", dry_assigned_.size()},
          {"cgroups", dry_cgroups_.size()},
          {"would_deny", dry_reports_.total()},
          {"losses", bpf::to_json(dry_probe_->losses())}};
}

json Daemon::dry_run_report(const json &request) const {
  if (!dry_probe_)
    throw Error(Exit::usage, "no dry-run is set (the config's dry_run, --dry-run "
                             "CONTAINER=PROFILE, or a client's watch --daemon --would-deny)");
  std::string query;
  if (auto q = request.find("container"); q != request.end() && !q->is_null()) {
    if (!q->is_string()) throw Error(Exit::usage, "\"container\" must be a string");
    query = q->get<std::string>();
  }
  json containers = json::array();
  for (const auto &[id, assignment] : dry_assigned_) {
    if (!query.empty() && !container::container_matches(query, assignment.name, id)) continue;
    auto known = registry_->containers().find(id);
    nlohmann::ordered_json who = {
        {"id", id},
        {"name", assignment.name},
        {"image", assignment.image},
        {"running", known != registry_->containers().end() && known->second.running()},
        {"profile", assignment.profile},
        {"since", rfc3339_time(assignment.since_ns)}};
    auto j = dry_reports_.container_json(id, std::move(who));
    j["rules_to_add"] = dry_reports_.rules_to_add(id);
    containers.push_back(json(j));
  }
  if (!query.empty() && containers.empty())
    throw Error(Exit::usage, "no container \"" + query + "\" is under dry-run");
  return {{"settings", dry_candidates_->settings_json()},
          {"containers", containers},
          {"losses", bpf::to_json(dry_probe_->losses())}};
}

}  // namespace syscope::daemon
