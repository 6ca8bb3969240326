// SPDX-License-Identifier: Apache-2.0
// Everything record mode learned about one cgroup: the calls entered, per call set (filtered or
// not, before or after the cgroup's first exec), and the calls its seccomp filter refused.
#pragma once
#include <array>
#include <cstdint>
#include <map>
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

struct CgroupCalls {
  std::array<SyscallSet, SYSCOPE_SET_COUNT> sets;  // indexed by enum syscope_call_set
  std::map<Denial, uint64_t> denials;              // how many times each; 0 = count unknown

  void merge(const syscope_cg_syscalls &kernel_bitmaps);
  void merge(const CgroupCalls &other);  // a container's nested cgroups into one
  SyscallSet all() const;                // every call entered, whatever the set
  bool ran_filtered() const {
    return !sets[SYSCOPE_SET_FILTERED_SETUP].empty() || !sets[SYSCOPE_SET_FILTERED].empty();
  }
};

}  // namespace syscope::profile
