// SPDX-License-Identifier: Apache-2.0
// The syscalls one cgroup made, per syscope arch, as the kernel's bitmap records them; and the
// sorted names libseccomp gives them.
#pragma once
#include <bitset>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "syscope/abi.h"

namespace syscope::profile {

class SyscallSet {
 public:
  using Bitmap = __u64[SYSCOPE_ARCH_COUNT][SYSCOPE_BITMAP_WORDS];  // one set of the kernel's map

  void add(uint32_t arch, uint32_t nr);  // arch: enum syscope_arch; nr < SYSCOPE_SYSCALL_BITS
  void merge(const Bitmap &bitmap);
  void merge(const SyscallSet &other);
  bool contains(uint32_t arch, uint32_t nr) const;
  size_t count() const;
  bool empty() const { return count() == 0; }

  struct Named {
    uint32_t scmp_arch = 0;                 // libseccomp token, e.g. SCMP_ARCH_X86_64
    std::vector<std::string> names;         // sorted, unique
    std::vector<uint32_t> unknown_numbers;  // numbers libseccomp has no name for
  };
  // One entry per arch that has calls, native first.
  std::vector<Named> named() const;

 private:
  std::bitset<SYSCOPE_SYSCALL_BITS> bits_[SYSCOPE_ARCH_COUNT];
};

}  // namespace syscope::profile
