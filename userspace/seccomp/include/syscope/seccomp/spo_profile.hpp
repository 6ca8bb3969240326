// SPDX-License-Identifier: Apache-2.0
// The security-profiles-operator's SeccompProfile object (API security-profiles-operator.x-k8s.io/
// v1, SPO v1.0.0: cluster-scoped, spec = defaultAction, architectures, syscalls) <-> Profile.
// What SPO's schema cannot hold is refused with the JSON path, never dropped silently.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile.hpp"
#include "syscope/seccomp/profile_coverage.hpp"

namespace syscope::seccomp {

inline constexpr const char *kSpoApiVersion = "security-profiles-operator.x-k8s.io/v1";
inline constexpr const char *kSpoKind = "SeccompProfile";
// Label and annotation keys SPO's recording merger reads (api/profilerecording/v1,
// api/profilebase/v1, internal/pkg/manager/recordingmerger).
inline constexpr const char *kSpoPartialLabel = "spo.x-k8s.io/partial";
inline constexpr const char *kSpoRecordingIdLabel = "spo.x-k8s.io/recording-id";
inline constexpr const char *kSpoRecordingNamespaceLabel = "spo.x-k8s.io/recording-namespace";
inline constexpr const char *kSpoContainerIdLabel = "spo.x-k8s.io/container-id";
inline constexpr const char *kSpoCoverageAnnotation = "spo.x-k8s.io/syscall-coverage";
// syscope's coverage with instance ids (coverage_json), which SPO's counts cannot carry.
inline constexpr const char *kSyscopeCoverageAnnotation = "syscope.dev/coverage";

struct SpoMetadata {
  std::string name;  // metadata.name; made DNS-1123 by spo_object_name
  // A partial profile for SPO's merger (mergeStrategy: Containers): labelled partial, with the
  // recording's id and namespace and the container's id. SPO never installs a partial profile.
  bool partial = false;
  std::string recording_id;
  std::string recording_namespace;
  std::string container_id;
};

// A DNS-1123 subdomain (what metadata.name must be) from an image reference or file name:
// lowercase; every run of characters outside [a-z0-9.] becomes one '-' ("nginx:1.25" ->
// "nginx-1.25", "registry.io/team/app@sha256:ab.." -> "registry.io-team-app-sha256-ab.."); each
// dot-separated label trimmed of '-' and empty labels dropped; at most 253 characters.
// Nothing left (e.g. "::") is Error(Exit::usage).
std::string spo_object_name(const std::string &reference);

// Throws Error(Exit::usage) "<origin>: <path>: why" for the first thing SPO's schema cannot hold:
// an args value or valueTwo above int64's range (SPO: int64, minimum 0), more than 6 args in a
// rule, a rule without names, includes/excludes (Docker-only), a defaultErrnoRet other than
// EPERM (SPO's spec has no such field and runtimes then answer EPERM), an arch SPO does not list.
void check_spo_expressible(const Profile &profile, const std::string &origin);

// The SeccompProfile object as JSON (kubectl applies JSON as it applies YAML), 2-space indented,
// trailing newline. Comments and archMap are left out (SPO has no fields for them); `coverage`
// (when not empty) goes into both annotations (refused past Kubernetes' 256 KiB of
// annotations); partial metadata into the labels. Checks first.
std::string to_spo_json(const Profile &profile, const SpoMetadata &meta, const Coverage &coverage,
                        const std::string &origin);

// Whether a parsed JSON document is an SPO object (apiVersion and kind present) rather than a
// Docker/OCI profile.
bool is_spo_object(const nlohmann::json &doc);

struct SpoObject {
  Profile profile;
  SpoMetadata meta;
  Coverage coverage;  // from the annotations; one unit per partial profile without them
};
// Reads an SPO object (apiVersion must be kSpoApiVersion or an older v1beta1/v1alpha1 of it,
// kind SeccompProfile); spec is read by the Docker-format reader, errors naming "spec.<path>".
SpoObject parse_spo_object(const std::string &text, const std::string &origin,
                           std::vector<std::string> *warnings = nullptr);

}  // namespace syscope::seccomp
