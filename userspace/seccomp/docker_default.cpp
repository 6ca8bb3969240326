// SPDX-License-Identifier: Apache-2.0
// Evaluates the built-in default profile the way Docker does on this host: includes/excludes
// against the native arch, this kernel and Docker's default capability set.
#include "syscope/seccomp/docker_default.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::data {
extern const char *const kDockerDefaultJson;
extern const char *const kBlockedReasonsJson;
}  // namespace syscope::data

namespace syscope::seccomp {
namespace {

// What a container gets without --cap-add/--cap-drop (moby oci/caps/defaults.go, Docker 20.10).
constexpr const char *kDockerDefaultCaps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

}  // namespace

HostFacts docker_default_container_host() {
  HostFacts host = current_host();
  host.capabilities = 0;
  for (const char *cap : kDockerDefaultCaps)
    if (auto n = capability_number(cap)) host.capabilities |= 1ULL << *n;
  return host;
}

Profile docker_default_profile() {
  return parse_docker_profile(data::kDockerDefaultJson, "built-in Docker default profile");
}

const DockerDefault &DockerDefault::for_this_host() {
  static const DockerDefault instance;
  return instance;
}

DockerDefault::DockerDefault() {
  Profile profile = docker_default_profile();
  HostFacts host = docker_default_container_host();
  uint32_t arch = native_scmp_arch();
  for (const auto &rule : profile.syscalls) {
    if (rule.action != Action::allow || rule_ruled_out(rule, host)) continue;
    for (const auto &name : rule.names) {
      if (!syscall_number(arch, name)) continue;  // not a call of this arch
      allowed_.insert(name);
      if (!rule.args.empty()) by_argument_.insert(name);
    }
    if (!rule.args.empty()) {
      SyscallRule kept = rule;
      kept.includes = {};
      kept.excludes = {};
      argument_rules_.push_back(std::move(kept));
    }
  }
  // A name allowed outright by one rule is not limited by another rule's arguments.
  for (const auto &rule : profile.syscalls)
    if (rule.action == Action::allow && rule.args.empty() && !rule_ruled_out(rule, host))
      for (const auto &name : rule.names) by_argument_.erase(name);
}

std::vector<SyscallRule> DockerDefault::argument_rules(const std::string &name) const {
  std::vector<SyscallRule> rules;
  if (!allows_by_argument(name)) return rules;
  for (const auto &rule : argument_rules_)
    if (std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end()) {
      rules.push_back(rule);
      rules.back().names = {name};
    }
  return rules;
}

std::optional<std::string> DockerDefault::refusal_reason(const std::string &name) const {
  static const auto reasons = nlohmann::json::parse(data::kBlockedReasonsJson);
  for (const auto &group : reasons.at("reasons"))
    for (const auto &n : group.at("names"))
      if (n.get<std::string>() == name) return group.at("reason").get<std::string>();
  return std::nullopt;
}

DockerDefault::Comparison DockerDefault::compare(const Profile &profile) const {
  Comparison result;
  std::set<std::string> allowed_by_profile, allowed_outright;
  for (const auto &rule : profile.syscalls) {
    if (rule.action != Action::allow) continue;
    allowed_by_profile.insert(rule.names.begin(), rule.names.end());
    if (rule.args.empty()) allowed_outright.insert(rule.names.begin(), rule.names.end());
  }
  for (const auto &name : allowed_by_profile) {
    if (allows(name)) {
      ++result.shared;
      if (allows_by_argument(name) && allowed_outright.count(name))
        result.notes.push_back("allows " + name +
                               " with any arguments; Docker's default allows "
                               "it only for some (e.g. clone without namespace flags)");
      continue;
    }
    result.beyond.push_back(name);
    result.notes.push_back("allows " + name + ", which Docker's default refuses: " +
                           refusal_reason(name).value_or("not in its allow list"));
  }
  result.summary =
      "allows " + std::to_string(result.shared) + " of the " + std::to_string(allowed_count()) +
      " syscalls Docker's default allows" +
      (result.beyond.empty() ? ""
                             : ", and " + std::to_string(result.beyond.size()) + " it refuses");
  return result;
}

}  // namespace syscope::seccomp
