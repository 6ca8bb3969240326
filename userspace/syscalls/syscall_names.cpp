// SPDX-License-Identifier: Apache-2.0
// Names and numbers through libseccomp's own tables (seccomp_syscall_resolve_*_arch).
#include "syscope/syscalls/syscall_names.hpp"

#include <seccomp.h>

#include <cstdlib>
#include <memory>

#include "syscope/abi.h"

namespace syscope::seccomp {
namespace {

struct KnownArch {
  uint32_t token;
  const char *name;
  const char *short_name;
  const char *alias;
};
// The names Docker's and the OCI runtime spec's profiles use; the tokens come from seccomp.h.
constexpr KnownArch kArches[] = {
    {SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "x86_64", "amd64"},
    {SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86", "i386"},
    {SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32", "x32"},
    {SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "aarch64", "arm64"},
    {SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm", "arm"},
    {SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le", "ppc64le"},
    {SCMP_ARCH_S390X, "SCMP_ARCH_S390X", "s390x", "s390x"},
    {SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64", "riscv64"},
};

}  // namespace

uint32_t native_scmp_arch() { return seccomp_arch_native(); }

uint32_t scmp_arch_for(uint32_t syscope_arch) {
  uint32_t native = native_scmp_arch();
  if (syscope_arch == SYSCOPE_ARCH_NATIVE) return native;
  switch (native) {  // the 32-bit ABI each 64-bit kernel runs as compat
    case SCMP_ARCH_X86_64: return SCMP_ARCH_X86;
    case SCMP_ARCH_AARCH64: return SCMP_ARCH_ARM;
    default: return native;
  }
}

std::optional<std::string> arch_name(uint32_t scmp_arch) {
  for (const auto &a : kArches)
    if (a.token == scmp_arch) return a.name;
  return std::nullopt;
}

std::optional<uint32_t> arch_from_name(const std::string &name) {
  for (const auto &a : kArches)
    if (name == a.name || name == a.short_name || name == a.alias) return a.token;
  return std::nullopt;
}

std::optional<std::string> syscall_name(uint32_t scmp_arch, int nr) {
  // libseccomp returns a malloc()ed copy, or NULL for numbers it has no name for.
  std::unique_ptr<char, decltype(&std::free)> name(seccomp_syscall_resolve_num_arch(scmp_arch, nr),
                                                   &std::free);
  if (!name) return std::nullopt;
  return std::string(name.get());
}

std::optional<int> syscall_number(uint32_t scmp_arch, const std::string &name) {
  int nr = seccomp_syscall_resolve_name_arch(scmp_arch, name.c_str());
  // __NR_SCMP_ERROR for unknown names; other negative values are libseccomp's pseudo-numbers
  // for calls this arch does not have (e.g. "open" on aarch64).
  if (nr < 0) return std::nullopt;
  return nr;
}

}  // namespace syscope::seccomp
