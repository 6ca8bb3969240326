// SPDX-License-Identifier: Apache-2.0
// Ending what runs in a cgroup and removing it with its child cgroups; sweeping the cgroups that
// syscope runs killed with SIGKILL left behind.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace syscope::cgroup {

// Whether a process runs in the cgroup or below it ("populated 1" in its cgroup.events).
bool cgroup_populated(const std::string &dir);

struct CgroupKill {
  size_t processes = 0;  // how many there were
  bool emptied = false;  // none is left
};

// SIGKILLs every process in the cgroup and below (cgroup.kill; a pid at a time on kernels before
// 5.14) and waits until none is left, at most `timeout`.
CgroupKill kill_cgroup(const std::string &dir, std::chrono::milliseconds timeout);

// Removes the cgroup and every child cgroup, deepest first, retrying a moment while exited
// processes linger; false if any remains.
bool remove_cgroup_tree(const std::string &dir);

struct StraySweep {
  std::vector<std::string> removed;  // names of the cgroups removed
  size_t killed = 0;                 // processes that were still in them
  std::vector<std::string> left;     // strays that could not be removed, with the reason
};

// The cgroups syscope made for a command (owned_cgroup_name) directly under `parent_dir` whose
// owner no longer exists. Each is removed; one still holding processes, the CMD of a syscope
// that was killed together with its watcher, is killed first: CMD was never meant to outlive
// syscope. Only a stray with a recorded start time is killed: an older name's pid alone cannot
// prove which process made it, so such a cgroup is removed only once empty.
StraySweep remove_stray_cgroups(const std::string &parent_dir);

}  // namespace syscope::cgroup
