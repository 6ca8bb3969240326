// SPDX-License-Identifier: Apache-2.0
// The one place for the names people read for kernel numbers: syscalls (from libseccomp),
// syscope's arches, errno and signal names (from glibc), seccomp actions. Every printer (watch,
// trace show, trace stats, record's summaries) uses these, so a number reads the same anywhere.
#pragma once
#include <cstdint>
#include <string>

namespace syscope::syscalls {

// libseccomp's name of `nr` on syscope arch `arch`; "syscall_<nr>" for a number libseccomp does
// not know, "unknown_syscall" when the kernel gave no number (-1).
std::string call_name(uint32_t arch, int32_t nr);
std::string arch_label(uint32_t arch);     // enum syscope_arch: "x86_64" / "i386"
std::string errno_name(uint32_t err);      // "EPERM"; "errno <n>" when unnamed
std::string errno_text(uint32_t err);      // strerror's description: "Operation not permitted"
std::string signal_name(uint32_t sig);     // "SIGSYS"; "SIGRT_3"; "signal <n>"
std::string action_name(uint32_t action);  // enum syscope_action: "errno", "trap", ...

}  // namespace syscope::syscalls
