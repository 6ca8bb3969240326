// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_builder.hpp"

#include <algorithm>
#include <set>

#include "syscope/seccomp/essential_calls.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::profile {

BuiltProfile allow_list_profile(const SyscallSet &seen) {
  BuiltProfile built;
  built.profile.default_action = seccomp::Action::errno_;
  std::set<std::string> names;
  for (const auto &arch : seen.named()) {
    std::string arch_name = seccomp::arch_name(arch.scmp_arch).value_or("SCMP_ARCH_NATIVE");
    built.architectures.push_back(arch_name);
    names.insert(arch.names.begin(), arch.names.end());
    for (uint32_t nr : arch.unknown_numbers)
      built.unnamed.push_back(arch_name + ":" + std::to_string(nr));
  }
  built.profile.architectures = built.architectures;
  if (!names.empty())
    for (const auto &call : seccomp::essential_calls())
      if (names.insert(call.name).second) built.added_essentials.push_back(call.name);
  built.syscall_count = names.size();
  if (!names.empty()) {
    seccomp::SyscallRule allow;
    allow.names.assign(names.begin(), names.end());
    allow.action = seccomp::Action::allow;
    built.profile.syscalls.push_back(std::move(allow));
  }
  return built;
}

}  // namespace syscope::profile
