// SPDX-License-Identifier: Apache-2.0
// The daemon's dry-run settings (config dry_run, --dry-run CONTAINER=PROFILE): a container a
// setting names has its live calls judged against that candidate profile as watch --would-deny
// judges them (only calls made under a seccomp filter; nothing is enforced). Each distinct call
// the candidate would refuse is logged once ("would_deny"), published on the would_deny topic and
// kept per container for the dry_run request (syscope status --dry-run). The dry-run programs
// are loaded only when a setting exists: without one, no syscall pays anything for them.
#include <sys/stat.h>

#include <cstdio>

#include "daemon_impl.hpp"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/kernel/loss_counters.hpp"

namespace syscope::daemon {
namespace {

using json = nlohmann::json;

uint64_t wall_now() { return static_cast<uint64_t>(clock_ns(CLOCK_REALTIME)); }

// A container keeps the ids of its removed cgroups (their calls are its history); only a
// cgroup still there under that id (a cgroup2 id is its directory's inode) goes under dry-run.
bool cgroup_alive(const std::string &mount, const std::optional<std::string> &path, uint64_t id) {
  struct stat st {};
  return path && stat((mount + *path).c_str(), &st) == 0 && st.st_ino == id;
}

}  // namespace

void Daemon::start_dry_run() {
  if (!dry_candidates_ || dry_candidates_->empty()) return;
  // No cgroup sink: which cgroups are whose comes from the daemon's own lifecycle programs.
  dry_probe_ = std::make_unique<bpf::WouldDenyProbe>(
      [this](bpf::DryRunCall &&call) { on_dry_run_call(std::move(call)); }, nullptr);
  const auto &candidates = dry_candidates_->candidates();
  for (uint32_t i = 0; i < candidates.size(); ++i)
    dry_probe_->set_candidate(i, candidates[i].judge->plan());
  log_.info("dry_run", {{"settings", dry_candidates_->settings_json()},
                        {"note", "candidates are judged, not enforced"}});
}

void Daemon::dry_run_assign(TrackedContainer &c) {
  if (!dry_probe_) return;
  auto candidate =
      dry_candidates_->candidate_for(c.metadata ? c.metadata->name : "", c.ref.id, c.image());
  if (!candidate) return;
  auto [it, fresh] = dry_assigned_.try_emplace(c.ref.id);
  if (fresh) it->second = {*candidate, wall_now(), "", ""};
  it->second.name = c.name();  // the runtime's name once it said, else the short id
  it->second.image = c.image();
  if (fresh)
    log_.info("dry_run_started", {{"id", c.ref.id},
                                  {"name", c.name()},
                                  {"image", c.image()},
                                  {"profile", dry_candidates_->candidates()[*candidate].profile}});
  for (uint64_t cg : c.cgroup_ids)
    if (!dry_cgroups_.count(cg) && cgroup_alive(mount_, registry_->path_of(cg), cg)) {
      dry_probe_->add_cgroup(cg, it->second.candidate);
      dry_cgroups_.insert(cg);
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
  if (!c || call.candidate >= dry_candidates_->candidates().size()) return;
  auto w = dry_candidates_->candidates()[call.candidate].judge->judge(call);
  if (!w) return;
  w->container = watch::ContainerLabel{std::string(container::runtime_name(c->ref.runtime)),
                                       c->ref.id, c->metadata ? c->metadata->name : "", c->image()};
  if (!dry_reports_.add(c->ref.id, *w, call.wall_time_ns)) return;
  auto report = watch::to_json(*w);
  log_.warning("would_deny", report);
  server_->publish("would_deny", {{"event", "would_deny"}, {"report", report}});
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
    throw Error(Exit::usage, "no dry-run is set (the config's dry_run, or --dry-run "
                             "CONTAINER=PROFILE)");
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
        {"profile", dry_candidates_->candidates()[assignment.candidate].profile},
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
