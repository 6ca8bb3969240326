// SPDX-License-Identifier: Apache-2.0
// Composing a container's profile from its call sets: filtered calls kept, the runtime's setup
// left out, the gap added, refusals kept with their errno, clone3 answered ENOSYS, argument
// checks of Docker's default kept.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include <algorithm>

#include "syscope/seccomp/container_profile.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::profile;
using syscope::seccomp::Action;

namespace {

void add(CgroupCalls &calls, uint32_t set, const char *name) {
  auto nr = syscope::seccomp::syscall_number(syscope::seccomp::native_scmp_arch(), name);
  REQUIRE(nr);
  calls.sets[set].add(SYSCOPE_ARCH_NATIVE, static_cast<uint32_t>(*nr));
}

const syscope::seccomp::SyscallRule *rule_for(const syscope::seccomp::Profile &p,
                                              const std::string &name,
                                              syscope::seccomp::Action action) {
  for (const auto &rule : p.syscalls)
    if (rule.action == action &&
        std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      return &rule;
  return nullptr;
}

}  // namespace

TEST_CASE("under a filter: workload and gap allowed, runtime setup left out",
          "[container_profile]") {
  CgroupCalls calls;
  add(calls, SYSCOPE_SET_PLAIN_SETUP, "mount");
  add(calls, SYSCOPE_SET_PLAIN_SETUP, "pivot_root");
  add(calls, SYSCOPE_SET_FILTERED_SETUP, "capset");
  add(calls, SYSCOPE_SET_FILTERED, "read");
  add(calls, SYSCOPE_SET_FILTERED, "clone");
  add(calls, SYSCOPE_SET_FILTERED, "clone3");
  calls.denials[{SYSCOPE_ARCH_NATIVE, 272 /* unshare */, 1}] = 2;
  calls.denials[{SYSCOPE_ARCH_NATIVE, 165 /* mount */, 1}] = 1;
  auto composed =
      compose_container_profile(calls, {"futex"}, syscope::seccomp::DockerDefault::for_this_host());
  const auto &p = composed.built.profile;
  CHECK(composed.recorded_under_filter);
  CHECK(rule_for(p, "read", Action::allow));
  CHECK(rule_for(p, "capset", Action::allow));
  CHECK(rule_for(p, "futex", Action::allow));  // the runtime gap list
  CHECK_FALSE(rule_for(p, "mount", Action::allow));
  CHECK_FALSE(rule_for(p, "pivot_root", Action::allow));
  CHECK_FALSE(rule_for(p, "clone3", Action::allow));
  auto *clone3 = rule_for(p, "clone3", Action::errno_);
  REQUIRE(clone3);
  CHECK(clone3->errno_ret == 38u);
  // clone keeps Docker's namespace-flag check: the bitmap knows the name, not the flags.
  auto *clone = rule_for(p, "clone", Action::allow);
  REQUIRE(clone);
  REQUIRE(clone->args.size() == 1);
  CHECK(clone->args[0].op == syscope::seccomp::Op::masked_eq);
  if (syscope::seccomp::native_scmp_arch() == SCMP_ARCH_X86_64) {
    CHECK(rule_for(p, "unshare", Action::errno_));  // refused with EPERM, stays refused explicitly
    CHECK_FALSE(rule_for(p, "unshare", Action::allow));
  }
}

TEST_CASE("refused with another errno stays refused with it", "[container_profile]") {
  if (syscope::seccomp::native_scmp_arch() != SCMP_ARCH_X86_64) return;
  CgroupCalls calls;
  add(calls, SYSCOPE_SET_FILTERED, "read");
  calls.denials[{SYSCOPE_ARCH_NATIVE, 140 /* getpriority */, 13 /* EACCES */}] = 1;
  auto composed =
      compose_container_profile(calls, {}, syscope::seccomp::DockerDefault::for_this_host());
  auto *rule = rule_for(composed.built.profile, "getpriority", Action::errno_);
  REQUIRE(rule);
  CHECK(rule->errno_ret == 13u);
}

TEST_CASE("without a filter: the workload after the first exec, plus the gap",
          "[container_profile]") {
  CgroupCalls calls;
  add(calls, SYSCOPE_SET_PLAIN_SETUP, "mount");
  add(calls, SYSCOPE_SET_PLAIN, "unshare");
  add(calls, SYSCOPE_SET_PLAIN, "read");
  auto composed = compose_container_profile(calls, {"capset"},
                                            syscope::seccomp::DockerDefault::for_this_host());
  const auto &p = composed.built.profile;
  CHECK_FALSE(composed.recorded_under_filter);
  CHECK(rule_for(p, "unshare", Action::allow));
  CHECK(rule_for(p, "capset", Action::allow));
  CHECK_FALSE(rule_for(p, "mount", Action::allow));
  CHECK(rule_for(p, "clone3", Action::errno_));
}
