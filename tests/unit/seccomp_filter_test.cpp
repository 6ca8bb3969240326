// SPDX-License-Identifier: Apache-2.0
// Compiling profiles as Docker and runc do: validation, includes/excludes, the ENOSYS stub, and
// the compiled filter run for real in a forked child (no_new_privs: no root needed).
#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <functional>
#include <optional>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/runc_enosys.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope;
using namespace syscope::seccomp;

namespace {

SyscallRule rule(std::vector<std::string> names, Action action,
                 std::optional<uint32_t> errno_ret = std::nullopt,
                 std::vector<ArgCondition> args = {}) {
  SyscallRule r;
  r.names = std::move(names);
  r.action = action;
  r.errno_ret = errno_ret;
  r.args = std::move(args);
  return r;
}

Exit compile_error(const Profile &p) {
  try {
    compile_profile(p);
  } catch (const Error &e) {
    return e.code;
  }
  return Exit::ok;
}

// Runs `body` in a forked child after installing `filter` there; its exit status (128 + signal
// when killed). The body returns 0 when every call behaved, else the number of the first check
// that did not; it must make no calls the profile denies beyond the ones it checks.
int run_filtered(const CompiledFilter &filter, int (*body)()) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Catch2's fatal-signal handlers would report a fault the test expects as a failed run.
    for (int sig : {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGABRT}) signal(sig, SIG_DFL);
    try {
      install_filter(filter);
    } catch (...) {
      _exit(100);
    }
    _exit(body());
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool fails_with(long rc, int err) { return rc == -1 && errno == err; }

// Executes the ENOSYS stub on a seccomp_data; nullopt when it falls through to the filter.
std::optional<uint32_t> run_stub(const std::vector<sock_filter> &stub, uint32_t arch, uint32_t nr) {
  uint32_t acc = 0;
  size_t pc = 0;
  for (int steps = 0; steps < 1000 && pc < stub.size(); ++steps) {
    const sock_filter &i = stub[pc];
    switch (i.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        acc = i.k == offsetof(seccomp_data, arch) ? arch : nr;
        ++pc;
        break;
      case BPF_JMP | BPF_JA | BPF_K: pc += 1 + i.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += 1 + (acc == i.k ? i.jt : i.jf); break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += 1 + (acc > i.k ? i.jt : i.jf); break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += 1 + ((acc & i.k) ? i.jt : i.jf); break;
      case BPF_RET | BPF_K: return i.k;
      default: FAIL("unexpected instruction " << i.code); return 0;
    }
  }
  REQUIRE(pc == stub.size());  // exactly the first instruction after the stub
  return std::nullopt;
}

// Default ERRNO; allows what the child checks call, with OR and AND argument conditions.
Profile denying_profile() {
  Profile p;
  p.default_action = Action::errno_;
  p.syscalls = {
      rule({"exit_group", "exit", "getpid", "getppid"}, Action::allow),
      rule({"sysinfo"}, Action::errno_, 38),
      // Same index twice: either value passes (Docker's personality rules rely on this).
      rule({"personality"}, Action::allow, std::nullopt,
           {{0, 0, 0, Op::eq}, {0, 0xffffffff, 0, Op::eq}}),
      // Different indexes: both must hold.
      rule({"getpriority"}, Action::allow, std::nullopt, {{0, 0, 0, Op::eq}, {1, 0, 0, Op::eq}}),
  };
  return p;
}

}  // namespace

TEST_CASE("unknown syscall names are skipped and listed", "[seccomp_filter]") {
  Profile p;
  p.default_action = Action::allow;
  p.syscalls = {rule({"sysinfo", "no_such_call", "no_such_call"}, Action::errno_)};
  CompiledFilter f = compile_profile(p);
  CHECK(f.skipped_names == std::vector<std::string>{"no_such_call"});
  CHECK_FALSE(f.bpf.empty());
  CHECK(f.bpf.size() % sizeof(sock_filter) == 0);
  CHECK(f.stub_instructions == 0);  // permissive default: no stub
}

TEST_CASE("invalid profiles are usage errors", "[seccomp_filter]") {
  Profile p;
  p.default_action = Action::allow;
  // Unknown names are refused by the parser (profile_json_test); a value cast into the enums
  // from outside its range still gets an error, not undefined behaviour.
  SECTION("an action no name maps to") { p.syscalls = {rule({"read"}, static_cast<Action>(99))}; }
  SECTION("a default action no name maps to") { p.default_action = static_cast<Action>(99); }
  SECTION("notify needs a listener") { p.syscalls = {rule({"read"}, Action::notify)}; }
  SECTION("an operator no name maps to") {
    p.syscalls = {rule({"read"}, Action::errno_, std::nullopt, {{0, 1, 0, static_cast<Op>(99)}})};
  }
  SECTION("argument index beyond 5") {
    p.syscalls = {rule({"read"}, Action::errno_, std::nullopt, {{6, 1, 0, Op::eq}})};
  }
  SECTION("errnoRet beyond 16 bits") { p.syscalls = {rule({"read"}, Action::errno_, 70000)}; }
  SECTION("unknown architecture") { p.architectures = {"SCMP_ARCH_Z80"}; }
  SECTION("architectures and archMap together") {
    p.architectures = {"SCMP_ARCH_X86_64"};
    p.arch_map = {{"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86"}}};
  }
  SECTION("malformed minKernel") {
    SyscallRule r = rule({"read"}, Action::errno_);
    r.includes.min_kernel = "latest";
    p.syscalls = {r};
  }
  CHECK(compile_error(p) == Exit::usage);
}

TEST_CASE("invalid rules are caught even when includes drop them here", "[seccomp_filter]") {
  Profile p;
  p.default_action = Action::allow;
  SyscallRule r = rule({"read"}, Action::errno_, 70000);
  r.includes.min_kernel = "99.0";
  p.syscalls = {r};
  CHECK(compile_error(p) == Exit::usage);
}

TEST_CASE("includes/excludes follow Docker's rules", "[seccomp_filter]") {
  HostFacts host{SCMP_ARCH_X86_64, uint64_t{1} << CAP_SYS_PTRACE, "6.1.0-18-amd64"};
  SyscallRule r = rule({"ptrace"}, Action::allow);
  CHECK_FALSE(rule_ruled_out(r, host));

  SECTION("minKernel") {
    r.includes.min_kernel = "99.0";
    REQUIRE(rule_ruled_out(r, host));
    CHECK(rule_ruled_out(r, host)->find("includes.minKernel 99.0") != std::string::npos);
    r.includes.min_kernel = "6.1";
    CHECK_FALSE(rule_ruled_out(r, host));
    r.includes.min_kernel = "6.1.1";
    CHECK(rule_ruled_out(r, host));
    r.includes.min_kernel.clear();
    r.excludes.min_kernel = "5.8";
    CHECK(rule_ruled_out(r, host));
    r.excludes.min_kernel = "6.10";  // numeric, not lexical: 6.10 > 6.1
    CHECK_FALSE(rule_ruled_out(r, host));
  }
  SECTION("arches, by Docker's and libseccomp's names") {
    r.includes.arches = {"arm64", "s390x"};
    CHECK(rule_ruled_out(r, host));
    r.includes.arches = {"amd64"};
    CHECK_FALSE(rule_ruled_out(r, host));
    r.includes.arches = {"SCMP_ARCH_X86_64"};
    CHECK_FALSE(rule_ruled_out(r, host));
    r.includes.arches.clear();
    r.excludes.arches = {"x86_64"};
    CHECK(rule_ruled_out(r, host));
    r.excludes.arches = {"ppc64le", "SCMP_ARCH_MIPS64N32"};
    CHECK_FALSE(rule_ruled_out(r, host));
  }
  SECTION("caps") {
    r.includes.caps = {"CAP_SYS_PTRACE"};
    CHECK_FALSE(rule_ruled_out(r, host));
    r.includes.caps = {"CAP_SYS_PTRACE", "CAP_SYS_ADMIN"};  // every one must be held
    CHECK(rule_ruled_out(r, host));
    r.includes.caps.clear();
    r.excludes.caps = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"};  // any one held excludes
    CHECK(rule_ruled_out(r, host));
    r.excludes.caps = {"CAP_NOT_A_CAP"};
    CHECK_FALSE(rule_ruled_out(r, host));
  }
}

TEST_CASE("rules ruled out on this host are listed", "[seccomp_filter]") {
  Profile p;
  p.default_action = Action::allow;
  SyscallRule future = rule({"sysinfo"}, Action::errno_);
  future.includes.min_kernel = "99.0";
  p.syscalls = {rule({"read"}, Action::log), future};
  CompiledFilter f = compile_profile(p);
  REQUIRE(f.skipped_rules.size() == 1);
  CHECK(f.skipped_rules[0].find("syscalls[1] (sysinfo)") == 0);
  CHECK(f.skipped_rules[0].find("minKernel") != std::string::npos);
}

TEST_CASE("kernel versions compare numerically", "[seccomp_filter]") {
  CHECK(compare_kernel_versions("5.10", "5.8") == 1);
  CHECK(compare_kernel_versions("6.1.0-18-amd64", "6.1") == 0);
  CHECK(compare_kernel_versions("4.19.0", "4.19.1") == -1);
  CHECK_FALSE(compare_kernel_versions("abc", "5.8"));
}

TEST_CASE("the ENOSYS stub: above the limit ENOSYS, else on to the filter", "[seccomp_filter]") {
  std::vector<sock_filter> stub = enosys_stub({{AUDIT_ARCH_X86_64, 435}, {AUDIT_ARCH_I386, 440}});
  const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 436) == enosys);
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 1000) == enosys);
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 435));
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 0));
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 0x40000000 | 1000));  // x32: the filter decides
  CHECK(run_stub(stub, AUDIT_ARCH_I386, 441) == enosys);
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_I386, 440));
  CHECK(run_stub(stub, AUDIT_ARCH_I386, 0x40000000 | 1) == enosys);  // no x32 on i386
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_AARCH64, 5000));             // not in the filter

  // With x32 in the filter, runc compares x32 numbers with x32's own highest one.
  stub = enosys_stub({{AUDIT_ARCH_X86_64, 435, 0x40000000 | 547}, {AUDIT_ARCH_I386, 440}});
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 436) == enosys);
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 435));
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 0x40000000 | 547));
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 0x40000000 | 548) == enosys);
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 0xffffffff) == enosys);  // nr -1
  CHECK(run_stub(stub, AUDIT_ARCH_I386, 441) == enosys);
}

TEST_CASE("compiled filters start with the stub only for denying defaults", "[seccomp_filter]") {
  Profile p = denying_profile();
  CompiledFilter with = compile_profile(p);
  CompiledFilter without = compile_profile(p, {.runc_enosys = false});
  CHECK(without.stub_instructions == 0);
  REQUIRE(with.stub_instructions > 0);
  CHECK(with.bpf.size() == without.bpf.size() + with.stub_instructions * sizeof(sock_filter));
  // What follows the stub is libseccomp's program unchanged.
  CHECK(std::equal(without.bpf.begin(), without.bpf.end(),
                   with.bpf.begin() + with.stub_instructions * sizeof(sock_filter)));
  Profile logging = p;
  logging.default_action = Action::log;
  CHECK(compile_profile(logging).stub_instructions == 0);

  auto *insns = reinterpret_cast<const sock_filter *>(with.bpf.data());
  std::vector<sock_filter> stub(insns, insns + with.stub_instructions);
  uint32_t arch = native_scmp_arch();
  if (arch != SCMP_ARCH_X86_64) return;  // the numbers below are x86_64's
  // exit_group (231) is the highest number the profile names.
  CHECK_FALSE(run_stub(stub, AUDIT_ARCH_X86_64, 231));
  CHECK(run_stub(stub, AUDIT_ARCH_X86_64, 232) == (SECCOMP_RET_ERRNO | ENOSYS));
}

TEST_CASE("archMap brings the native arch's sub-architectures along", "[seccomp_filter]") {
  if (native_scmp_arch() != SCMP_ARCH_X86_64) return;
  Profile p = denying_profile();
  size_t native_only = compile_profile(p).stub_instructions;
  p.arch_map = {{"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"}},
                {"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}};
  // One more stub section, for x86: jeq, ld, jgt; and x32's own jgt in x86_64's, as runc has it.
  CHECK(compile_profile(p).stub_instructions == native_only + 4);
}

TEST_CASE("a compiled filter behaves as the profile says", "[seccomp_filter]") {
  Profile p = denying_profile();
  SECTION("with runc's ENOSYS stub") {
    int status = run_filtered(compile_profile(p), [] {
      if (syscall(SYS_getppid) <= 0) return 1;
      if (!fails_with(syscall(SYS_getuid), EPERM)) return 2;             // default action
      if (!fails_with(syscall(SYS_sysinfo, nullptr), ENOSYS)) return 3;  // errnoRet 38
      if (!fails_with(syscall(1000), ENOSYS)) return 4;                  // above the highest number
      if (syscall(SYS_personality, 0xffffffffUL) < 0) return 5;          // OR: second value
      if (syscall(SYS_personality, 0UL) < 0) return 6;                   // OR: first value
      if (!fails_with(syscall(SYS_personality, 8UL), EPERM)) return 7;
      if (syscall(SYS_getpriority, 0, 0) < 0) return 8;  // AND: both hold
      if (!fails_with(syscall(SYS_getpriority, 0, 1), EPERM)) return 9;
      return 0;
    });
    CHECK(status == 0);
  }
  SECTION("without it") {
    int status = run_filtered(compile_profile(p, {.runc_enosys = false}), [] {
      if (!fails_with(syscall(1000), EPERM)) return 1;
      if (!fails_with(syscall(SYS_getuid), EPERM)) return 2;
      return 0;
    });
    CHECK(status == 0);
  }
  SECTION("a kill default") {
    p.default_action = Action::kill_process;
    int status = run_filtered(compile_profile(p), [] {
      if (!fails_with(syscall(1000), ENOSYS)) return 1;  // the stub answers before the kill
      syscall(SYS_getuid);
      return 2;
    });
    CHECK(status == 128 + SIGSYS);
  }
}

TEST_CASE("the rich fixture compiles", "[seccomp_filter]") {
  Profile p = load_docker_profile(std::string(SYSCOPE_FIXTURES) + "/profiles/rich.json");
  CompiledFilter f = compile_profile(p);
  CHECK(f.skipped_names.empty());
  CHECK(f.bpf.size() > f.stub_instructions * sizeof(sock_filter));
}

TEST_CASE("essential_denials reads the default action, the rules and their precedence",
          "[seccomp_filter]") {
  HostFacts host = current_host();
  auto names = [&](const Profile &p) {
    std::vector<std::string> out;
    for (const auto &d : essential_denials(p, host))
      out.push_back(d.name + (d.conditional ? "?" : "") + "=" + action_name(d.action));
    return out;
  };
  using V = std::vector<std::string>;
  Profile p;
  p.default_action = Action::allow;
  CHECK(names(p).empty());
  p.syscalls = {rule({"read", "exit_group"}, Action::errno_)};
  CHECK(names(p) == V{"exit_group=SCMP_ACT_ERRNO"});
  p.default_action = Action::kill_process;
  p.syscalls = {rule({"read", "exit_group", "exit"}, Action::allow)};
  CHECK(names(p) == V{"rt_sigreturn=SCMP_ACT_KILL_PROCESS"});
  p.syscalls.push_back(rule({"rt_sigreturn"}, Action::log));
  CHECK(names(p).empty());
  SECTION("a rule with conditions: may deny") {
    p.default_action = Action::allow;
    p.syscalls = {rule({"exit_group"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::eq}})};
    CHECK(names(p) == V{"exit_group?=SCMP_ACT_ERRNO"});
    p.default_action = Action::errno_;
    p.syscalls = {rule({"exit_group", "exit", "rt_sigreturn"}, Action::allow, std::nullopt,
                       {{0, 0, 0, Op::eq}})};
    CHECK(names(p) ==
          V{"exit_group?=SCMP_ACT_ERRNO", "exit?=SCMP_ACT_ERRNO", "rt_sigreturn?=SCMP_ACT_ERRNO"});
  }
  SECTION("a rule without conditions decides the call outright") {
    p.default_action = Action::errno_;
    p.syscalls = {rule({"exit_group", "exit", "rt_sigreturn"}, Action::allow),
                  rule({"exit_group"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::eq}})};
    CHECK(names(p).empty());
  }
  SECTION("a rule includes/excludes leave out does not count") {
    p.default_action = Action::allow;
    SyscallRule r = rule({"exit_group"}, Action::errno_);
    r.includes.min_kernel = "99.0";
    p.syscalls = {r};
    CHECK(names(p).empty());
    r.includes.min_kernel.clear();
    r.excludes.arches = {"amd64", "arm64", "x86", "arm", "s390x", "ppc64le", "riscv64"};
    p.syscalls = {r};
    CHECK(names(p).empty());
  }
}

TEST_CASE("essential_denials agrees with the kernel on exit_group and exit", "[seccomp_filter]") {
  // glibc's _exit() tries exit_group, then exit (which ends a one-thread process too), then
  // executes hlt, which faults: a child ends cleanly unless the filter refuses both. Each
  // profile's verdict is checked against what its compiled filter does to a real child.
  auto exits_cleanly = [](const Profile &p) {
    return run_filtered(compile_profile(p), [] { return 0; }) == 0;
  };
  auto denies_both = [](const Profile &p) {
    int denied = 0;
    for (const auto &d : essential_denials(p)) denied += d.name == "exit_group" || d.name == "exit";
    return denied == 2;
  };
  Profile p;
  SECTION("allowed by default") { p.default_action = Action::allow; }
  SECTION("refused by a rule") {
    p.default_action = Action::allow;
    p.syscalls = {rule({"exit_group", "exit"}, Action::errno_)};
  }
  SECTION("refused by the default") {
    p.default_action = Action::errno_;
    p.syscalls = {rule({"rt_sigreturn"}, Action::allow)};
  }
  SECTION("exit_group refused, exit allowed") {
    p.default_action = Action::errno_;
    p.syscalls = {rule({"exit", "rt_sigreturn"}, Action::allow)};
  }
  SECTION("allowed outright despite a conditional refusal") {
    p.default_action = Action::errno_;
    p.syscalls = {rule({"exit_group"}, Action::allow),
                  rule({"exit_group"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::eq}})};
  }
  SECTION("refused only for status 0, and that is the status") {
    p.default_action = Action::allow;
    p.syscalls = {rule({"exit_group", "exit"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::eq}})};
    CHECK_FALSE(exits_cleanly(p));
    for (const auto &d : essential_denials(p)) CHECK(d.conditional);
    return;
  }
  SECTION("allowed by a rule left out by its includes") {
    p.default_action = Action::allow;
    SyscallRule r = rule({"exit_group", "exit"}, Action::errno_);
    r.includes.min_kernel = "99.0";
    p.syscalls = {r};
  }
  CHECK(exits_cleanly(p) == !denies_both(p));
}
