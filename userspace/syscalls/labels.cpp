// SPDX-License-Identifier: Apache-2.0
// Names from the libraries that know them (libseccomp, glibc's strerrorname_np/sigabbrev_np),
// never tables of our own.
#include "syscope/syscalls/labels.hpp"

#include <string.h>

#include "syscope/abi.h"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::syscalls {

std::string call_name(uint32_t arch, int32_t nr) {
  if (nr < 0) return "unknown_syscall";
  if (auto name = seccomp::syscall_name(seccomp::scmp_arch_for(arch), nr)) return *name;
  return "syscall_" + std::to_string(nr);
}

std::string errno_text(uint32_t err) {
  if (const char *d = strerrordesc_np(static_cast<int>(err))) return d;
  return "errno " + std::to_string(err);
}

std::string arch_label(uint32_t arch) { return arch == SYSCOPE_ARCH_COMPAT ? "i386" : "x86_64"; }

std::string errno_name(uint32_t err) {
  const char *name = strerrorname_np(static_cast<int>(err));
  return name ? name : "errno " + std::to_string(err);
}

std::string signal_name(uint32_t sig) {
  if (const char *abbrev = sigabbrev_np(static_cast<int>(sig))) return std::string("SIG") + abbrev;
  // Real-time signals, numbered from the kernel's 32 (glibc keeps the first two for itself).
  if (sig >= 32 && sig <= 64) return "SIGRT_" + std::to_string(sig - 32);
  return "signal " + std::to_string(sig);
}

std::string action_name(uint32_t action) {
  switch (action) {
    case SYSCOPE_ACTION_ERRNO: return "errno";
    case SYSCOPE_ACTION_TRAP: return "trap";
    case SYSCOPE_ACTION_KILL_PROCESS: return "kill_process";
    case SYSCOPE_ACTION_KILL_THREAD: return "kill_thread";
  }
  return "action_" + std::to_string(action);
}

}  // namespace syscope::syscalls
