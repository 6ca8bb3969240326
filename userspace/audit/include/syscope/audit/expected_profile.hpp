// SPDX-License-Identifier: Apache-2.0
// The profile a container should be running under, by what Docker was told: what `profile
// verify` compares the installed filters with when no --profile is given.
#pragma once
#include <optional>
#include <string>

#include "syscope/audit/audit.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/seccomp/profile.hpp"

namespace syscope::audit {

struct ExpectedProfile {
  // For people: "Docker's default profile (built-in 20.10.24)", "the inline profile of
  // --security-opt seccomp=...", "no filter (seccomp=unconfined)", "no filter (privileged)".
  std::string source;
  std::optional<seccomp::Profile> profile;  // nullopt: no filter expected at all
};

// By config_view's reading of SecurityOpt, --privileged and the daemon's default. A profile
// that cannot be parsed (inline or the daemon's file) throws Error(usage), naming it.
ExpectedProfile expected_profile(const docker::ContainerMetadata &container,
                                 const DaemonSeccomp &daemon);

}  // namespace syscope::audit
