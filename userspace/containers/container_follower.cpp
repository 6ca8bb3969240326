// SPDX-License-Identifier: Apache-2.0
// Following named containers: runtime look-ups, the cgroup of a running one, the owner of a new
// container cgroup. Names and ids match as docker takes them (container_matches).
#include "syscope/containers/container_follower.hpp"

#include <fstream>

#include "syscope/base/error.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::container {

ContainerFollower::ContainerFollower(docker::DockerClient &api,
                                     const std::vector<std::string> &queries)
    : api_(api) {
  for (const auto &query : queries) {
    Target target;
    target.query = query;
    targets_.push_back(std::move(target));
  }
}

bool ContainerFollower::look_up(Target &target, bool refresh) {
  if (target.meta && !refresh) return true;
  auto answer = api_.inspect(target.meta && !target.by_id_only ? target.meta->id : target.query);
  if (answer.ok()) {
    target.meta = *answer.value;
    target.by_id_only = false;
    return true;
  }
  if (answer.status == docker::ApiStatus::not_found) return true;
  if (answer.status == docker::ApiStatus::unreachable && is_container_id(target.query)) {
    if (!target.meta) {
      docker::ContainerMetadata by_id;
      by_id.id = target.query;
      by_id.name = short_id(target.query);
      target.meta = by_id;
    }
    target.by_id_only = true;
    target.api_error = answer.error;
    return false;
  }
  if (refresh) return false;
  throw Error(Exit::environment, answer.error);
}

std::optional<std::string> ContainerFollower::running_cgroup_path(const Target &target) {
  if (!target.meta || !target.meta->running || target.meta->pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(target.meta->pid) + "/cgroup");
  return cgroup::cgroup2_path_of(in);
}

ContainerFollower::Target *ContainerFollower::owner_of_new(const ContainerRef &ref) {
  for (auto &target : targets_)
    if (target.meta && target.meta->id == ref.id) return &target;
  std::optional<docker::ContainerMetadata> found;
  for (auto &target : targets_) {
    if (target.meta) continue;
    if (!found) {
      auto answer = api_.inspect(ref.id);
      if (!answer.ok()) return nullptr;
      found = *answer.value;
    }
    if (container_matches(target.query, found->name, found->id)) {
      target.meta = *found;
      return &target;
    }
  }
  return nullptr;
}

}  // namespace syscope::container
