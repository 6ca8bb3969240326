// SPDX-License-Identifier: Apache-2.0
// Argument-aware rules from recorded values: one MASKED_EQ condition per argument index, one
// rule per value, names sharing conditions grouped, and names only wherever a rule could refuse
// a call the workload made (overflow, lost events, a compat ABI with pointers, full coverage).
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <algorithm>

#include "syscope/seccomp/argument_rules.hpp"
#include "syscope/seccomp/profile_builder.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/arg_pairs.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::profile;
using syscope::seccomp::Action;
using syscope::seccomp::Op;

namespace {

void add(CgroupCalls &calls, const char *name, uint32_t arch = SYSCOPE_ARCH_NATIVE) {
  auto nr = syscope::seccomp::syscall_number(syscope::seccomp::scmp_arch_for(arch), name);
  REQUIRE(nr);
  calls.sets[SYSCOPE_SET_PLAIN].add(arch, static_cast<uint32_t>(*nr));
}

uint32_t pair(const char *name) {
  auto index = arg_pair_index(name);
  REQUIRE(index);
  return *index;
}

std::vector<const syscope::seccomp::SyscallRule *> rules_naming(const syscope::seccomp::Profile &p,
                                                                const std::string &name) {
  std::vector<const syscope::seccomp::SyscallRule *> out;
  for (const auto &rule : p.syscalls)
    if (std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      out.push_back(&rule);
  return out;
}

NarrowOptions options(bool complete, bool filtered_only, std::vector<std::string> runtime = {}) {
  NarrowOptions o;
  o.complete = complete;
  o.filtered_only = filtered_only;
  o.runtime_calls = std::move(runtime);
  return o;
}

bool has_note(const ArgumentRules &r, const std::string &text) {
  for (const auto &note : r.notes)
    if (note.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("socket is narrowed to its recorded family and type pairs", "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "socket");
  add(calls, "read");
  calls.add_arg_value(pair("socket"), AF_UNIX | uint64_t{SOCK_STREAM} << 32);
  calls.add_arg_value(pair("socket"), AF_INET | uint64_t{SOCK_DGRAM} << 32);
  auto built = allow_list_profile(calls.all());
  auto result = narrow_by_arguments(built.profile, calls, calls.all(), {});
  CHECK(result.narrowed == std::vector<std::string>{"socket"});
  CHECK(result.rules_added == 2);
  auto rules = rules_naming(built.profile, "socket");
  REQUIRE(rules.size() == 2);
  for (const auto *rule : rules) {
    CHECK(rule->action == Action::allow);
    REQUIRE(rule->args.size() == 2);  // one condition per argument index: an AND under runc
    CHECK(rule->args[0].index == 0);
    CHECK(rule->args[0].op == Op::masked_eq);
    CHECK(rule->args[0].value == 0xffffffffu);  // the mask: the int's low word only
    CHECK(rule->args[1].index == 1);
    CHECK(rule->args[1].value == (0xffffffffu & ~uint32_t(SOCK_NONBLOCK | SOCK_CLOEXEC)));
  }
  CHECK(rules[0]->args[0].value_two == AF_UNIX);
  CHECK(rules[1]->args[0].value_two == AF_INET);
  CHECK(rules_naming(built.profile, "read").size() == 1);
  CHECK(has_note(result,
                 "socket: allowed only for family/type AF_UNIX/SOCK_STREAM, AF_INET/SOCK_DGRAM"));
  syscope::seccomp::compile_profile(built.profile);  // libseccomp takes it
}

TEST_CASE("names checked the same way share one rule", "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "setsockopt");
  add(calls, "getsockopt");
  calls.add_arg_value(pair("setsockopt"), SOL_SOCKET);
  calls.add_arg_value(pair("getsockopt"), SOL_SOCKET);
  auto built = allow_list_profile(calls.all());
  auto result = narrow_by_arguments(built.profile, calls, calls.all(), {});
  CHECK(result.rules_added == 1);
  auto rules = rules_naming(built.profile, "setsockopt");
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]->names == std::vector<std::string>{"getsockopt", "setsockopt"});
}

TEST_CASE("names only where a rule could refuse the workload's own calls", "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "ioctl");
  add(calls, "mmap");
  add(calls, "fcntl");
  add(calls, "socket");
  add(calls, "exit_group");
  for (uint64_t v = 0; v < 17; ++v) calls.add_arg_value(pair("ioctl"), 0x5400 + v);
  calls.add_arg_overflow(pair("ioctl"));
  calls.add_arg_value(pair("mmap"), 0);
  calls.add_arg_value(pair("mmap"), PROT_EXEC);  // both: the rules would allow every mmap
  calls.add_arg_value(pair("fcntl"), 1);
  auto built = allow_list_profile(calls.all());
  auto before = built.profile;

  SECTION("overflow, full coverage, no value") {
    auto result = narrow_by_arguments(built.profile, calls, calls.all(), {});
    CHECK(result.narrowed == std::vector<std::string>{"fcntl"});
    CHECK(has_note(result, "ioctl: allowed by name only: more than 16 distinct request values"));
    CHECK(has_note(result, "mmap: allowed by name only: every value of PROT_EXEC was used"));
    CHECK(has_note(result, "socket: allowed by name only: no value recorded"));
  }
  SECTION("lost events leave every name unchecked") {
    auto result = narrow_by_arguments(built.profile, calls, calls.all(), options(false, false));
    CHECK(result.narrowed.empty());
    CHECK(built.profile == before);
    CHECK(has_note(result, "fcntl: allowed by name only: the kernel lost events"));
  }
}

TEST_CASE("with 32-bit tasks calls whose i386 form hides its arguments stay names only",
          "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "mmap");
  add(calls, "socket");
  add(calls, "fcntl");
  add(calls, "read", SYSCOPE_ARCH_COMPAT);  // a 32-bit task: the profile covers i386 too
  calls.add_arg_value(pair("mmap"), 0);     // i386's mmap is old_mmap: arguments by pointer
  calls.add_arg_value(pair("socket"), AF_UNIX | uint64_t{SOCK_STREAM} << 32);  // socketcall
  calls.add_arg_value(pair("fcntl"), 1);
  auto built = allow_list_profile(calls.all());
  auto result = narrow_by_arguments(built.profile, calls, calls.all(), {});
  CHECK(result.narrowed == std::vector<std::string>{"fcntl"});
  CHECK(has_note(result, "mmap: allowed by name only: 32-bit tasks ran too"));
  CHECK(has_note(result, "socket: allowed by name only: 32-bit tasks ran too"));
}

TEST_CASE("the runtime's occasional calls keep their value 0", "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "clone");
  calls.add_arg_value(pair("clone"), CLONE_NEWNET);  // only what the workload did
  auto built = allow_list_profile(calls.all());
  narrow_by_arguments(built.profile, calls, calls.all(), options(true, false, {"clone"}));
  auto rules = rules_naming(built.profile, "clone");
  REQUIRE(rules.size() == 2);  // 0 (Go's runtime making a thread) and CLONE_NEWNET
  CHECK(rules[0]->args[0].value_two == 0);
  CHECK(rules[1]->args[0].value_two == CLONE_NEWNET);
}

TEST_CASE("the kernel plan numbers each pair's calls per arch", "[argument_rules]") {
  auto plan = arg_plan();
  auto native = [](const char *name) {
    return *syscope::seccomp::syscall_number(syscope::seccomp::scmp_arch_for(SYSCOPE_ARCH_NATIVE),
                                             name);
  };
  auto compat = [](const char *name) {
    return *syscope::seccomp::syscall_number(syscope::seccomp::scmp_arch_for(SYSCOPE_ARCH_COMPAT),
                                             name);
  };
  CHECK(plan.pair_of[SYSCOPE_ARCH_NATIVE][native("socket")] == pair("socket") + 1);
  CHECK(plan.pair_of[SYSCOPE_ARCH_COMPAT][compat("fcntl64")] == pair("fcntl64") + 1);
  CHECK(plan.pair_of[SYSCOPE_ARCH_COMPAT][compat("mmap")] == 0);  // old_mmap: by pointer
  CHECK(plan.pair_of[SYSCOPE_ARCH_COMPAT][compat("mmap2")] == pair("mmap2") + 1);
  CHECK(plan.pair_of[SYSCOPE_ARCH_NATIVE][native("read")] == 0);
  const auto &socket = plan.plans[pair("socket")];
  CHECK(socket.arg == 0);
  CHECK(socket.arg2 == 1);
  CHECK(plan.plans[pair("ioctl")].arg2 == SYSCOPE_ARG_NONE);
  CHECK(plan.plans[pair("ioctl")].arg == 1);
}

TEST_CASE("under a filter only the values filtered tasks used", "[argument_rules]") {
  CgroupCalls calls;
  add(calls, "socket");
  calls.add_arg_value(pair("socket"), AF_NETLINK | uint64_t{SOCK_RAW} << 32);  // runc's setup
  calls.add_arg_value(pair("socket"), AF_UNIX | uint64_t{SOCK_STREAM} << 32, true);
  auto built = allow_list_profile(calls.all());
  auto result = narrow_by_arguments(built.profile, calls, calls.all(), options(true, true));
  auto rules = rules_naming(built.profile, "socket");
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]->args[0].value_two == AF_UNIX);
}
