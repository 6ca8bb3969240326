// SPDX-License-Identifier: Apache-2.0
// Which syscope made a cgroup, told by its name: "<prefix>-<pid>-<start>-<n>", where <start> is
// the owner's start time (/proc/<pid>/stat field 22), so that a later run can tell a killed
// owner from a live one even after its pid was reused.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace syscope::cgroup {

// Prefixes of the cgroups syscope makes for a command (record -- CMD, trace -- CMD).
inline constexpr const char *kOwnedPrefixes[] = {"syscope-record", "syscope-trace"};

struct CgroupOwner {
  pid_t pid = 0;
  std::optional<uint64_t> start_ticks;  // absent in names before start times were recorded
};

// Field 22 of /proc/<pid>/stat: clock ticks after boot; nullopt when there is no such process
// or it has exited (a zombie not reaped yet).
std::optional<uint64_t> process_start_ticks(pid_t pid);

// "<prefix>-<pid>-<start>-<n>" for this process.
std::string owned_cgroup_name(const std::string &prefix, int n);

// The owner named by a cgroup directory name of kOwnedPrefixes: "<prefix>-<pid>-<start>-<n>" or
// the older "<prefix>-<pid>-<n>"; nullopt for any other name.
std::optional<CgroupOwner> owner_of_cgroup(const std::string &name);

// Whether the owner may still run: its pid exists with the same start time. Without a recorded
// start time only a missing pid proves it gone.
bool owner_alive(const CgroupOwner &owner);

}  // namespace syscope::cgroup
