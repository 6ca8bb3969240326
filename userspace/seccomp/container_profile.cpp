// SPDX-License-Identifier: Apache-2.0
// Under a filter (Docker's default profile, say), tasks that run filtered are the workload and
// the runtime's gap; unfiltered calls in the cgroup are the runtime's setup, never checked by
// seccomp, so left out. Without a filter, the calls after the cgroup's first exec are the
// workload and the runtime's gap comes from what we know of the runtime.
#include "syscope/seccomp/container_profile.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "syscope/seccomp/runtime_gap.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::profile {
namespace {

void remove_name(seccomp::Profile &profile, const std::string &name) {
  for (auto &rule : profile.syscalls)
    if (rule.action == seccomp::Action::allow)
      rule.names.erase(std::remove(rule.names.begin(), rule.names.end(), name), rule.names.end());
}

bool allows(const seccomp::Profile &profile, const std::string &name) {
  for (const auto &rule : profile.syscalls)
    if (rule.action == seccomp::Action::allow &&
        std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      return true;
  return false;
}

}  // namespace

ContainerProfile compose_container_profile(const CgroupCalls &calls,
                                           const std::vector<std::string> &runtime_gap,
                                           const seccomp::DockerDefault &reference,
                                           const ArgumentRecording &arguments) {
  ContainerProfile result;
  result.recorded_under_filter = calls.ran_filtered();
  SyscallSet allowed;
  if (result.recorded_under_filter) {
    allowed.merge(calls.sets[SYSCOPE_SET_FILTERED_SETUP]);
    allowed.merge(calls.sets[SYSCOPE_SET_FILTERED]);
  } else {
    allowed.merge(calls.sets[SYSCOPE_SET_PLAIN]);
  }
  result.built = allow_list_profile(allowed);
  auto &profile = result.built.profile;
  if (profile.architectures.empty())
    profile.architectures.push_back(seccomp::arch_name(seccomp::native_scmp_arch()).value_or(""));

  // The runtime's gap, whether or not this run happened to make every call of it.
  if (profile.syscalls.empty())
    profile.syscalls.push_back({{}, seccomp::Action::allow, {}, {}, "", {}, {}});
  auto &allow = profile.syscalls.front();
  for (const auto &name : runtime_gap)
    if (!allows(profile, name)) allow.names.push_back(name);
  std::sort(allow.names.begin(), allow.names.end());

  // Refused while recording: refused again, with the same errno.
  std::map<uint32_t, std::set<std::string>> refused;  // errno -> names
  for (const auto &[denial, count] : calls.denials) {
    auto name =
        seccomp::syscall_name(seccomp::scmp_arch_for(denial.arch), static_cast<int>(denial.nr));
    if (!name) continue;
    if (allows(profile, *name)) {
      result.notes.push_back(*name + ": refused (" + syscalls::errno_name(denial.err) +
                             ") for some calls and allowed for others, so the profile allows it; "
                             "the recording filter decided by argument");
      continue;
    }
    refused[denial.err].insert(*name);
    result.notes.push_back(*name + ": refused with " + syscalls::errno_name(denial.err) +
                           " while recording, refused the same way by the profile");
  }
  // clone3's flags sit in user memory, where no filter can check them: answer ENOSYS, as
  // Docker does, so glibc falls back to clone, whose flags a filter can check.
  if (allows(profile, "clone3")) {
    remove_name(profile, "clone3");
    result.notes.push_back(
        "clone3: answered with ENOSYS as Docker does (glibc falls back to clone)");
  }
  refused[ENOSYS].insert("clone3");
  result.built.syscall_count = allow.names.size();  // before push_back moves the rules
  if (arguments.recorded) {
    result.arguments = narrow_by_arguments(
        profile, calls, allowed,
        {arguments.complete, result.recorded_under_filter, record::runtime_gap_sometimes()});
    result.notes.insert(result.notes.end(), result.arguments.notes.begin(),
                        result.arguments.notes.end());
  }
  std::vector<seccomp::SyscallRule> argument_checked;
  std::vector<std::string> by_name;  // `allow` may have moved with the rules added since
  for (const auto &rule : profile.syscalls)
    if (rule.action == seccomp::Action::allow && rule.args.empty())
      by_name.insert(by_name.end(), rule.names.begin(), rule.names.end());
  for (const auto &name : by_name) {
    auto rules = reference.argument_rules(name);
    if (rules.empty()) continue;
    remove_name(profile, name);
    argument_checked.insert(argument_checked.end(), rules.begin(), rules.end());
    result.notes.push_back(name + ": allowed with the argument checks of Docker's default (" +
                           std::to_string(rules.size()) + " rule" + (rules.size() == 1 ? "" : "s") +
                           ")");
  }
  for (auto &rule : argument_checked) profile.syscalls.push_back(std::move(rule));
  // Explicit even for EPERM, which the default action answers anyway: a name in the profile
  // keeps runc's ENOSYS stub (numbers above the highest one named) from answering ENOSYS.
  for (const auto &[err, names] : refused) {
    seccomp::SyscallRule rule;
    rule.names.assign(names.begin(), names.end());
    rule.action = seccomp::Action::errno_;
    rule.errno_ret = err;
    profile.syscalls.push_back(std::move(rule));
  }
  return result;
}

}  // namespace syscope::profile
