// SPDX-License-Identifier: Apache-2.0
// A container's profile from what the kernel saw in its cgroups: the workload's calls and the
// runtime's gap (between filter install and execve) allowed, the runtime's own setup left out,
// and every call the recording run's filter refused kept refused with the same errno.
#pragma once
#include <string>
#include <vector>

#include "syscope/seccomp/argument_rules.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_builder.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::profile {

// Whether the recording kept argument values (record --args), and all of them.
struct ArgumentRecording {
  bool recorded = false;
  bool complete = true;  // false: the kernel lost events; argument rules are left out
};

struct ContainerProfile {
  BuiltProfile built;
  ArgumentRules arguments;             // what narrow_by_arguments did, when arguments were recorded
  bool recorded_under_filter = false;  // the container's tasks ran under a seccomp filter
  std::vector<std::string> notes;      // one line each, for the summary
};

// `runtime_gap`: names the runtime may call after installing the filter and before execve,
// including those it makes only sometimes (Go's runtime); allowed in every container profile.
// Calls `reference` (Docker's default) allows only for some arguments (clone without namespace
// flags, personality) keep its argument checks where names alone were recorded; with
// `arguments` recorded, the tracked calls get the rules of their own values first.
ContainerProfile compose_container_profile(const CgroupCalls &calls,
                                           const std::vector<std::string> &runtime_gap,
                                           const seccomp::DockerDefault &reference,
                                           const ArgumentRecording &arguments = {});

}  // namespace syscope::profile
