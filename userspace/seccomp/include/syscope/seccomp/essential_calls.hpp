// SPDX-License-Identifier: Apache-2.0
// The calls every process needs, whatever it runs: a profile that denies one breaks the
// workload in ways that look like its own bug (a fault at exit, a thread that spins, a signal
// handler that returns into garbage). exec warns about such profiles, and the profiles syscope
// builds always allow them, since one recording seldom shows them all.
#pragma once
#include <span>

namespace syscope::seccomp {

struct EssentialCall {
  const char *name;        // "exit_group"
  const char *needed_for;  // "which every process needs to exit"
};

std::span<const EssentialCall> essential_calls();

}  // namespace syscope::seccomp
