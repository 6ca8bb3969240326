// SPDX-License-Identifier: Apache-2.0
// The calls a container runtime makes after it has installed the seccomp filter and before it
// executes the entrypoint (profiles/runtime-gap/runc.json, built in). A profile must allow them
// or the container fails to start, some of them only one time in N.
#pragma once
#include <string>
#include <vector>

namespace syscope::record {

std::vector<std::string> runtime_gap_names();
// Those it makes only in some runs (Go's runtime on the filtered thread): a recording may lack
// them, and their argument values.
std::vector<std::string> runtime_gap_sometimes();

}  // namespace syscope::record
