// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_output.hpp"

#include <nlohmann/json.hpp>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::record {

std::string to_oci_json(const seccomp::Profile &profile) {
  // Docker's JSON of the same profile, trimmed to the fields the runtime spec defines.
  auto doc = nlohmann::ordered_json::parse(seccomp::to_docker_json(profile));
  doc.erase("archMap");
  if (!doc.contains("defaultErrnoRet") && profile.default_action == seccomp::Action::errno_) {
    nlohmann::ordered_json with_errno;
    for (auto &[key, value] : doc.items()) {
      with_errno[key] = value;
      if (key == "defaultAction") with_errno["defaultErrnoRet"] = 1;  // EPERM, as Docker answers
    }
    doc = std::move(with_errno);
  }
  if (doc.contains("syscalls"))
    for (auto &rule : doc["syscalls"]) {
      rule.erase("comment");
      rule.erase("includes");
      rule.erase("excludes");
    }
  return doc.dump(2) + "\n";
}

std::optional<std::string> write_profile(const seccomp::Profile &profile, const std::string &format,
                                         util::AtomicFile &output) {
  // Throws on anything libseccomp would refuse.
  auto size_warning = seccomp::filter_size_warning(seccomp::compile_profile(profile));
  if (format == "docker")
    output.commit(seccomp::to_docker_json(profile));
  else if (format == "oci")
    output.commit(to_oci_json(profile));
  else
    throw Error(Exit::usage, "unknown profile format \"" + format + "\" (docker, oci)");
  return size_warning;
}

}  // namespace syscope::record
