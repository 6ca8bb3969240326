// SPDX-License-Identifier: Apache-2.0
// What profile get, convert and merge share: --format docker|oci|spo with the SPO object's
// flags, and writing a profile document to -o with its coverage (an SPO object's annotations,
// else OUT.coverage.json beside a Docker/OCI file).
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "syscope/seccomp/profile_document.hpp"

namespace syscope::cli {

struct ProfileOutputOptions {
  std::string output = "-";
  std::string format = "docker";
  seccomp::SpoMetadata spo;  // spo.name empty: the caller's default name
};

// Adds -o (unless `output_required` is false and it is already there), --format and the SPO
// flags (--name, --partial, --recording-id, --recording-namespace, --container-id).
void add_profile_output_options(CLI::App &cmd, ProfileOutputOptions &opts, bool output_required);

// Checks the flags (a partial profile needs its recording id, namespace and container id;
// SPO flags need --format spo), renders `doc` (compiled first), writes it atomically and, for
// docker/oci with coverage and a file target, the coverage file beside it. `default_name` names
// the SPO object when --name is absent. Returns the paths written, for the summary line.
std::string write_profile_document(const seccomp::ProfileDocument &doc,
                                   const ProfileOutputOptions &opts,
                                   const std::string &default_name, const std::string &origin);

}  // namespace syscope::cli
