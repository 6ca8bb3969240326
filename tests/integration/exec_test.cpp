// SPDX-License-Identifier: Apache-2.0
// `syscope exec` end to end: the real binary runs known_calls under profiles written here, and
// the calls known_calls reports show the filter Docker and runc would have built.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::seccomp;
using syscope::test::read_file;
using syscope::test::run;
using syscope::test::RunResult;
using syscope::test::spawn_logged;
using syscope::test::syscope_bin;
using syscope::test::TempDir;
using syscope::test::test_prog;

namespace {

// Everything known_calls (64- and 32-bit, glibc's startup included) calls, found once with
// strace -f and made generous; sysinfo and personality are left out on purpose.
const std::vector<std::string> kKnownCallsNeeds = {"_llseek",
                                                   "access",
                                                   "arch_prctl",
                                                   "brk",
                                                   "clock_gettime",
                                                   "clock_gettime64",
                                                   "clone",
                                                   "clone3",
                                                   "close",
                                                   "dup",
                                                   "dup2",
                                                   "execve",
                                                   "exit",
                                                   "exit_group",
                                                   "faccessat",
                                                   "fcntl",
                                                   "fcntl64",
                                                   "fstat",
                                                   "fstat64",
                                                   "fstatat64",
                                                   "futex",
                                                   "getegid",
                                                   "geteuid",
                                                   "getgid",
                                                   "getpid",
                                                   "getppid",
                                                   "getrandom",
                                                   "gettid",
                                                   "getuid",
                                                   "ioctl",
                                                   "lseek",
                                                   "madvise",
                                                   "mmap",
                                                   "mmap2",
                                                   "mprotect",
                                                   "munmap",
                                                   "nanosleep",
                                                   "newfstatat",
                                                   "openat",
                                                   "pread64",
                                                   "prlimit64",
                                                   "read",
                                                   "readlink",
                                                   "rseq",
                                                   "rt_sigaction",
                                                   "rt_sigprocmask",
                                                   "rt_sigreturn",
                                                   "sched_yield",
                                                   "set_robust_list",
                                                   "set_thread_area",
                                                   "set_tid_address",
                                                   "sigaltstack",
                                                   "statx",
                                                   "tgkill",
                                                   "ugetrlimit",
                                                   "uname",
                                                   "wait4",
                                                   "waitid",
                                                   "write"};

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

Profile allowing(std::vector<SyscallRule> rules) {
  Profile p;
  p.default_action = Action::allow;
  p.syscalls = std::move(rules);
  return p;
}

// Default EPERM, known_calls' needs allowed, for both x86 ABIs.
Profile denying() {
  Profile p;
  p.default_action = Action::errno_;
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  p.syscalls = {rule(kKnownCallsNeeds, Action::allow)};
  return p;
}

std::string write_text(const TempDir &dir, const std::string &text) {
  std::string path = dir / "profile.json";
  std::ofstream(path) << text;
  return path;
}

std::string write_profile(const TempDir &dir, const Profile &p) {
  return write_text(dir, to_docker_json(p));
}

RunResult exec_under(const std::string &profile, std::vector<std::string> cmd,
                     std::vector<std::string> flags = {}) {
  std::vector<std::string> argv{syscope_bin(), "exec", "--profile", profile};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

}  // namespace

TEST_CASE("exec: a rule's errnoRet is what the call fails with", "[exec]") {
  TempDir dir;
  SECTION("errnoRet 1") {
    auto profile = write_profile(dir, allowing({rule({"sysinfo"}, Action::errno_, 1)}));
    RunResult r = exec_under(profile, {test_prog("known_calls"), "--extra"});
    CHECK(r.out == "sysinfo=ERR EPERM\nknown_calls=DONE\n");
    CHECK(r.status == 1);
    CHECK(r.err.empty());
  }
  SECTION("errnoRet 38") {
    auto profile = write_profile(dir, allowing({rule({"sysinfo"}, Action::errno_, 38)}));
    RunResult r = exec_under(profile, {test_prog("known_calls"), "--extra"});
    CHECK(r.out == "sysinfo=ERR ENOSYS\nknown_calls=DONE\n");
  }
  SECTION("without the rule") {
    auto profile = write_profile(dir, allowing({}));
    RunResult r = exec_under(profile, {test_prog("known_calls"), "--extra"});
    CHECK(r.out == "sysinfo=OK\nknown_calls=DONE\n");
    CHECK(r.status == 0);
  }
}

TEST_CASE("exec: argument conditions", "[exec]") {
  // known_calls --nr N passes zeros as arguments: personality(0) only queries the persona.
  TempDir dir;
  std::string nr = std::to_string(*syscall_number(native_scmp_arch(), "personality"));
  SECTION("denied when arg0 == 0") {
    auto profile = write_profile(
        dir, allowing({rule({"personality"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::eq}})}));
    CHECK(exec_under(profile, {test_prog("known_calls"), "--nr", nr}).out ==
          "nr" + nr + "=ERR EPERM\nknown_calls=DONE\n");
  }
  SECTION("allowed when the condition is arg0 != 0") {
    auto profile = write_profile(
        dir, allowing({rule({"personality"}, Action::errno_, std::nullopt, {{0, 0, 0, Op::ne}})}));
    CHECK(exec_under(profile, {test_prog("known_calls"), "--nr", nr}).out ==
          "nr" + nr + "=OK\nknown_calls=DONE\n");
  }
}

TEST_CASE("exec: runc's ENOSYS above the profile's highest number", "[exec]") {
  TempDir dir;
  auto profile = write_profile(dir, denying());
  SECTION("on by default") {
    RunResult r = exec_under(profile, {test_prog("known_calls"), "--nr", "1000"});
    CHECK(r.out == "nr1000=ERR ENOSYS\nknown_calls=DONE\n");
    CHECK(r.status == 1);
    // Below the highest number, a call the profile does not allow gets the default action.
    CHECK(exec_under(profile, {test_prog("known_calls"), "--extra"}).out ==
          "sysinfo=ERR EPERM\nknown_calls=DONE\n");
  }
  SECTION("--no-runc-enosys") {
    RunResult r =
        exec_under(profile, {test_prog("known_calls"), "--nr", "1000"}, {"--no-runc-enosys"});
    CHECK(r.out == "nr1000=ERR EPERM\nknown_calls=DONE\n");
  }
#if SYSCOPE_HAVE_M32
  SECTION("for 32-bit x86 too") {
    RunResult r = exec_under(profile, {test_prog("known_calls_m32"), "--nr", "1000"});
    CHECK(r.out == "nr1000=ERR ENOSYS\nknown_calls=DONE\n");
    r = exec_under(profile, {test_prog("known_calls_m32"), "--nr", "1000"}, {"--no-runc-enosys"});
    CHECK(r.out == "nr1000=ERR EPERM\nknown_calls=DONE\n");
  }
#endif
}

TEST_CASE("exec: CMD's own flags are CMD's, with or without --", "[exec]") {
  TempDir dir;
  auto profile = write_profile(dir, allowing({rule({"sysinfo"}, Action::errno_, 1)}));
  RunResult r = run({syscope_bin(), "exec", "--profile", profile, test_prog("known_calls"),
                     "--extra", "--nr", "1000"});
  CHECK(r.out == "sysinfo=ERR EPERM\nnr1000=ERR ENOSYS\nknown_calls=DONE\n");
  r = run({syscope_bin(), "exec", "--profile", profile, "--", "/bin/ls", "-l", "-d", "/"});
  CHECK(r.status == 0);
  CHECK(r.out.rfind("d", 0) == 0);  // ls -l's long format, so -l reached ls
}

TEST_CASE("exec: malformed JSON is a usage error with line and column", "[exec]") {
  TempDir dir;
  auto profile = write_text(dir, "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",,\n}\n");
  RunResult r = exec_under(profile, {test_prog("known_calls")});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("syscope: " + profile + ": invalid JSON at line 2, column 37: ", 0) == 0);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
}

TEST_CASE("exec: invalid profiles and missing files exit 2", "[exec]") {
  TempDir dir;
  SECTION("unknown action") {
    auto profile = write_text(dir, R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["sysinfo"], "action": "SCMP_ACT_SOMETIMES"}]})");
    RunResult r = exec_under(profile, {test_prog("known_calls")});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "syscope: " + profile +
                       ": syscalls[0].action: unknown action "
                       "\"SCMP_ACT_SOMETIMES\" (rule for sysinfo)\n");
  }
  SECTION("unknown operator") {
    auto profile = write_text(dir, R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["sysinfo"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_SOMETIMES"}]}]})");
    RunResult r = exec_under(profile, {test_prog("known_calls")});
    CHECK(r.status == 2);
    CHECK(r.err == "syscope: " + profile +
                       ": syscalls[0].args[0].op: unknown operator "
                       "\"SCMP_CMP_SOMETIMES\" (rule for sysinfo)\n");
  }
  SECTION("no such profile") {
    RunResult r = exec_under((dir / "missing.json").string(), {test_prog("known_calls")});
    CHECK(r.status == 2);
    CHECK(r.err.find("missing.json") != std::string::npos);
  }
  SECTION("a FIFO or a device as the profile: refused at once, not read") {
    std::string fifo = (dir / "fifo.json").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);  // nobody writes it: a read would block forever
    RunResult r = exec_under(fifo, {test_prog("known_calls")});
    CHECK(r.status == 2);
    CHECK(r.err == "syscope: " + fifo + ": is a FIFO, not a regular file\n");
    r = exec_under("/dev/zero", {test_prog("known_calls")});
    CHECK(r.status == 2);
    CHECK(r.err == "syscope: /dev/zero: is a character device, not a regular file\n");
  }
}

TEST_CASE("exec: unknown syscall names are warned about and skipped", "[exec]") {
  TempDir dir;
  auto profile =
      write_profile(dir, allowing({rule({"sysinfo", "not_a_syscall"}, Action::errno_, 1)}));
  RunResult r = exec_under(profile, {test_prog("known_calls"), "--extra"});
  CHECK(r.err ==
        "syscope: warning: unknown syscall \"not_a_syscall\" in " + profile + ": skipped\n");
  CHECK(r.out == "sysinfo=ERR EPERM\nknown_calls=DONE\n");
}

TEST_CASE("exec: many unknown syscall names: ten lines and a count", "[exec]") {
  TempDir dir;
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("no_such_call_" + std::to_string(i));
  auto profile = write_profile(dir, allowing({rule(names, Action::errno_, 1)}));
  RunResult r = exec_under(profile, {"/bin/true"});
  CHECK(r.status == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 11);
  CHECK(r.err.find("syscope: warning: 4990 more unknown syscalls in " + profile + ": skipped\n") !=
        std::string::npos);
}

TEST_CASE("exec: a command that is not there or cannot run", "[exec]") {
  TempDir dir;
  auto profile = write_profile(dir, allowing({}));
  RunResult r = exec_under(profile, {"syscope-no-such-command"});
  CHECK(r.status == 127);
  CHECK(r.err == "syscope: syscope-no-such-command: command not found\n");
  r = exec_under(profile, {dir.path().string()});
  CHECK(r.status == 126);
}

TEST_CASE("exec: a profile denying exit_group and exit is warned about, and the death explained",
          "[exec]") {
  TempDir dir;
  // glibc's _exit tries exit_group, then exit, then faults (hlt): CMD dies of SIGSEGV.
  auto profile = write_profile(dir, allowing({rule({"exit_group", "exit"}, Action::errno_)}));
  RunResult r = exec_under(profile, {"/bin/true"});
  CHECK(r.status == 128 + SIGSEGV);
  CHECK(r.err ==
        "syscope: warning: " + profile +
            " denies exit_group (SCMP_ACT_ERRNO), which every process needs to exit, and denies "
            "exit (SCMP_ACT_ERRNO), which every thread needs to end: /bin/true may crash or hang\n"
            "syscope: /bin/true was killed by SIGSEGV; the profile denies exit_group "
            "(SCMP_ACT_ERRNO), which every process needs to exit, and denies exit "
            "(SCMP_ACT_ERRNO), which every thread needs to end: allow them in " +
            profile + "\n");
}

TEST_CASE("exec: a profile that may deny an essential call warns, and CMD's status comes back",
          "[exec]") {
  TempDir dir;
  SECTION("exit_group alone: glibc falls back to exit, a one-thread CMD still exits") {
    auto profile = write_profile(dir, allowing({rule({"exit_group"}, Action::errno_)}));
    RunResult r = exec_under(profile, {"/bin/sh", "-c", "exit 7"});
    CHECK(r.status == 7);
    CHECK(r.err == "syscope: warning: " + profile +
                       " denies exit_group (SCMP_ACT_ERRNO), which every process needs to exit: "
                       "/bin/sh may crash or hang\n");
  }
  SECTION("a rule with conditions on rt_sigreturn, denying by default") {
    Profile p = denying();
    p.syscalls[0].names.erase(
        std::find(p.syscalls[0].names.begin(), p.syscalls[0].names.end(), "rt_sigreturn"));
    p.syscalls.push_back(rule({"rt_sigreturn"}, Action::allow, std::nullopt, {{0, 0, 0, Op::eq}}));
    auto profile = write_profile(dir, p);
    RunResult r = exec_under(profile, {test_prog("known_calls")});
    CHECK(r.status == 0);
    CHECK(r.err == "syscope: warning: " + profile +
                       " may deny rt_sigreturn (SCMP_ACT_ERRNO for some arguments), which every "
                       "signal handler needs to return: " +
                       test_prog("known_calls") + " may crash or hang\n");
  }
}

TEST_CASE("exec: under a profile denying an essential call, a kill reaches CMD unexplained",
          "[exec]") {
  TempDir dir;
  auto profile = write_profile(dir, allowing({rule({"exit_group", "exit"}, Action::errno_)}));
  std::string log = dir / "log";
  pid_t pid =
      spawn_logged({syscope_bin(), "exec", "--profile", profile, "--", "/bin/sleep", "30"}, log);
  // syscope forks CMD; SIGTERM sent to syscope goes on to it. Until then it is blocked, so an
  // early kill is only delayed, not lost.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  std::string err = read_file(log);
  CHECK(err.find("may crash or hang") != std::string::npos);
  CHECK(err.find("was killed") == std::string::npos);  // SIGTERM is no fault of the profile
}

TEST_CASE("exec: unknown keys are warned about, control characters escaped", "[exec]") {
  TempDir dir;
  auto profile = write_text(dir, R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["sysinfo", "na\u001b[31mme\n"], "action": "SCMP_ACT_ERRNO", "errnoret": 38,
       "x\u001b": 1}]})");
  RunResult r = exec_under(profile, {test_prog("known_calls"), "--extra"});
  CHECK(r.out == "sysinfo=ERR ENOSYS\nknown_calls=DONE\n");  // errnoret read as errnoRet
  CHECK(r.err == "syscope: warning: " + profile +
                     ": syscalls[0].errnoret: read as \"errnoRet\", as Docker reads it (it "
                     "ignores the case of keys): write \"errnoRet\"\n"
                     "syscope: warning: " +
                     profile +
                     ": syscalls[0]: unknown key \"x\\x1b\" ignored, as Docker ignores it\n"
                     "syscope: warning: unknown syscall \"na\\x1b[31mme\\n\" in " +
                     profile + ": skipped\n");
}

TEST_CASE("the command line: an unknown command is named, exit 2", "[exec][cli]") {
  RunResult r = run({syscope_bin(), "nosuchsub"});
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: unknown command \"nosuchsub\" (commands: record, exec, audit, lint, "
                 "watch, trace, profile, daemon, status; see syscope --help)\n");
  r = run({syscope_bin(), "profile", "nosuch\x1b"});
  CHECK(r.status == 2);
  CHECK(r.err ==
        "syscope: unknown command \"nosuch\\x1b\" (commands: get, check, explain, verify, convert, "
        "merge, diff, from-trace; see "
        "syscope profile --help)\n");
  r = run({syscope_bin(), "--bogus"});
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: unknown option \"--bogus\" (see syscope --help)\n");
  r = run({syscope_bin()});
  CHECK(r.status == 2);
  CHECK(r.err.find("A subcommand is required") != std::string::npos);
}
