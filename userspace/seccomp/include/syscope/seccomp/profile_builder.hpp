// SPDX-License-Identifier: Apache-2.0
// Turns the syscalls a workload made into a minimal Docker-format allow-list profile.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"
#include "syscope/syscalls/syscall_set.hpp"

namespace syscope::profile {

struct BuiltProfile {
  seccomp::Profile profile;
  size_t syscall_count = 0;  // distinct names in the allow rule
  // The essential calls (essential_calls.hpp) the allow rule holds though none was seen.
  std::vector<std::string> added_essentials;
  std::vector<std::string> architectures;  // SCMP_ARCH_* seen, native first
  // "SCMP_ARCH_X86:451" for each number libseccomp cannot name: a Docker profile can only
  // list names, so these stay denied; the caller warns about them.
  std::vector<std::string> unnamed;
};

// defaultAction SCMP_ACT_ERRNO (EPERM: Docker 20.10 ignores defaultErrnoRet), the arches seen,
// one SCMP_ACT_ALLOW rule with the union of names and of the essential calls, sorted: a run that
// never ended a thread or returned from a signal handler made no exit or rt_sigreturn, and a
// profile without them breaks the first workload that does.
BuiltProfile allow_list_profile(const SyscallSet &seen);

}  // namespace syscope::profile
