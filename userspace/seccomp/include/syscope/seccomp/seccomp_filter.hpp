// SPDX-License-Identifier: Apache-2.0
// Compiling a Profile into a real seccomp filter with libseccomp, and installing it.
#pragma once
#include <cstddef>
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
};

// Compiles the profile as Docker would on this host. An invalid profile (unknown action or
// operator, bad arch, args index > 5, ...) throws syscope::Error(Exit::usage) with one line.
CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options = {});
// The same, judging includes/excludes against `host` instead of this process (for tests).
struct HostFacts;
CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options,
                               const HostFacts &host);

// Sets no_new_privs and installs the filter on the calling thread; throws on failure.
void install_filter(const CompiledFilter &filter);

}  // namespace syscope::seccomp
