// SPDX-License-Identifier: Apache-2.0
// The seccomp profile model: Docker's profile format (also what podman and containerd's CRI
// accept), as plain data. Reading and writing live in profile_json, compiling in seccomp_filter.
// Actions and operators are parsed once into enums, so no consumer compares SCMP_* strings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syscope::seccomp {

// The SCMP_ACT_* actions runc accepts (action_from_name/action_name in profile_json map names).
enum class Action { kill_process, kill_thread, trap, errno_, trace, log, allow, notify };

// The SCMP_CMP_* operators of a rule's "args".
enum class Op { ne, lt, le, eq, ge, gt, masked_eq };

// One entry of a rule's "args": {"index":0,"value":0,"valueTwo":0,"op":"SCMP_CMP_EQ"}.
struct ArgCondition {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  Op op = Op::eq;
  bool operator==(const ArgCondition &) const = default;
};

// A rule's "includes"/"excludes": Docker applies the rule only where these match.
struct RuleCondition {
  std::vector<std::string> arches;  // SCMP_ARCH_* or Docker's short names ("amd64", ...)
  std::vector<std::string> caps;    // CAP_* names
  std::string min_kernel;           // "5.8"; empty when absent
  bool empty() const { return arches.empty() && caps.empty() && min_kernel.empty(); }
  bool operator==(const RuleCondition &) const = default;
};

struct SyscallRule {
  std::vector<std::string> names;
  Action action = Action::errno_;     // fails closed when code builds a rule and forgets it
  std::optional<uint32_t> errno_ret;  // "errnoRet"
  std::vector<ArgCondition> args;
  std::string comment;
  RuleCondition includes;
  RuleCondition excludes;
  bool operator==(const SyscallRule &) const = default;
};

struct ArchMapEntry {  // "archMap": an architecture and the sub-architectures it brings along
  std::string architecture;
  std::vector<std::string> sub_architectures;
  bool operator==(const ArchMapEntry &) const = default;
};

struct Profile {
  Action default_action = Action::errno_;
  std::optional<uint32_t> default_errno_ret;  // Docker 20.10 ignores it: EPERM regardless
  std::vector<std::string> architectures;     // SCMP_ARCH_*
  std::vector<ArchMapEntry> arch_map;
  std::vector<SyscallRule> syscalls;
  bool operator==(const Profile &) const = default;
};

}  // namespace syscope::seccomp
