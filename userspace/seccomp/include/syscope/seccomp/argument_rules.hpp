// SPDX-License-Identifier: Apache-2.0
// Argument-aware profiles: the values the kernel kept for the tracked (syscall, argument) pairs
// (syscalls/arg_pairs.hpp) turned into ALLOW rules that mean exactly what they say under runc
// and crun: one condition per argument index per rule (an index repeated within a rule turns
// it into an OR of single-condition rules), SCMP_CMP_MASKED_EQ with the pair's mask (a 32-bit
// int argument compared on its low word, whatever sign extension left above it), one rule per
// value set (as Docker's five personality rules), names sharing the same conditions in one rule.
#pragma once
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"
#include "syscope/syscalls/syscall_set.hpp"

namespace syscope::profile {

struct ArgumentRules {
  std::vector<std::string> narrowed;  // names now allowed only for their recorded values
  std::vector<std::string> notes;     // one line per tracked name: its values, or why names only
  size_t rules_added = 0;
};

struct NarrowOptions {
  // false: the kernel lost events, so a value may be missing: every name stays names only.
  bool complete = true;
  // Only the values tasks under a seccomp filter used (a container recorded under one: the
  // runtime's unfiltered setup never meets the profile).
  bool filtered_only = false;
  // Names the container runtime may call in its gap only in some runs (runtime-gap
  // "sometimes": Go's runtime making a thread, clone without namespace flags, and mapping its
  // stack, mmap without PROT_EXEC): their masked value 0 is allowed too.
  std::vector<std::string> runtime_calls;
};

// Narrows `profile`'s unconditional ALLOW of each tracked name that `calls` holds values for.
// Left names-only, each with a note: a pair that overflowed, a name allowed but without values,
// every name of an incomplete recording, calls whose 32-bit form hides its arguments when
// `allowed` holds 32-bit calls, and values covering the whole masked range.
ArgumentRules narrow_by_arguments(seccomp::Profile &profile, const CgroupCalls &calls,
                                  const SyscallSet &allowed, const NarrowOptions &options);

}  // namespace syscope::profile
