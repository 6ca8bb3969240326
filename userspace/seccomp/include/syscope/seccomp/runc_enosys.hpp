// SPDX-License-Identifier: Apache-2.0
// runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): classic BPF prepended to a filter so that
// syscall numbers newer than anything the profile names fail with ENOSYS instead of the default.
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace syscope::seccomp {

struct ArchLimit {
  uint32_t audit_arch;      // AUDIT_ARCH_* as seccomp_data.arch carries it
  uint32_t max_nr;          // highest syscall number the profile names on this arch
  uint32_t x32_max_nr = 0;  // x86_64 with SCMP_ARCH_X32 in the filter: the highest x32 number
                            // named (x32 bit included); 0: no x32 section
};

// The stub for these arches. It falls through to the instruction after it (the filter proper)
// for unknown arches and for numbers up to max_nr. On x86_64, numbers with the x32 bit
// (0x40000000) are compared with x32_max_nr when it is set, as runc does when the filter holds
// both (so nr -1, all bits set, gets ENOSYS too), else left to the filter.
std::vector<sock_filter> enosys_stub(const std::vector<ArchLimit> &limits);

}  // namespace syscope::seccomp
