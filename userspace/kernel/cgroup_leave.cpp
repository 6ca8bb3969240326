// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/cgroup_leave.hpp"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::bpf {
namespace {

std::string bounded(const char *text, size_t size) {
  return std::string(text, strnlen(text, size));
}

// A clone3(CLONE_INTO_CGROUP) child's destination comes without a path: find it by its id.
std::string path_of(uint64_t cgroup_id) {
  try {
    cgroup::CgroupPaths paths(cgroup::cgroup2_mount());
    if (auto path = paths.path_of(cgroup_id)) return *path;
  } catch (const Error &) {
    // no cgroup2 mount to search: the id is all there is to say
  }
  return {};
}

}  // namespace

void select_cgroup(int recorded_cgs_fd, uint64_t cgroup_id) {
  if (bpf_map_update_elem(recorded_cgs_fd, &cgroup_id, &cgroup_id, BPF_ANY) != 0)
    throw Error(Exit::environment,
                "cannot select cgroup " + std::to_string(cgroup_id) + ": " + errno_text(errno));
}

std::vector<uint64_t> cgroups_created_in(int recorded_cgs_fd, uint64_t cgroup_id) {
  std::vector<uint64_t> ids;
  uint64_t key = 0, next = 0, root = 0;
  const void *prev = nullptr;
  while (bpf_map_get_next_key(recorded_cgs_fd, prev, &next) == 0) {
    if (next != cgroup_id && bpf_map_lookup_elem(recorded_cgs_fd, &next, &root) == 0 &&
        root == cgroup_id)
      ids.push_back(next);
    key = next;
    prev = &key;
  }
  return ids;
}

std::optional<CgroupLeave> read_cgroup_leave(int cg_leaves_fd, uint64_t cgroup_id) {
  syscope_cgroup_leave value{};
  if (bpf_map_lookup_elem(cg_leaves_fd, &cgroup_id, &value) != 0 || value.count == 0)
    return std::nullopt;
  CgroupLeave leave;
  leave.count = value.count;
  leave.pid = value.first_pid;
  leave.comm = bounded(value.first_comm, sizeof value.first_comm);
  leave.dst_id = value.first_dst_id;
  leave.dst_path = bounded(value.first_dst_path, sizeof value.first_dst_path);
  if (leave.dst_path.empty()) leave.dst_path = path_of(leave.dst_id);
  return leave;
}

std::string describe(const CgroupLeave &leave, const std::string &recording) {
  std::string where = leave.dst_path.empty() ? "cgroup id " + std::to_string(leave.dst_id)
                                             : printable(leave.dst_path);
  std::string who =
      "pid " + std::to_string(leave.pid) + " " + printable(leave.comm) + " moved to " + where;
  if (leave.count == 1)
    return "1 process left the recording cgroup (" + who + "): its later syscalls are not in the " +
           recording;
  return std::to_string(leave.count) + " processes left the recording cgroup (the first, " + who +
         "): their later syscalls are not in the " + recording;
}

}  // namespace syscope::bpf
