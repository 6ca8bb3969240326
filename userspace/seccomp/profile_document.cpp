// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_document.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_merge.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::seccomp {

ProfileFormat profile_format_from_name(const std::string &name) {
  if (name == "docker") return ProfileFormat::docker;
  if (name == "oci") return ProfileFormat::oci;
  if (name == "spo") return ProfileFormat::spo;
  throw Error(Exit::usage, "unknown profile format \"" + name + "\" (docker, oci, spo)");
}

std::string coverage_path_for(const std::string &profile_path) {
  constexpr std::string_view kExt = ".json";
  std::string base = profile_path;
  if (base.size() > kExt.size() && base.compare(base.size() - kExt.size(), kExt.size(), kExt) == 0)
    base.resize(base.size() - kExt.size());
  return base + ".coverage.json";
}

std::string profile_unit_id(const Profile &profile) {
  // FNV-1a, 64 bits: stable across builds and hosts (std::hash is not), and enough to tell
  // profiles apart in one merge; this is an identity, not a security property.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : to_docker_json(normalize_profile(profile))) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("profile:") + hex;
}

ProfileDocument load_profile_document(const std::string &path, std::vector<std::string> *warnings) {
  std::string text = read_profile_text(path);
  auto doc = parse_json_strict(text, path);
  ProfileDocument out;
  if (is_spo_object(doc)) {
    SpoObject spo = parse_spo_object(text, path, warnings);
    out.profile = std::move(spo.profile);
    out.coverage = std::move(spo.coverage);
    out.spo = std::move(spo.meta);
    return out;
  }
  out.profile = profile_from_json(doc, path, "", warnings);
  // The daemon writes <image>.json and <image>.coverage.json side by side; merge does too.
  std::string cov_path = coverage_path_for(path);
  struct stat st {};
  if (cov_path != path && ::stat(cov_path.c_str(), &st) == 0)
    out.coverage =
        coverage_from_json(parse_json_strict(read_profile_text(cov_path), cov_path), cov_path);
  return out;
}

std::string render_profile(const ProfileDocument &doc, ProfileFormat format,
                           const SpoMetadata &meta, const std::string &origin,
                           std::optional<std::string> *size_warning) {
  // SPO's limits first (its message names the JSON path), then what libseccomp refuses.
  if (format == ProfileFormat::spo) check_spo_expressible(doc.profile, origin);
  auto warning = filter_size_warning(compile_profile(doc.profile));
  if (size_warning) *size_warning = warning;
  switch (format) {
    case ProfileFormat::docker: return to_docker_json(doc.profile);
    case ProfileFormat::oci: return record::to_oci_json(doc.profile);
    case ProfileFormat::spo: return to_spo_json(doc.profile, meta, doc.coverage, origin);
  }
  throw Error(Exit::usage, "unknown profile format");
}

}  // namespace syscope::seccomp
