// SPDX-License-Identifier: Apache-2.0
// The daemon confines itself once its programs are loaded and its socket is bound: it keeps
// only the capabilities its work still needs and runs under its own seccomp profile
// (profiles/syscope-daemon.json, built in; recorded by syscope from the daemon's test runs with
// scripts/record-daemon-profile). The profile's default is ERRNO, never KILL: a call it lacks
// fails with EPERM and the daemon reports it (its own programs see its denials), so a gap shows
// as an error line instead of a dead agent.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::daemon {

struct Confinement {
  std::vector<std::string> kept;  // capability names ("cap_bpf"), each for a reason below
  std::string profile;            // SelfProfile::source
  size_t syscalls = 0;            // names the profile allows
  size_t instructions = 0;        // of the compiled filter
  nlohmann::json to_json() const;
};

// Each capability the daemon keeps, and why (the README lists the same).
struct KeptCapability {
  int cap;
  const char *name;
  const char *why;
};
const std::vector<KeptCapability> &kept_capabilities();

// The daemon's profile, compiled: the built-in one, or `path` (config self_profile) for a host
// whose libc makes calls the built-in lacks. Exit::usage naming the file for a bad one. Made
// at the start, before anything is loaded.
struct SelfProfile {
  std::string source;  // "built-in profiles/syscope-daemon.json" or the file
  size_t syscalls = 0;
  seccomp::CompiledFilter filter;
};
SelfProfile load_self_profile(const std::string &path = "");

// Drops every other capability from the effective, permitted, inheritable and bounding sets
// (ambient cleared), sets no_new_privs and installs `profile` on every thread (TSYNC).
// Exit::environment with one line on failure: the daemon does not run half-confined.
Confinement confine_daemon(const SelfProfile &profile);

}  // namespace syscope::daemon
