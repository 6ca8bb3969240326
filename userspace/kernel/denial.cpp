// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/denial.hpp"


namespace syscope::watch {

Denial denial_from_record(const syscope_denial_event &ev, int64_t boot_to_wall_ns) {
  Denial denial;
  fill_task_call(denial, ev, boot_to_wall_ns);
  denial.action = ev.action;
  denial.err = ev.err;
  denial.traced = ev.flags & SYSCOPE_DENIAL_TRACED;
  return denial;
}

}  // namespace syscope::watch
