// SPDX-License-Identifier: Apache-2.0
// The containers of the node as the daemon knows them: which cgroup ids belong to which
// container (from the kernel's cgroup_mkdir events, and for cgroups older than the daemon from
// cgroupfs), and what the runtime's API says about each (Docker's socket; podman's, which
// speaks the same API, for libpod-<id> cgroups). A container unknown to both is still tracked
// by the id in its cgroup's name.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"

namespace syscope::daemon {

struct TrackedContainer {
  container::ContainerRef ref;  // runtime, id, its own cgroup path
  std::set<uint64_t> cgroup_ids;
  std::optional<docker::ContainerMetadata> metadata;  // from the runtime's API
  std::string metadata_error;                         // why not (yet)
  int metadata_attempts = 0;
  uint64_t first_seen_ns = 0;
  uint64_t removed_ns = 0;           // its own cgroup was removed: every task of it has exited
  bool workload_started = false;     // a call after its first exec was seen
  bool unfiltered_workload = false;  // ... by a task without a seccomp filter (kernel view)
  bool audited = false;              // judged for alerts once its workload ran

  std::string name() const;   // the runtime's name, else the short id
  std::string image() const;  // as given to run, empty when unknown
  bool running() const { return removed_ns == 0; }
};

class ContainerRegistry {
 public:
  // inspect: asks the runtime of that container (by ContainerRef::runtime) for its metadata.
  using Inspect =
      std::function<docker::ApiResult<docker::ContainerMetadata>(const container::ContainerRef &)>;
  ContainerRegistry(std::string cgroup2_mount, Inspect inspect);

  // A cgroup the kernel reported created (or removed). Returns the container it belongs to, or
  // nullptr for a host cgroup; `created` is set when this made the container known.
  TrackedContainer *on_cgroup(uint64_t cgroup_id, const std::string &path, bool removed,
                              uint64_t now_ns, bool *created = nullptr);
  // The container of a cgroup id seen in an event; a cgroup never reported is looked up in
  // cgroupfs once (it predates the daemon). nullptr for host cgroups and vanished ids.
  TrackedContainer *container_of(uint64_t cgroup_id, uint64_t now_ns, bool *created = nullptr);
  // Every container cgroup (and the cgroups nested in it) present in cgroupfs now: for a
  // start or restart, when no mkdir event will come for them.
  std::vector<TrackedContainer *> reconcile(uint64_t now_ns);

  // Asks the API again for containers whose metadata is missing (a few tries each).
  void retry_metadata();
  TrackedContainer *find(const std::string &name_or_id_prefix);
  std::map<std::string, TrackedContainer> &containers() { return containers_; }
  void forget(const std::string &id);  // a removed container's entry, once saved
  const std::string &mount() const { return mount_; }
  // The path of a tracked cgroup id, when known (the cgroup may be gone).
  std::optional<std::string> path_of(uint64_t cgroup_id) const;

 private:
  TrackedContainer *attach(uint64_t cgroup_id, const std::string &path, uint64_t now_ns,
                           bool *created);
  void ask(TrackedContainer &c);

  std::string mount_;
  Inspect inspect_;
  cgroup::CgroupPaths paths_;
  std::map<std::string, TrackedContainer> containers_;  // by container id
  // cgroup id -> container id; "" for a host cgroup (cached, most cgroups are not containers).
  std::unordered_map<uint64_t, std::string> owner_;
  std::unordered_map<uint64_t, std::string> cgroup_paths_;
  std::map<container::Runtime, std::chrono::steady_clock::time_point> api_down_until_;
};

}  // namespace syscope::daemon
