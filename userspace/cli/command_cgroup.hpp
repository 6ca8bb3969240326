// SPDX-License-Identifier: Apache-2.0
// What `record -- CMD` and `trace -- CMD` do before they make CMD's cgroup.
#pragma once
#include "syscope/containers/cgroup_watcher.hpp"

namespace syscope::cli {

// Removes the cgroups that killed syscope runs left beside ours (remove_stray_cgroups), saying so
// in one line, then starts the watcher that kills and removes CMD's cgroup if we are killed in
// turn. Call before libbpf loads anything or a thread starts (CgroupWatcher).
cgroup::CgroupWatcher prepare_command_cgroup();

}  // namespace syscope::cli
