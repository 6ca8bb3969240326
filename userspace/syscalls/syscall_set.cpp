// SPDX-License-Identifier: Apache-2.0
#include "syscope/syscalls/syscall_set.hpp"

#include <algorithm>

#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::profile {

void SyscallSet::add(uint32_t arch, uint32_t nr) {
  if (arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS) bits_[arch].set(nr);
}

void SyscallSet::merge(const Bitmap &bitmap) {
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch)
    for (uint32_t word = 0; word < SYSCOPE_BITMAP_WORDS; ++word)
      for (uint32_t bit = 0; bit < 64; ++bit)
        if (bitmap[arch][word] & (1ULL << bit)) bits_[arch].set(word * 64 + bit);
}

void SyscallSet::merge(const SyscallSet &other) {
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch) bits_[arch] |= other.bits_[arch];
}

bool SyscallSet::contains(uint32_t arch, uint32_t nr) const {
  return arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS && bits_[arch].test(nr);
}

size_t SyscallSet::count() const {
  size_t n = 0;
  for (const auto &b : bits_) n += b.count();
  return n;
}

std::vector<SyscallSet::Named> SyscallSet::named() const {
  std::vector<Named> result;
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch) {
    if (bits_[arch].none()) continue;
    Named named;
    named.scmp_arch = seccomp::scmp_arch_for(arch);
    for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) {
      if (!bits_[arch].test(nr)) continue;
      if (auto name = seccomp::syscall_name(named.scmp_arch, static_cast<int>(nr)))
        named.names.push_back(*name);
      else
        named.unknown_numbers.push_back(nr);
    }
    std::sort(named.names.begin(), named.names.end());
    named.names.erase(std::unique(named.names.begin(), named.names.end()), named.names.end());
    result.push_back(std::move(named));
  }
  return result;
}

}  // namespace syscope::profile
