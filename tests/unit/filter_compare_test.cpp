// SPDX-License-Identifier: Apache-2.0
// Comparing filter stacks by their answers: the kernel's precedence across a stack, and two
// compiled profiles that differ in known ways (a name, an argument value, an errno) found and
// named, nothing else.
#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/filter_compare.hpp"
#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

using namespace syscope::seccomp;

namespace {

HostFacts x86_64_host(bool sys_admin = false) {
  HostFacts host = docker_default_container_host();
  host.native_arch = SCMP_ARCH_X86_64;
  host.kernel_release = "6.1.0";
  if (sys_admin) host.capabilities |= 1ULL << *capability_number("CAP_SYS_ADMIN");
  return host;
}

FilterProgram compiled(const Profile &p, const HostFacts &host = x86_64_host()) {
  CompiledFilter f = compile_profile(p, {.runc_enosys = true}, host);
  auto program = as_program(f.bpf);
  return {program.begin(), program.end()};
}

SyscallRule rule(std::vector<std::string> names, Action action, std::vector<ArgCondition> args = {},
                 std::optional<uint32_t> errno_ret = {}) {
  SyscallRule r;
  r.names = std::move(names);
  r.action = action;
  r.args = std::move(args);
  r.errno_ret = errno_ret;
  return r;
}

Profile small_profile() {
  Profile p;
  p.default_action = Action::errno_;
  p.architectures = {"SCMP_ARCH_X86_64"};
  p.syscalls = {rule({"read", "write", "exit_group", "getpid"}, Action::allow),
                rule({"socket"}, Action::allow, {{0, 1, 0, Op::eq}}),  // AF_UNIX only
                rule({"sysinfo"}, Action::errno_, {}, 38)};
  return p;
}

const std::vector<CallAbi> kX86_64Only = {{"x86_64", AUDIT_ARCH_X86_64, 0, SCMP_ARCH_X86_64}};

}  // namespace

TEST_CASE("a stack answers with its most restrictive filter, the newest on a tie",
          "[filter_compare]") {
  auto ret = [](uint32_t k) { return FilterProgram{BPF_STMT(BPF_RET | BPF_K, k)}; };
  seccomp_data d{};
  CHECK(stack_verdict({}, d) == SECCOMP_RET_ALLOW);
  std::vector<FilterProgram> stack = {ret(SECCOMP_RET_ALLOW), ret(SECCOMP_RET_ERRNO | EPERM)};
  CHECK(stack_verdict(stack, d) == (SECCOMP_RET_ERRNO | EPERM));
  stack = {ret(SECCOMP_RET_ERRNO | EACCES), ret(SECCOMP_RET_ERRNO | EPERM)};
  CHECK(stack_verdict(stack, d) == (SECCOMP_RET_ERRNO | EACCES));  // index 0: the newest
  stack = {ret(SECCOMP_RET_TRAP), ret(SECCOMP_RET_KILL_PROCESS), ret(SECCOMP_RET_LOG)};
  CHECK(stack_verdict(stack, d) == SECCOMP_RET_KILL_PROCESS);  // 0x80000000: negative, lowest

  CHECK(effective_verdict(SECCOMP_RET_ERRNO | 0xffff) == (SECCOMP_RET_ERRNO | 4095));
  CHECK(effective_verdict(SECCOMP_RET_ALLOW | 5) == SECCOMP_RET_ALLOW);
  CHECK(effective_verdict(0x12340000) == SECCOMP_RET_KILL_PROCESS);  // no such action
  CHECK(verdict_name(SECCOMP_RET_ERRNO | EPERM) == "ERRNO(EPERM)");
  CHECK(verdict_name(SECCOMP_RET_ERRNO | 4000) == "ERRNO(4000)");
  CHECK(verdict_name(SECCOMP_RET_KILL_THREAD) == "KILL_THREAD");
}

TEST_CASE("a profile compared with itself matches on every ABI", "[filter_compare]") {
  Profile docker = docker_default_profile();
  std::vector<FilterProgram> a = {compiled(docker)}, b = {compiled(docker)};
  Comparison cmp = compare_stacks(a, b);
  CHECK(cmp.equal());
  CHECK(cmp.syscalls.empty());
  CHECK(cmp.calls > 3 * 450);  // every number of x86_64, x32 and i386 at least once
  // The same policy split over two filters (the runtime's and one the workload added, which
  // allows everything) still matches.
  std::vector<FilterProgram> stacked = {FilterProgram{BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)},
                                        compiled(docker)};
  CHECK(compare_stacks(stacked, b).equal());
}

TEST_CASE("known differences are found and named per syscall", "[filter_compare]") {
  Profile expected = small_profile();
  Profile installed = small_profile();
  installed.syscalls[0].names.push_back("getppid");  // one more name
  installed.syscalls[1].args = {{0, 2, 0, Op::eq}};  // AF_INET instead of AF_UNIX
  installed.syscalls[2].errno_ret = 1;               // EPERM instead of ENOSYS
  std::vector<FilterProgram> got = {compiled(installed)}, want = {compiled(expected)};
  Comparison cmp = compare_stacks(got, want, kX86_64Only);
  REQUIRE_FALSE(cmp.equal());
  std::vector<std::string> names;
  for (const auto &s : cmp.syscalls) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"socket", "sysinfo", "getppid"});  // by number
  auto lines = describe_differences(cmp, 10);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("socket (x86_64): installed ERRNO(EPERM), expected ALLOW, for arg0=0x1") ==
        0);
  CHECK(lines[1].find("sysinfo (x86_64): installed ERRNO(EPERM), expected ERRNO(ENOSYS)") == 0);
  CHECK(lines[2] == "getppid (x86_64): installed ALLOW, expected ERRNO(EPERM), for every argument "
                    "value tried");
  // socket differs exactly at arg0 = 1 and arg0 = 2: two calls.
  CHECK(cmp.syscalls[0].differing == 2);
  auto json = differences_json(cmp);
  CHECK(json["syscalls"][0]["syscall"] == "socket");
  CHECK(json["syscalls"][0]["first"][0]["arg_index"] == 0);
  CHECK(json["differing"] == cmp.differing);
  // Capped: one line, then the count of the rest.
  lines = describe_differences(cmp, 1);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "... and 2 more syscalls differ");
}

TEST_CASE("Docker's default differs with CAP_SYS_ADMIN exactly where its includes say",
          "[filter_compare]") {
  Profile docker = docker_default_profile();
  std::vector<FilterProgram> admin = {compiled(docker, x86_64_host(true))};
  std::vector<FilterProgram> plain = {compiled(docker)};
  Comparison cmp = compare_stacks(admin, plain, kX86_64Only);
  std::vector<std::string> names;
  for (const auto &s : cmp.syscalls) names.push_back(s.name);
  for (const char *call : {"mount", "umount2", "unshare", "setns", "clone"})
    CHECK(std::find(names.begin(), names.end(), call) != names.end());
  CHECK(std::find(names.begin(), names.end(), "read") == names.end());
  // clone differs only by its namespace flags: allowed plainly, so the all-zero call matches.
  for (const auto &s : cmp.syscalls)
    if (s.name == "clone") {
      CHECK(s.differing < s.tried);
      CHECK(verdict_name(s.first[0].installed) == "ALLOW");
    }
  // No filter at all, compared with the default: everything the default refuses differs.
  std::vector<FilterProgram> none;
  Comparison open = compare_stacks(none, plain, kX86_64Only);
  CHECK(open.syscalls.size() > 60);
}
