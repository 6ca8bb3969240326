// SPDX-License-Identifier: Apache-2.0
#include "syscope/record/container_tracker.hpp"

#include <sys/stat.h>

namespace syscope::record {

void ContainerTracker::update(const bpf::SyscallRecorder &recorder) {
  for (const auto &[cgroup_id, life] : recorder.cgroups()) {
    auto ref = container::container_from_cgroup_path(life.path);
    if (!ref) continue;
    auto [it, fresh] = containers_.try_emplace(ref->id);
    auto &tracked = it->second;
    if (fresh) {
      tracked.ref = *ref;
      tracked.created_while_recording = true;
    }
    tracked.cgroup_ids.insert(cgroup_id);
    // Only the container's own cgroup going away means it is over; a nested one may come and go.
    if (life.path == ref->container_path && life.removed) tracked.removed = true;
  }
}

bool ContainerTracker::adopt(const std::string &cgroup2_mount, const std::string &cgroup_path) {
  auto ref = container::container_from_cgroup_path(cgroup_path);
  if (!ref) return false;
  struct stat st {};
  if (stat((cgroup2_mount + ref->container_path).c_str(), &st) != 0) return false;
  auto &tracked = containers_[ref->id];
  if (tracked.ref.id.empty()) tracked.ref = *ref;
  tracked.cgroup_ids.insert(st.st_ino);  // the cgroup v2 id is the directory's inode number
  return true;
}

const TrackedContainer *ContainerTracker::find(const std::string &id) const {
  auto it = containers_.find(id);
  return it == containers_.end() ? nullptr : &it->second;
}

}  // namespace syscope::record
