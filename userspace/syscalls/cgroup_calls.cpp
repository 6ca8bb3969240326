// SPDX-License-Identifier: Apache-2.0
#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::profile {

void CgroupCalls::merge(const syscope_cg_syscalls &kernel_bitmaps) {
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) sets[set].merge(kernel_bitmaps.bits[set]);
}

void CgroupCalls::merge(const syscope_cg_args &kernel_args) {
  for (uint32_t pair = 0; pair < SYSCOPE_ARG_PAIRS; ++pair) {
    if (kernel_args.used[pair] == 0) continue;
    for (uint32_t i = 0; i < SYSCOPE_ARG_VALUES; ++i)
      if (kernel_args.valid[pair] & (1ULL << i))
        add_arg_value(pair, kernel_args.values[pair][i], kernel_args.filtered[pair] & (1ULL << i));
    if (kernel_args.used[pair] > SYSCOPE_ARG_VALUES) add_arg_overflow(pair);
  }
}

void CgroupCalls::merge(const CgroupCalls &other) {
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) sets[set].merge(other.sets[set]);
  for (const auto &[denial, count] : other.denials) denials[denial] += count;
  merge_args(other);
}

void CgroupCalls::merge_args(const CgroupCalls &other) {
  args_lost = args_lost || other.args_lost;
  for (const auto &[pair, theirs] : other.args) {
    auto &ours = args[pair];
    ours.values.insert(theirs.values.begin(), theirs.values.end());
    ours.filtered.insert(theirs.filtered.begin(), theirs.filtered.end());
    ours.overflow = ours.overflow || theirs.overflow;
  }
}

SyscallSet CgroupCalls::all() const {
  SyscallSet result;
  for (const auto &set : sets) result.merge(set);
  return result;
}

}  // namespace syscope::profile
