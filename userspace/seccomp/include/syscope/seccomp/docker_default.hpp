// SPDX-License-Identifier: Apache-2.0
// Docker's default seccomp profile (20.10.24, profiles/docker-default-20.10.24.json, built in) as
// it applies on this host to a container with Docker's default capabilities, and the reasons it
// refuses what it refuses (profiles/blocked-reasons.json). Never a hard-coded list of names.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

// The built-in profile itself (profiles/docker-default-20.10.24.json), as parsed.
Profile docker_default_profile();

// This host's facts as a container sees them with Docker's default capabilities (no
// --cap-add/--cap-drop): what includes/excludes are judged against for such a container.
struct HostFacts;
HostFacts docker_default_container_host();

class DockerDefault {
 public:
  static const DockerDefault &for_this_host();

  bool allows(const std::string &name) const { return allowed_.count(name) != 0; }
  // Allowed only for some argument values (clone's namespace flags, personality, socket, ...).
  bool allows_by_argument(const std::string &name) const { return by_argument_.count(name) != 0; }
  size_t allowed_count() const { return allowed_.size(); }  // names this arch has
  // The default's own argument-checked ALLOW rules for `name`, as they apply here (includes and
  // excludes already judged, so left out), each naming `name` alone.
  std::vector<SyscallRule> argument_rules(const std::string &name) const;
  std::optional<std::string> refusal_reason(const std::string &name) const;

  struct Comparison {
    size_t shared = 0;                // allowed by both
    std::vector<std::string> beyond;  // allowed by the profile, refused by Docker's default
    std::vector<std::string> notes;   // "allows unshare, which Docker's default refuses: ..."
    std::string summary;              // "allows 43 of the 292 syscalls Docker's default allows"
  };
  Comparison compare(const Profile &profile) const;

 private:
  DockerDefault();
  std::set<std::string> allowed_;  // allowed outright or by argument, native arch
  std::set<std::string> by_argument_;
  std::vector<SyscallRule> argument_rules_;  // the applicable ALLOW rules with args
};

}  // namespace syscope::seccomp
