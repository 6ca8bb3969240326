// SPDX-License-Identifier: Apache-2.0
// The containers a user named (--container NAME_OR_ID...), followed from now on: the runtime is
// asked about each, one running now is found by its main process's cgroup, one that starts
// later by the cgroup the kernel saw created for it. record --container and trace --container
// both follow their targets through this; each decides what to do with a target found.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"

namespace syscope::container {

class ContainerFollower {
 public:
  struct Target {
    std::string query;                              // as the user named it
    std::optional<docker::ContainerMetadata> meta;  // once the runtime knows it
    bool by_id_only = false;  // the API was unreachable: followed by its full id alone
    std::string api_error;    // why, when by_id_only
  };

  ContainerFollower(docker::DockerClient &api, const std::vector<std::string> &queries);

  // Asks the runtime about `target` when it is not known yet (or again, with `refresh`); false
  // when the runtime could not answer. Without a reachable API a full container id is still
  // enough: the target is then known by its id alone (by_id_only; the caller may warn). Any
  // other API failure of a first look-up throws Error(Exit::environment); an unknown container
  // just stays unknown.
  bool look_up(Target &target, bool refresh = false);
  // The cgroup (path relative to the cgroup2 mount) of a target running now, from its main
  // process; nullopt when it does not run or its process is already gone.
  static std::optional<std::string> running_cgroup_path(const Target &target);
  // The target a newly created container cgroup belongs to, asking the runtime about the new
  // container when no target knows its id yet; nullptr when it is no target's.
  Target *owner_of_new(const ContainerRef &ref);

  std::vector<Target> &targets() { return targets_; }

 private:
  docker::DockerClient &api_;
  std::vector<Target> targets_;
};

}  // namespace syscope::container
