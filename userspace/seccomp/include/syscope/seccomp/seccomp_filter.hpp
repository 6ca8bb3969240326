// SPDX-License-Identifier: Apache-2.0
// Compiling a Profile into a real seccomp filter with libseccomp, and installing it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

struct CompileOptions {
  // runc's behaviour: for a denying default action, syscall numbers above the highest number the
  // profile names (per arch) get ENOSYS, so libc falls back (e.g. faccessat2 -> faccessat).
  bool runc_enosys = true;
};

struct CompiledFilter {
  std::vector<unsigned char> bpf;          // classic BPF program (struct sock_filter[]), ready
  std::vector<std::string> skipped_names;  // names libseccomp does not know: warned, skipped
  std::vector<std::string> skipped_rules;  // rules whose includes/excludes ruled them out here
  size_t stub_instructions = 0;            // runc ENOSYS stub at the start of bpf; 0: none
  size_t instructions() const { return bpf.size() / sizeof(uint64_t); }  // sock_filter: 8 bytes
};

// The kernel refuses a filter of more than BPF_MAXINSNS (4096) instructions, and a filter a
// runtime installs also carries its own stub: one line warning when `filter` uses more than
// 3/4 of the limit ("the compiled filter has 3200 of the kernel's 4096 instructions"), nullopt
// while it is comfortably below.
std::optional<std::string> filter_size_warning(const CompiledFilter &filter);

// runc (and crun) add a rule's conditions as one rule (AND), unless some argument index repeats:
// then each condition becomes a rule of its own (OR), as Docker's profiles expect for e.g.
// personality. compile_profile and profile check both decide by this.
bool index_repeats(const std::vector<ArgCondition> &args);

// Compiles the profile as Docker would on this host. An invalid profile (unknown action or
// operator, bad arch, args index > 5, ...) throws syscope::Error(Exit::usage) with one line.
CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options = {});
// The same, judging includes/excludes against `host` instead of this process (for tests).
struct HostFacts;
CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options,
                               const HostFacts &host);

// A call every process needs that a profile refuses, so CMD cannot end as it should: glibc's
// _exit() faults (SIGSEGV) when exit_group fails, a thread whose exit fails spins, a signal
// handler whose rt_sigreturn fails returns into garbage.
struct EssentialDenial {
  std::string name;        // "exit_group"
  std::string needed_for;  // "which every process needs to exit"
  Action action;           // what the filter answers: the default action's or a rule's
  bool conditional;        // "may deny": a rule with "args" decides, by the call's arguments
};

// The essential calls (exit_group, exit, rt_sigreturn) that `profile` denies or may deny on
// `host`, judged from the rules compile_profile keeps: the default action, the rules naming the
// call that includes/excludes leave in, and libseccomp's precedence (a rule without conditions
// decides the call outright; rules with conditions decide only for the arguments they match).
// The rules are the same for every architecture the filter holds (Docker matches "arches"
// against the host), so one answer holds for all of them. Call it on a profile that compiles.
std::vector<EssentialDenial> essential_denials(const Profile &profile, const HostFacts &host);
std::vector<EssentialDenial> essential_denials(const Profile &profile);  // this host

// Sets no_new_privs and installs the filter on the calling thread (every thread of the process
// with `all_threads`: SECCOMP_FILTER_FLAG_TSYNC); throws on failure.
void install_filter(const CompiledFilter &filter, bool all_threads = false);

}  // namespace syscope::seccomp
