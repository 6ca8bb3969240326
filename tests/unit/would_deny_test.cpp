// SPDX-License-Identifier: Apache-2.0
// Dry-run's plan and judging (watch/would_deny.hpp): the candidate compiled as runc installs it,
// each call judged by running that filter.
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/watch/would_deny.hpp"

using namespace syscope;

namespace {

seccomp::SyscallRule allow(std::vector<std::string> names) {
  seccomp::SyscallRule r;
  r.names = std::move(names);
  r.action = seccomp::Action::allow;
  return r;
}

seccomp::SyscallRule allow_socket_family(uint64_t family) {
  auto r = allow({"socket"});
  r.args.push_back({0, family, 0, seccomp::Op::eq});
  return r;
}

// Allows a few calls by name, socket for AF_UNIX and AF_INET only; getrandom (318) is named so
// that runc's ENOSYS stub starts above it.
seccomp::Profile candidate() {
  seccomp::Profile p;
  p.default_action = seccomp::Action::errno_;
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  p.syscalls = {allow({"read", "write", "exit_group", "getppid", "getrandom"}),
                allow_socket_family(AF_UNIX), allow_socket_family(AF_INET)};
  return p;
}

bpf::DryRunCall call(long nr, std::array<uint64_t, 6> args = {}) {
  bpf::DryRunCall c;
  c.cgroup_id = 7;
  c.pid = 42;
  c.tid = 42;
  c.comm = "curl";
  c.nr = static_cast<int32_t>(nr);
  c.args = args;
  return c;
}

constexpr uint32_t kNative = SYSCOPE_ARCH_NATIVE;

}  // namespace

TEST_CASE("would-deny plan: plain ALLOW names are a bit, argument rules a mask", "[would_deny]") {
  watch::WouldDenyJudge judge(candidate());
  const auto &plan = judge.plan();
  CHECK(plan.allowed(kNative, SYS_read));
  CHECK(plan.allowed(kNative, SYS_getppid));
  CHECK(plan.tested_args(kNative, SYS_read) == 0);
  CHECK_FALSE(plan.allowed(kNative, SYS_socket));
  CHECK(plan.tested_args(kNative, SYS_socket) == 0x1);
  // Not named: judged by name alone, streamed once per cgroup and number.
  CHECK_FALSE(plan.allowed(kNative, SYS_sysinfo));
  CHECK(plan.tested_args(kNative, SYS_sysinfo) == 0);
}

TEST_CASE("would-deny plan: a name allowed for some argument values only is tested by them",
          "[would_deny]") {
  auto p = candidate();
  std::erase(p.syscalls[0].names, "getppid");
  auto some = allow({"getppid"});
  some.args.push_back({1, 4, 0, seccomp::Op::eq});
  p.syscalls.push_back(some);
  watch::WouldDenyJudge judge(p);
  CHECK_FALSE(judge.plan().allowed(kNative, SYS_getppid));
  CHECK(judge.plan().tested_args(kNative, SYS_getppid) == 0x2);
  CHECK_FALSE(judge.judge(call(SYS_getppid, {0, 4})));
  auto w = judge.judge(call(SYS_getppid, {0, 5}));
  REQUIRE(w);
  CHECK(w->verdict_text == "ERRNO(EPERM)");
  REQUIRE(w->rule.args.size() == 1);
  CHECK(w->rule.args[0].index == 1);
  CHECK(w->rule.args[0].op == seccomp::Op::eq);  // getppid has no arguments: no int to mask
  CHECK(w->rule.args[0].value == 5);
}

TEST_CASE("would-deny plan: an ALLOW beside a conditional ERRNO is left to the filter",
          "[would_deny]") {
  // libseccomp lets the rule without conditions decide the call outright: the filter allows
  // getppid whatever its arguments, and the judge says so, though the plan streams it.
  auto p = candidate();
  seccomp::SyscallRule deny;
  deny.names = {"getppid"};
  deny.action = seccomp::Action::errno_;
  deny.args.push_back({1, 5, 0, seccomp::Op::eq});
  p.syscalls.push_back(deny);
  watch::WouldDenyJudge judge(p);
  CHECK_FALSE(judge.plan().allowed(kNative, SYS_getppid));
  CHECK_FALSE(judge.judge(call(SYS_getppid, {0, 5})));
}

TEST_CASE("would-deny plan: includes and excludes judged with Docker's default capabilities",
          "[would_deny]") {
  auto p = candidate();
  auto admin = allow({"mount"});
  admin.includes.caps = {"CAP_SYS_ADMIN"};  // a root process holds it, a container does not
  auto raw = allow({"sysinfo"});
  raw.includes.caps = {"CAP_NET_RAW"};  // in Docker's default set
  p.syscalls.push_back(admin);
  p.syscalls.push_back(raw);
  watch::WouldDenyJudge judge(p);
  CHECK_FALSE(judge.plan().allowed(kNative, SYS_mount));
  CHECK(judge.plan().allowed(kNative, SYS_sysinfo));
  CHECK(judge.judge(call(SYS_mount)));
  CHECK_FALSE(judge.judge(call(SYS_sysinfo)));
}

TEST_CASE("would-deny judging: a refused socket family gets a masked rule for that family",
          "[would_deny]") {
  watch::WouldDenyJudge judge(candidate());
  CHECK_FALSE(judge.judge(call(SYS_socket, {AF_UNIX, SOCK_STREAM, 0})));
  CHECK_FALSE(judge.judge(call(SYS_socket, {AF_INET, SOCK_DGRAM, 0})));
  // The upper half of an int argument is not the candidate's business (MASKED_EQ would match
  // whatever libc leaves there); the candidate's EQ rule, though, compares all 64 bits.
  auto w = judge.judge(call(SYS_socket, {AF_INET6, SOCK_STREAM, 0}));
  REQUIRE(w);
  CHECK(w->syscall == "socket");
  CHECK(w->call_text == "socket(AF_INET6, SOCK_STREAM, 0)");
  CHECK(w->verdict_text == "ERRNO(EPERM)");
  CHECK(seccomp::rule_json(w->rule).dump() ==
        R"({"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,)"
        R"("valueTwo":10,"op":"SCMP_CMP_MASKED_EQ"}]})");
  CHECK(watch::format_text(*w) ==
        "would deny: cgroup 7 curl[42] socket(AF_INET6, SOCK_STREAM, 0) -> ERRNO(EPERM); add: " +
            seccomp::rule_json(w->rule).dump());
  auto j = watch::to_json(*w);
  CHECK(j["type"] == "would_deny");
  CHECK(j["verdict"] == "ERRNO(EPERM)");
  CHECK(j["rule"]["names"][0] == "socket");
  CHECK(j["container"].is_null());
}

TEST_CASE("would-deny judging: a name the candidate lacks gets a names-only rule", "[would_deny]") {
  watch::WouldDenyJudge judge(candidate());
  auto w = judge.judge(call(SYS_sysinfo, {0x7ffd0000}));
  REQUIRE(w);
  CHECK(w->verdict_text == "ERRNO(EPERM)");
  CHECK(seccomp::rule_json(w->rule).dump() == R"({"names":["sysinfo"],"action":"SCMP_ACT_ALLOW"})");
  CHECK_FALSE(judge.judge(call(SYS_getppid)));
}

TEST_CASE("would-deny judging: runc's ENOSYS stub above the highest named number", "[would_deny]") {
  watch::WouldDenyJudge judge(candidate());
  auto w = judge.judge(call(SYS_faccessat2));  // 439 > getrandom's 318
  REQUIRE(w);
  CHECK(w->verdict_text == "ERRNO(ENOSYS)");
  CHECK_FALSE(judge.plan().allowed(kNative, SYS_faccessat2));
}

TEST_CASE("would-deny judging: kill actions and 32-bit calls", "[would_deny]") {
  auto p = candidate();
  p.default_action = seccomp::Action::kill_process;
  p.architectures = {"SCMP_ARCH_X86_64"};  // no i386: every compat call is refused
  watch::WouldDenyJudge judge(p);
  auto w = judge.judge(call(SYS_sysinfo));
  REQUIRE(w);
  CHECK(w->verdict_text == "KILL_PROCESS");
  auto compat = call(64);  // getppid on i386
  compat.arch = SYSCOPE_ARCH_COMPAT;
  CHECK_FALSE(judge.plan().allowed(SYSCOPE_ARCH_COMPAT, 64));
  auto c = judge.judge(compat);
  REQUIRE(c);
  CHECK(c->syscall == "getppid");
  CHECK(judge.plan().allowed(kNative, SYS_getppid));
}

TEST_CASE("would-deny plan of Docker's default: argument rules tested, socket by bit",
          "[would_deny]") {
  auto docker = seccomp::load_docker_profile(SYSCOPE_PROFILES "/docker-default-20.10.24.json");
  watch::WouldDenyJudge judge(docker);
  const auto &plan = judge.plan();
  CHECK(plan.allowed(kNative, SYS_socket));
  CHECK(plan.allowed(kNative, SYS_read));
  CHECK(plan.tested_args(kNative, SYS_personality) == 0x1);
  CHECK(plan.tested_args(kNative, SYS_clone) == 0x1);  // without CAP_SYS_ADMIN: flags checked
  CHECK_FALSE(judge.judge(call(SYS_personality, {0})));
  auto w = judge.judge(call(SYS_personality, {0x0006}));  // PER_BSD
  REQUIRE(w);
  CHECK(w->rule.args.size() == 1);
  CHECK(w->rule.args[0].op == seccomp::Op::masked_eq);
  CHECK(w->rule.args[0].value_two == 6);
  auto unshare = judge.judge(call(SYS_unshare, {0x10000000}));
  REQUIRE(unshare);
  CHECK(unshare->rule.args.empty());
}

TEST_CASE("would-deny: verdicts read as seccomp names them", "[would_deny]") {
  CHECK(watch::verdict_text(SECCOMP_RET_ERRNO | 1) == "ERRNO(EPERM)");
  CHECK(watch::verdict_text(SECCOMP_RET_KILL_THREAD) == "KILL_THREAD");
  CHECK(watch::verdict_text(SECCOMP_RET_TRAP | 3) == "TRAP");
  CHECK(watch::verdict_text(SECCOMP_RET_TRACE | 1) == "TRACE(1)");
  CHECK(watch::verdict_text(SECCOMP_RET_USER_NOTIF) == "USER_NOTIF");
}

TEST_CASE("would-deny summary counts distinct calls per container and syscall", "[would_deny]") {
  watch::WouldDenyJudge judge(candidate());
  watch::WouldDenySummary summary;
  summary.add(*judge.judge(call(SYS_socket, {AF_INET6, SOCK_STREAM, 0})));
  summary.add(*judge.judge(call(SYS_socket, {AF_INET6, SOCK_DGRAM, 0})));
  auto w = *judge.judge(call(SYS_sysinfo));
  w.container = watch::ContainerLabel{"docker", std::string(64, 'a'), "web", "busybox"};
  summary.add(w);
  CHECK(summary.total() == 3);
  auto text = summary.text("");
  CHECK(text.find("cgroup 7") != std::string::npos);
  CHECK(text.find("web") != std::string::npos);
  CHECK(text.find("3 distinct calls would be denied") != std::string::npos);
  CHECK(summary.text("1 events lost").find("kernel counted losses: 1 events lost") !=
        std::string::npos);
  auto j = summary.json(nlohmann::json::object());
  CHECK(j["would_deny"] == 3);
  CHECK(j["rows"].size() == 2);
}

TEST_CASE("would-deny: an invalid candidate is a usage error", "[would_deny]") {
  auto p = candidate();
  p.syscalls[0].args.push_back({7, 0, 0, seccomp::Op::eq});  // no argument 7
  REQUIRE_THROWS_AS(watch::WouldDenyJudge(p), Error);
}
