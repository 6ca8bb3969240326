// SPDX-License-Identifier: Apache-2.0
// Any profile file syscope reads (Docker's format, the OCI runtime spec's linux.seccomp object,
// an SPO SeccompProfile) with its coverage, and the text of one in any of the three formats.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"
#include "syscope/seccomp/profile_coverage.hpp"
#include "syscope/seccomp/spo_profile.hpp"

namespace syscope::seccomp {

enum class ProfileFormat { docker, oci, spo };
// "docker", "oci", "spo"; anything else is Error(Exit::usage).
ProfileFormat profile_format_from_name(const std::string &name);

struct ProfileDocument {
  Profile profile;
  Coverage coverage;               // empty when the file has none
  std::optional<SpoMetadata> spo;  // set for an SPO object
};

// Reads `path` (a regular file of at most 4 MiB): an SPO object when its top level has
// apiVersion/kind, else a Docker/OCI profile. Coverage: an SPO object's annotations, else
// `<path without .json>.coverage.json` beside it if present (the daemon's or merge's). Any
// fault is Error(Exit::usage), one line with the JSON path.
ProfileDocument load_profile_document(const std::string &path,
                                      std::vector<std::string> *warnings = nullptr);

// The coverage file that belongs beside a profile file: "x.json" -> "x.coverage.json",
// "x" -> "x.coverage.json".
std::string coverage_path_for(const std::string &profile_path);

// A content hash of the profile's normalised Docker JSON: the unit id of a profile file that
// carries no coverage ("profile:<16 hex>"), the same for the same profile wherever it lies.
std::string profile_unit_id(const Profile &profile);

// The document's text in `format` (docker and oci leave coverage to the caller's coverage
// file; spo carries it in annotations). `meta` names the SPO object. Compiled with libseccomp
// first; `size_warning` gets filter_size_warning's line when the filter nears BPF_MAXINSNS.
std::string render_profile(const ProfileDocument &doc, ProfileFormat format,
                           const SpoMetadata &meta, const std::string &origin,
                           std::optional<std::string> *size_warning = nullptr);

}  // namespace syscope::seccomp
