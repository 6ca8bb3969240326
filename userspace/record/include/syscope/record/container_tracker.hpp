// SPDX-License-Identifier: Apache-2.0
// Groups the cgroups the kernel reported (created while recording, or adopted because they
// existed before) into containers, by the runtimes' cgroup path patterns.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "syscope/containers/container_id.hpp"
#include "syscope/kernel/syscall_recorder.hpp"

namespace syscope::record {

struct TrackedContainer {
  container::ContainerRef ref;           // runtime, id, the container's own cgroup path
  std::set<uint64_t> cgroup_ids;         // its cgroup and any nested ones
  bool created_while_recording = false;  // its cgroup appeared after recording began
  bool removed = false;                  // its own cgroup is gone: every task of it has exited
};

class ContainerTracker {
 public:
  // Classifies cgroups the recorder has reported since the last call.
  void update(const bpf::SyscallRecorder &recorder);
  // A container already running when recording began: its cgroup (path relative to the cgroup2
  // mount) is looked up on disk. False when the directory is gone.
  bool adopt(const std::string &cgroup2_mount, const std::string &cgroup_path);

  const std::map<std::string, TrackedContainer> &containers() const { return containers_; }
  const TrackedContainer *find(const std::string &id) const;

 private:
  std::map<std::string, TrackedContainer> containers_;  // by container id
};

}  // namespace syscope::record
