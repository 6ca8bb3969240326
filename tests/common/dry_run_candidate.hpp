// SPDX-License-Identifier: Apache-2.0
// The candidate profile of the dry-run tests (integration and docker): Docker's default (the
// one syscope builds in) without sysinfo, and with socket allowed for AF_UNIX and AF_INET only.
// A workload under Docker's default that calls sysinfo and opens an AF_INET6 socket makes
// exactly two kinds of call the candidate refuses.
#pragma once
#include <sys/socket.h>

#include <string>

#include "syscope/seccomp/profile_json.hpp"

namespace syscope::data {
extern const char *const kDockerDefaultJson;
}

namespace syscope::test {

inline seccomp::Profile dry_run_candidate() {
  auto p = seccomp::parse_docker_profile(data::kDockerDefaultJson, "built-in Docker default");
  for (auto &rule : p.syscalls)
    std::erase_if(rule.names, [](const std::string &n) { return n == "sysinfo" || n == "socket"; });
  for (uint64_t family : {AF_UNIX, AF_INET}) {
    seccomp::SyscallRule r;
    r.names = {"socket"};
    r.action = seccomp::Action::allow;
    r.args.push_back({0, family, 0, seccomp::Op::eq});
    p.syscalls.push_back(r);
  }
  return p;
}

}  // namespace syscope::test
