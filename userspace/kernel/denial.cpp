// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/denial.hpp"

#include <cstring>

namespace syscope::watch {

Denial denial_from_record(const syscope_denial_event &ev, int64_t boot_to_wall_ns) {
  Denial denial;
  denial.wall_time_ns = static_cast<uint64_t>(static_cast<int64_t>(ev.hdr.ts_ns) + boot_to_wall_ns);
  denial.cgroup_id = ev.cgroup_id;
  denial.pid = ev.pid;
  denial.tid = ev.tid;
  denial.comm.assign(ev.comm, strnlen(ev.comm, sizeof ev.comm));
  denial.nr = ev.nr;
  denial.arch = ev.arch;
  denial.action = ev.action;
  denial.err = ev.err;
  denial.traced = ev.flags & SYSCOPE_DENIAL_TRACED;
  for (int i = 0; i < 6; ++i) denial.args[i] = ev.args[i];
  return denial;
}

}  // namespace syscope::watch
