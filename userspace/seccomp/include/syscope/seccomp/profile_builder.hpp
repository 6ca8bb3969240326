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
  size_t syscall_count = 0;                // distinct names in the allow rule
  std::vector<std::string> architectures;  // SCMP_ARCH_* seen, native first
  // "SCMP_ARCH_X86:451" for each number libseccomp cannot name: a Docker profile can only
  // list names, so these stay denied; the caller warns about them.
  std::vector<std::string> unnamed;
};

// defaultAction SCMP_ACT_ERRNO (EPERM: Docker 20.10 ignores defaultErrnoRet), the arches seen,
// one SCMP_ACT_ALLOW rule with the union of names, sorted.
BuiltProfile allow_list_profile(const SyscallSet &seen);

}  // namespace syscope::profile
