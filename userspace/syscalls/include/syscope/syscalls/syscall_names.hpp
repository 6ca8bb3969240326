// SPDX-License-Identifier: Apache-2.0
// Syscall names, numbers and architectures, all from libseccomp: never a hand-written table.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace syscope::seccomp {

// libseccomp's architecture token (SCMP_ARCH_X86_64, ...) for syscope's enum syscope_arch.
uint32_t scmp_arch_for(uint32_t syscope_arch);
// "SCMP_ARCH_X86_64" for SCMP_ARCH_X86_64 and so on; nullopt for a token we do not know.
std::optional<std::string> arch_name(uint32_t scmp_arch);
// The inverse: SCMP_ARCH_* name (also the short forms "x86_64", "amd64", "x86", "i386").
std::optional<uint32_t> arch_from_name(const std::string &name);
// The token of the arch this binary runs as.
uint32_t native_scmp_arch();

// Name of syscall `nr` on `scmp_arch`; nullopt when libseccomp does not know the number.
std::optional<std::string> syscall_name(uint32_t scmp_arch, int nr);
// Number of `name` on `scmp_arch`; nullopt when the name is unknown or the arch lacks it.
std::optional<int> syscall_number(uint32_t scmp_arch, const std::string &name);

}  // namespace syscope::seccomp
