// SPDX-License-Identifier: Apache-2.0
// The cgroups a recorder records and the tasks that left them (bpf/cgroup_leave.bpf.c, maps
// recorded_cgs and cg_leaves): a task that moves, or is forked, out of them to a cgroup that is
// not recorded takes its later syscalls out of the recording, so the user must hear of it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syscope::bpf {

// Who left the cgroups of one selected cgroup: how many moves, and the first one.
struct CgroupLeave {
  uint64_t count = 0;    // tasks moved out (a process, or a thread written to cgroup.threads)
  uint32_t pid = 0;      // the first one's tgid
  std::string comm;      // its comm at the move
  uint64_t dst_id = 0;   // its destination, cgroup v2 id
  std::string dst_path;  // the destination relative to the cgroup2 mount; empty when not known
};

// Selects a cgroup (map recorded_cgs): it and the cgroups created in it from now on are
// recorded, and moves out of them counted under its id. Exit::environment on failure.
void select_cgroup(int recorded_cgs_fd, uint64_t cgroup_id);
// The cgroups created in a selected cgroup (its descendants) since it was selected.
std::vector<uint64_t> cgroups_created_in(int recorded_cgs_fd, uint64_t cgroup_id);
// What left the selected cgroup `cgroup_id` (map cg_leaves); nullopt when no task did. A
// destination the kernel gave no path for is looked up by its id under the cgroup2 mount.
std::optional<CgroupLeave> read_cgroup_leave(int cg_leaves_fd, uint64_t cgroup_id);

// The warning, without the "syscope: warning: " prefix: "1 process left the recording cgroup
// (pid 1234 sh moved to /other): its later syscalls are not in the profile" (`recording`:
// "profile", "trace"). comm and path are the task's and the user's own text, so they go through
// printable(): a terminal gets no control characters from them.
std::string describe(const CgroupLeave &leave, const std::string &recording);

}  // namespace syscope::bpf
