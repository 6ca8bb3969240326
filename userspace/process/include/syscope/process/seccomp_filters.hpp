// SPDX-License-Identifier: Apache-2.0
// The seccomp filters another task runs under, read from the kernel with ptrace: what the
// runtime really installed, whatever profile it was given.
#pragma once
#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace syscope::process {

// The lines of /proc/<pid>/status that decide how to read the filters.
struct TaskSeccomp {
  int mode = 0;          // Seccomp: 0 disabled, 1 strict, 2 filter
  int filters = 0;       // Seccomp_filters: how many are stacked (0 when the kernel lacks it)
  pid_t tracer = 0;      // TracerPid: 0 when nobody traces the task
  uint64_t cap_eff = 0;  // CapEff: the task's effective capabilities
  uint64_t cap_bnd = 0;  // CapBnd: its bounding set, the container's configured capabilities
};
// Throws Error(environment) when the task does not exist (or its status cannot be read).
TaskSeccomp task_seccomp(pid_t pid);

// The task's filters, index 0 the newest (as the kernel numbers them), each the program as it
// was installed. A task without filters gives none, without ptrace. Otherwise seizes the task
// (PTRACE_SEIZE), stops it (PTRACE_INTERRUPT, waiting at most 5 s for the stop), reads each
// filter with PTRACE_SECCOMP_GET_FILTER until ENOENT and detaches, handing back a signal that
// arrived meanwhile. Needs CAP_SYS_ADMIN and a caller not itself under seccomp. Throws
// Error(environment) with one line: already traced (by whom), ptrace refused (EPERM: privileges,
// Yama), the task gone, the kernel without PTRACE_SECCOMP_GET_FILTER (CONFIG_CHECKPOINT_RESTORE).
std::vector<std::vector<sock_filter>> read_seccomp_filters(pid_t pid);

}  // namespace syscope::process
