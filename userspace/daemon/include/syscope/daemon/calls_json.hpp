// SPDX-License-Identifier: Apache-2.0
// A container's CgroupCalls as the daemon's state files hold them: syscall NUMBERS per call set
// per arch (names would lose the numbers libseccomp cannot name) and every denial with its
// count, so a state file reloads to exactly what was flushed.
#pragma once
#include <nlohmann/json.hpp>

#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::daemon {

// {"plain_setup": {"native": [0, 1, ...], "compat": [...]}, "plain": ..., "filtered_setup": ...,
//  "filtered": ..., "denials": [{"arch": 0, "nr": 272, "err": 1, "count": 2}, ...]}; numbers
// sorted, empty arches left out.
nlohmann::json calls_to_json(const profile::CgroupCalls &calls);
// The inverse. Exit::usage with what is wrong for anything calls_to_json would not write
// (an unknown key, a number out of range, a duplicate denial).
profile::CgroupCalls calls_from_json(const nlohmann::json &doc);

}  // namespace syscope::daemon
