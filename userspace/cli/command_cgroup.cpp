// SPDX-License-Identifier: Apache-2.0
#include "command_cgroup.hpp"

#include <cstdio>

#include "record_options.hpp"
#include "syscope/containers/cgroup_cleanup.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::cli {

cgroup::CgroupWatcher prepare_command_cgroup() {
  auto sweep = cgroup::remove_stray_cgroups(cgroup::own_cgroup2_dir());
  if (!sweep.removed.empty())
    std::fprintf(stderr,
                 "syscope: removed %zu stray cgroup%s left by syscope runs that were "
                 "killed: %s%s\n",
                 sweep.removed.size(), sweep.removed.size() == 1 ? "" : "s",
                 join(sweep.removed, ", ").c_str(),
                 sweep.killed ? ("; killed " + std::to_string(sweep.killed) +
                                 (sweep.killed == 1 ? " process" : " processes") + " still in them")
                                    .c_str()
                              : "");
  for (const auto &left : sweep.left)
    std::fprintf(stderr, "syscope: warning: stray cgroup %s left in place\n", left.c_str());
  return cgroup::CgroupWatcher();
}

}  // namespace syscope::cli
