// SPDX-License-Identifier: Apache-2.0
// Dry-run of a candidate profile (watch --would-deny), pure: the candidate compiled exactly as
// runc would install it in a container with Docker's default capabilities, the kernel plan
// derived from it, and each streamed call judged by running that compiled filter. No BPF, no I/O.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/kernel/denial.hpp"
#include "syscope/kernel/would_deny_probe.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::watch {

// One call the candidate would refuse.
struct WouldDeny {
  bpf::DryRunCall call;
  std::optional<ContainerLabel> container;  // nullopt: not a container (or not resolved)
  std::string syscall;                      // libseccomp's name ("socket")
  std::string call_text;                    // "socket(AF_INET6, SOCK_STREAM, 0)", as watch shows
  uint32_t verdict = 0;                     // the filter's SECCOMP_RET_* value (action | data)
  std::string verdict_text;                 // "ERRNO(EPERM)", "KILL_PROCESS", ...
  seccomp::SyscallRule rule;                // the ALLOW rule that would have to be added
};

// "ERRNO(EPERM)", "ERRNO(ENOSYS)", "KILL_PROCESS", "KILL_THREAD", "TRAP", "TRACE(1)",
// "USER_NOTIF", "LOG", "ALLOW".
std::string verdict_text(uint32_t seccomp_ret);

class WouldDenyJudge {
 public:
  // Compiles `candidate` with runc's ENOSYS stub, includes/excludes judged against `host`; an
  // invalid candidate throws Error(Exit::usage) with one line.
  explicit WouldDenyJudge(
      const seccomp::Profile &candidate,
      const seccomp::HostFacts &host = seccomp::docker_default_container_host());

  // What the kernel needs: names allowed outright (every rule naming them that applies is an
  // ALLOW without args, and the filter agrees), tested-argument masks from the conditions of
  // the rules naming a call, the rest judged by name (mask 0).
  const bpf::CandidatePlan &plan() const { return plan_; }
  const seccomp::CompiledFilter &filter() const { return filter_; }

  // nullopt when the compiled filter allows the call (ALLOW, or LOG, which allows); otherwise
  // the would-be denial, container unset, with the rule to add: the name alone when the call is
  // judged by name; else one condition per tested argument (SCMP_CMP_MASKED_EQ with mask
  // 0xffffffff for a C int argument, SCMP_CMP_EQ for others) with the call's values.
  std::optional<WouldDeny> judge(const bpf::DryRunCall &call) const;

 private:
  seccomp::CompiledFilter filter_;
  bpf::CandidatePlan plan_;
};

// "would deny: web (3f2a9c1b0e7d, nginx:1.25) curl[4121] socket(AF_INET6, SOCK_STREAM, 0) ->
// ERRNO(EPERM); add: {"names":["socket"],...}", without a newline.
std::string format_text(const WouldDeny &w);
nlohmann::ordered_json to_json(const WouldDeny &w);  // {"type":"would_deny",...}
std::string format_json(const WouldDeny &w);

// Counts per (container or host, syscall, verdict) for the summary at the end.
class WouldDenySummary {
 public:
  void add(const WouldDeny &w);
  // A row as a report read back from JSON gives it (`who`: container::container_label's short
  // form, as add(w) makes it).
  void add(const std::string &who, const std::string &syscall, const std::string &verdict);
  uint64_t total() const { return total_; }
  // Table of the rows, then "N distinct calls would be denied"; `losses` (the kernel's, already
  // described) is appended when not empty.
  std::string text(const std::string &losses) const;
  nlohmann::ordered_json json(const nlohmann::json &losses) const;

 private:
  struct Row {
    std::string who, syscall, verdict;
    uint64_t count = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Row> rows_;
  uint64_t total_ = 0;
};

}  // namespace syscope::watch
