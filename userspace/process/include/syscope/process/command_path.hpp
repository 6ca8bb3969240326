// SPDX-License-Identifier: Apache-2.0
// Finding CMD the way execvp(3) would, before anything runs: so "not found" is exit 127 and
// "not executable" 126 with a clear line, and the child's only remaining step is execve.
#pragma once
#include <string>

namespace syscope::process {

// A name with a '/' is taken as is; otherwise each $PATH entry (or the default path) in turn.
// Throws Error(Exit::not_found) or Error(Exit::cannot_execute).
std::string resolve_command(const std::string &name);

}  // namespace syscope::process
