// SPDX-License-Identifier: Apache-2.0
// syscope watch --would-deny PROFILE: dry-run of a candidate profile on live containers. Every
// container cgroup (the runtime's naming: container_id.hpp), existing or created while we run,
// goes under dry-run as soon as it is seen; with --container, one that turns out not to be
// named is taken out again once the runtime says who it is, and its calls held until then.
// Only calls made under a seccomp filter are judged (the kernel side checks), which are the
// calls the candidate would see in its place: runc's setup before it installs a filter is not.
#include "would_deny_run.hpp"

#include "container_label.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/container_resolver.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/would_deny_probe.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/watch/would_deny.hpp"

namespace syscope::cli {
namespace {

constexpr uint32_t kCandidate = 0;  // watch holds one candidate

bool named(const std::vector<std::string> &queries, const std::string &name,
           const std::string &id) {
  for (const auto &q : queries)
    if (container::container_matches(q, name, id)) return true;
  return false;
}

// Which cgroups are under dry-run, and the calls of those whose container is not known yet.
class DryRunSession {
 public:
  DryRunSession(const WouldDenyOptions &opts, const watch::WouldDenyJudge &judge,
                container::ContainerResolver &resolver)
      : opts_(opts), judge_(judge), resolver_(resolver) {}

  void attach(bpf::WouldDenyProbe &probe) { probe_ = &probe; }

  void cgroup_seen(uint64_t id, const std::string &path) {
    auto ref = container::container_from_cgroup_path(path);
    if (!ref || kept_.count(id) || undecided_.count(id)) return;
    resolver_.note_path(id, path);
    probe_->add_cgroup(id, kCandidate);
    if (opts_.containers.empty())
      kept_.insert(id);
    else
      undecided_[id];
  }

  void cgroup_gone(uint64_t id) {
    if (undecided_.count(id)) decide(id);  // a container that lived shorter than a tick
    if (undecided_.erase(id)) {            // still unknown: its calls go unjudged
      unidentified_.push_back(resolver_.resolve(id).display_name());
      probe_->remove_cgroup(id);
    }
    if (kept_.erase(id)) probe_->remove_cgroup(id);
  }

  void call(bpf::DryRunCall &&c) {
    if (auto it = undecided_.find(c.cgroup_id); it != undecided_.end())
      it->second.push_back(std::move(c));
    else if (kept_.count(c.cgroup_id))
      report(c);
  }

  // With --container: who each new container is, once the runtime can say.
  void decide() {
    std::vector<uint64_t> ids;
    for (const auto &[id, held] : undecided_) ids.push_back(id);
    for (uint64_t id : ids) decide(id);
  }

  void finish() {
    auto losses = probe_->losses();
    if (opts_.json)
      std::printf("%s\n", summary_.json(bpf::to_json(losses)).dump().c_str());
    else
      std::printf("%s", summary_.text(losses.describe()).c_str());
    std::fflush(stdout);
    for (const auto &[id, held] : undecided_)
      unidentified_.push_back(resolver_.resolve(id).display_name());
    if (!unidentified_.empty()) {
      std::string names;
      for (const auto &n : unidentified_) names += (names.empty() ? "" : ", ") + n;
      std::fprintf(
          stderr, "syscope: %zu container cgroup(s) the runtime never identified, not judged: %s\n",
          unidentified_.size(), names.c_str());
    }
    if (opts_.fail_on_denial && summary_.total() > 0)
      g_exit_status = static_cast<int>(Exit::findings);
  }

 private:
  enum class Choice { keep, drop, unknown };

  // Whether the container of an undecided cgroup is one the user named: by its name once the
  // runtime knows it, by id prefix, or by asking the runtime about each query. A container this
  // runtime does not know (another engine's, or already removed) matches no query.
  Choice choose(const container::ContainerInfo &info) {
    if (!info.container) return Choice::drop;
    const std::string &id = info.container->id;
    if (info.metadata)
      return named(opts_.containers, info.metadata->name, id) ? Choice::keep : Choice::drop;
    if (named(opts_.containers, "", id)) return Choice::keep;
    bool answered = true;
    for (const auto &query : opts_.containers) {
      auto found = resolver_.find(query);
      if (found.ok() && found.value->id == id) return Choice::keep;
      if (!found.ok() && found.status != docker::ApiStatus::not_found) answered = false;
    }
    return answered ? Choice::drop : Choice::unknown;
  }

  // Keeps (and reports the held calls of) or drops cgroup `id` once its container is known.
  void decide(uint64_t id) {
    Choice choice = choose(resolver_.resolve(id));
    if (choice == Choice::unknown) return;
    auto held = std::move(undecided_[id]);
    undecided_.erase(id);
    if (choice == Choice::drop) {
      probe_->remove_cgroup(id);
      return;
    }
    kept_.insert(id);
    for (auto &c : held) report(c);
  }

  void report(const bpf::DryRunCall &c) {
    auto w = judge_.judge(c);
    if (!w) return;
    w->container = container_label_of(resolver_.resolve(c.cgroup_id));
    summary_.add(*w);
    std::printf("%s\n",
                opts_.json ? watch::format_json(*w).c_str() : watch::format_text(*w).c_str());
    std::fflush(stdout);
  }

  const WouldDenyOptions &opts_;
  const watch::WouldDenyJudge &judge_;
  container::ContainerResolver &resolver_;
  bpf::WouldDenyProbe *probe_ = nullptr;
  std::set<uint64_t> kept_;
  std::map<uint64_t, std::vector<bpf::DryRunCall>> undecided_;
  std::vector<std::string> unidentified_;  // gone before the runtime said whose they were
  watch::WouldDenySummary summary_;
};

}  // namespace

void run_would_deny(const WouldDenyOptions &opts) {
  std::vector<std::string> warnings;
  auto candidate = seccomp::load_docker_profile(opts.profile, &warnings);
  for (const auto &w : warnings) std::fprintf(stderr, "syscope: warning: %s\n", w.c_str());
  watch::WouldDenyJudge judge(candidate);
  bpf::require_bpf_environment();
  bpf::route_libbpf_log(opts.verbose);
  std::string mount = cgroup::cgroup2_mount();
  auto resolver = container::ContainerResolver::create(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  DryRunSession session(opts, judge, resolver);
  // The sinks run inside drain(), in the ring's order: a container's calls before its rmdir.
  bpf::WouldDenyProbe probe([&session](bpf::DryRunCall &&c) { session.call(std::move(c)); },
                            [&session](uint64_t id, const std::string &path, bool removed) {
                              removed ? session.cgroup_gone(id) : session.cgroup_seen(id, path);
                            });
  probe.set_candidate(kCandidate, judge.plan());
  session.attach(probe);
  // After attaching: a container created meanwhile is in the walk or in a mkdir record.
  cgroup::walk_cgroup_tree(mount, [&session](const std::string &path, uint64_t id) {
    session.cgroup_seen(id, path);
    return true;
  });
  process::SignalRouter signals;
  char how_long[48] = "";
  if (opts.duration_s > 0) std::snprintf(how_long, sizeof how_long, " for %g s", opts.duration_s);
  std::fprintf(stderr, "syscope: dry-run of %s on %s%s (nothing is enforced; Ctrl-C to stop)\n",
               opts.profile.c_str(),
               opts.containers.empty() ? "every container" : "the named containers", how_long);
  auto handle = [&] {
    probe.drain();
    session.decide();
  };
  process::serve_until(
      signals, probe.poll_fd(), handle, [] { return false; },
      process::deadline_after(opts.duration_s));
  handle();
  session.finish();
}

}  // namespace syscope::cli
