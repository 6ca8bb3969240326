// SPDX-License-Identifier: Apache-2.0
#include "command_cgroup.hpp"

#include <cstdio>

#include "record_options.hpp"
#include "syscope/containers/cgroup_cleanup.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::cli {

cgroup::CgroupWatcher prepare_command_cgroup() {
  auto sweep = cgroup::remove_stray_cgroups(cgroup::own_cgroup2_dir());
  if (!sweep.removed.empty()) {
    size_t n = sweep.removed.size();
    std::string killed;
    if (sweep.killed)
      killed = "; killed " + std::to_string(sweep.killed) +
               (sweep.killed == 1 ? " process" : " processes") + " still in them";
    std::fprintf(stderr, "syscope: removed %zu stray %s killed: %s%s\n", n,
                 n == 1 ? "cgroup left by a syscope run that was"
                        : "cgroups left by syscope runs that were",
                 join(sweep.removed, ", ").c_str(), killed.c_str());
  }
  for (const auto &left : sweep.left)
    std::fprintf(stderr, "syscope: warning: stray cgroup %s left in place\n", left.c_str());
  return cgroup::CgroupWatcher();
}

}  // namespace syscope::cli
