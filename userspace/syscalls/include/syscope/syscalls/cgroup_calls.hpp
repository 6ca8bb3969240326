// SPDX-License-Identifier: Apache-2.0
// Everything record mode learned about one cgroup: the calls entered, per call set (filtered or
// not, before or after the cgroup's first exec), and the calls its seccomp filter refused.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "syscope/abi.h"
#include "syscope/syscalls/syscall_set.hpp"

namespace syscope::profile {

struct Denial {       // one (arch, syscall, errno) a filter answered with an error
  uint32_t arch = 0;  // enum syscope_arch
  uint32_t nr = 0;
  uint32_t err = 0;
  auto operator<=>(const Denial &) const = default;
};

// The argument values a cgroup used for one tracked pair (arg_pairs.hpp), as the kernel kept them.
struct ArgValueSet {
  std::set<uint64_t> values;    // kernel values: (first & mask) | (second & mask2) << 32
  std::set<uint64_t> filtered;  // those a task under a seccomp filter used
  bool overflow = false;        // more distinct values than the kernel keeps: names only
  bool operator==(const ArgValueSet &) const = default;
};

struct CgroupCalls {
  std::array<SyscallSet, SYSCOPE_SET_COUNT> sets;  // indexed by enum syscope_call_set
  std::map<Denial, uint64_t> denials;              // how many times each; 0 = count unknown
  std::map<uint32_t, ArgValueSet> args;            // by pair index; empty unless recorded
  bool args_lost = false;  // the kernel lost events while arguments were recorded: a value may
                           // be missing, so no argument rule may be made from these

  void merge(const syscope_cg_syscalls &kernel_bitmaps);
  void merge(const syscope_cg_args &kernel_args);  // the slots whose valid bit is set
  void add_arg_value(uint32_t pair, uint64_t value, bool filtered = false) {
    args[pair].values.insert(value);
    if (filtered) args[pair].filtered.insert(value);
  }
  void add_arg_overflow(uint32_t pair) { args[pair].overflow = true; }
  void merge(const CgroupCalls &other);       // a container's nested cgroups into one
  void merge_args(const CgroupCalls &other);  // only the argument values (and args_lost)
  SyscallSet all() const;                     // every call entered, whatever the set
  bool ran_filtered() const {
    return !sets[SYSCOPE_SET_FILTERED_SETUP].empty() || !sets[SYSCOPE_SET_FILTERED].empty();
  }
};

}  // namespace syscope::profile
