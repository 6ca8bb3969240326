// SPDX-License-Identifier: Apache-2.0
// runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): classic BPF prepended to a filter so that
// syscall numbers newer than anything the profile names fail with ENOSYS instead of the default.
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace syscope::seccomp {

struct ArchLimit {
  uint32_t audit_arch;  // AUDIT_ARCH_* as seccomp_data.arch carries it
  uint32_t max_nr;      // highest syscall number the profile names on this arch
};

// The stub for these arches. It falls through to the instruction after it (the filter proper)
// for unknown arches and for numbers up to max_nr; on x86_64 numbers with the x32 bit
// (0x40000000) are left to the filter too.
std::vector<sock_filter> enosys_stub(const std::vector<ArchLimit> &limits);

}  // namespace syscope::seccomp
