// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/container_registry.hpp"

namespace syscope::daemon {

namespace {
constexpr int kMetadataAttempts = 5;  // then the container stays known by its id alone
}

std::string TrackedContainer::name() const {
  if (metadata && !metadata->name.empty()) return metadata->name;
  return container::short_id(ref.id);
}

std::string TrackedContainer::image() const { return metadata ? metadata->image : ""; }

ContainerRegistry::ContainerRegistry(std::string cgroup2_mount, Inspect inspect)
    : mount_(std::move(cgroup2_mount)), inspect_(std::move(inspect)), paths_(mount_) {}

void ContainerRegistry::ask(TrackedContainer &c) {
  if (!inspect_ || c.metadata || c.metadata_attempts >= kMetadataAttempts) return;
  // One unreachable (or hung: 5 s timeout) API answer holds for every container until the next
  // try, so a burst of new cgroups does not wait out one timeout each.
  auto now = std::chrono::steady_clock::now();
  auto &down = api_down_until_[c.ref.runtime];
  if (now < down) {
    c.metadata_error = "runtime API unreachable (asked again shortly)";
    return;
  }
  ++c.metadata_attempts;
  auto reply = inspect_(c.ref);
  if (reply.status == docker::ApiStatus::unreachable) down = now + std::chrono::seconds(2);
  if (reply.ok()) {
    c.metadata = std::move(reply.value);
    c.metadata_error.clear();
  } else {
    c.metadata_error = reply.error;
    // The runtime creates a container before its cgroup, so "no such container" is final: one
    // removed already (docker run --rm), or another daemon's. Asking again every poll would cost
    // a node with many such cgroups one request each, every time.
    if (reply.status == docker::ApiStatus::not_found) c.metadata_attempts = kMetadataAttempts;
  }
}

TrackedContainer *ContainerRegistry::attach(uint64_t cgroup_id, const std::string &path,
                                            uint64_t now_ns, bool *created) {
  cgroup_paths_[cgroup_id] = path;
  auto ref = container::container_from_cgroup_path(path);
  if (!ref) {
    owner_[cgroup_id] = "";
    return nullptr;
  }
  owner_[cgroup_id] = ref->id;
  auto [it, fresh] = containers_.try_emplace(ref->id);
  TrackedContainer &c = it->second;
  if (fresh) {
    c.ref = *ref;
    c.first_seen_ns = now_ns;
  } else if (ref->container_path == path && c.removed_ns) {
    c.removed_ns = 0;  // the same id again: docker start of a stopped container
  }
  c.cgroup_ids.insert(cgroup_id);
  if (created) *created = fresh;
  if (fresh) ask(c);
  return &c;
}

TrackedContainer *ContainerRegistry::on_cgroup(uint64_t cgroup_id, const std::string &path,
                                               bool removed, uint64_t now_ns, bool *created) {
  if (created) *created = false;
  if (!removed) return attach(cgroup_id, path, now_ns, created);
  auto owner = owner_.find(cgroup_id);
  std::string id;
  if (owner != owner_.end()) {
    id = owner->second;
  } else if (auto ref = container::container_from_cgroup_path(path)) {
    id = ref->id;
  }
  auto it = id.empty() ? containers_.end() : containers_.find(id);
  if (it == containers_.end()) {
    owner_.erase(cgroup_id);  // a host cgroup: its id is never used again, drop the cache entry
    cgroup_paths_.erase(cgroup_id);
    return nullptr;
  }
  if (it->second.ref.container_path == path || path.empty()) it->second.removed_ns = now_ns;
  return &it->second;
}

TrackedContainer *ContainerRegistry::container_of(uint64_t cgroup_id, uint64_t now_ns,
                                                  bool *created) {
  if (created) *created = false;
  auto owner = owner_.find(cgroup_id);
  if (owner != owner_.end()) {
    if (owner->second.empty()) return nullptr;
    auto it = containers_.find(owner->second);
    return it == containers_.end() ? nullptr : &it->second;
  }
  auto path = paths_.path_of(cgroup_id);
  if (!path) {
    owner_[cgroup_id] = "";  // gone before we could look, and never reported: not attributable
    return nullptr;
  }
  return attach(cgroup_id, *path, now_ns, created);
}

std::vector<TrackedContainer *> ContainerRegistry::reconcile(uint64_t now_ns) {
  std::vector<TrackedContainer *> found;
  cgroup::walk_cgroup_tree(mount_, [&](const std::string &rel, uint64_t id) {
    auto ref = container::container_from_cgroup_path(rel);
    if (!ref) return true;
    // The container's own cgroup and every one nested in it: each has cgroup storage of its own.
    if (auto *c = attach(id, rel, now_ns, nullptr); c && ref->container_path == rel) {
      c->removed_ns = 0;
      found.push_back(c);
    }
    return true;
  });
  return found;
}

void ContainerRegistry::retry_metadata() {
  for (auto &[id, c] : containers_) ask(c);
}

TrackedContainer *ContainerRegistry::find(const std::string &query) {
  auto exact = containers_.find(query);
  if (exact != containers_.end()) return &exact->second;
  TrackedContainer *match = nullptr;
  for (auto &[id, c] : containers_) {
    if (!container::container_matches(query, c.metadata ? c.metadata->name : "", id)) continue;
    // A name outranks an id prefix, and the running container of a reused name wins.
    if (!match || (c.running() && !match->running())) match = &c;
  }
  return match;
}

void ContainerRegistry::forget(const std::string &id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  for (uint64_t cg : it->second.cgroup_ids) {
    owner_.erase(cg);
    cgroup_paths_.erase(cg);
  }
  containers_.erase(it);
}

std::optional<std::string> ContainerRegistry::path_of(uint64_t cgroup_id) const {
  auto it = cgroup_paths_.find(cgroup_id);
  if (it == cgroup_paths_.end()) return std::nullopt;
  return it->second;
}

}  // namespace syscope::daemon
