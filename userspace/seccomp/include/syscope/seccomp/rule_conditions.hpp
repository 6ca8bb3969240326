// SPDX-License-Identifier: Apache-2.0
// A rule's "includes"/"excludes" judged the way Docker judges them, against facts about the host
// (native arch, capabilities, kernel release) that tests can also make up.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

struct HostFacts {
  uint32_t native_arch = 0;    // SCMP_ARCH_* token
  uint64_t capabilities = 0;   // bit n set: capability n held (CAP_* numbering)
  std::string kernel_release;  // uname -r, e.g. "6.1.0-18-amd64"
};

// This process's facts: native arch, effective capability set, uname's release.
HostFacts current_host();

// Why `rule` does not apply on `host` ("excludes.minKernel 5.8: kernel 6.1.0 is at least
// that"), or nullopt when Docker would keep it. A malformed minKernel throws Error(usage).
std::optional<std::string> rule_ruled_out(const SyscallRule &rule, const HostFacts &host);

// An arch as profiles spell it: SCMP_ARCH_* (any libseccomp knows), or Docker's and uname's short
// names ("amd64", "x86_64", "x86", "arm64", ...). nullopt when libseccomp does not know it.
std::optional<uint32_t> resolve_arch(const std::string &name);

// CAP_SYS_ADMIN -> 21, from <linux/capability.h>; nullopt for names these headers lack.
std::optional<unsigned> capability_number(const std::string &name);

// Compares dotted kernel versions numerically by major, minor, patch ("5.8" < "5.10"); nullopt
// when either does not start with a number.
std::optional<int> compare_kernel_versions(const std::string &a, const std::string &b);

}  // namespace syscope::seccomp
