// SPDX-License-Identifier: Apache-2.0
// Finding the cgroup v2 hierarchy from /proc/self/mountinfo, and our place in it.
#pragma once
#include <istream>
#include <optional>
#include <string>

namespace syscope::cgroup {

// Mount point of the cgroup2 filesystem: /sys/fs/cgroup on pure v2 hosts,
// /sys/fs/cgroup/unified on hybrid ones; nullopt on v1-only hosts. Octal escapes (\040) decoded.
std::optional<std::string> find_cgroup2_mount(std::istream &mountinfo);

// The cgroup v2 path ("/", "/user.slice/...") from a /proc/<pid>/cgroup stream ("0::<path>").
std::optional<std::string> cgroup2_path_of(std::istream &proc_cgroup);

// Both, for the running process; throw syscope::Error(Exit::environment) when missing.
std::string cgroup2_mount();
std::string own_cgroup2_path();
// The directory of this process's own cgroup v2: cgroup2_mount() + own_cgroup2_path(), without
// a trailing slash. Where syscope creates the cgroup a command runs in.
std::string own_cgroup2_dir();

}  // namespace syscope::cgroup
