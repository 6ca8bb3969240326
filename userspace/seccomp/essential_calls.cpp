// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/essential_calls.hpp"

namespace syscope::seccomp {

std::span<const EssentialCall> essential_calls() {
  // glibc's _exit() loops on exit_group and then executes hlt, pthread_exit ends with exit(2),
  // and every signal handler returns through rt_sigreturn.
  static constexpr EssentialCall kEssential[] = {
      {"exit_group", "which every process needs to exit"},
      {"exit", "which every thread needs to end"},
      {"rt_sigreturn", "which every signal handler needs to return"},
  };
  return kEssential;
}

}  // namespace syscope::seccomp
