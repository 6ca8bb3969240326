// SPDX-License-Identifier: Apache-2.0
// Writing a generated profile: compiled with libseccomp first (never write one it rejects), in
// Docker's format or as the OCI runtime spec's linux.seccomp object, atomically.
#pragma once
#include <optional>
#include <string>

#include "syscope/base/atomic_file.hpp"
#include "syscope/seccomp/profile.hpp"

namespace syscope::record {

// "docker" or "oci"; anything else is Exit::usage. Returns filter_size_warning's line for a
// profile whose compiled filter nears the kernel's limit, for the caller to print.
std::optional<std::string> write_profile(const seccomp::Profile &profile, const std::string &format,
                                         util::AtomicFile &output);

// The OCI runtime-spec linux.seccomp object: Docker's fields minus includes/excludes/comment,
// with defaultErrnoRet set explicitly (runtimes that follow the spec honour it).
std::string to_oci_json(const seccomp::Profile &profile);

}  // namespace syscope::record
