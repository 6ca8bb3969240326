// SPDX-License-Identifier: Apache-2.0
#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::profile {

void CgroupCalls::merge(const syscope_cg_syscalls &kernel_bitmaps) {
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) sets[set].merge(kernel_bitmaps.bits[set]);
}

void CgroupCalls::merge(const CgroupCalls &other) {
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) sets[set].merge(other.sets[set]);
  for (const auto &[denial, count] : other.denials) denials[denial] += count;
}

SyscallSet CgroupCalls::all() const {
  SyscallSet result;
  for (const auto &set : sets) result.merge(set);
  return result;
}

}  // namespace syscope::profile
