// SPDX-License-Identifier: Apache-2.0
// `syscope record` end to end: the real BPF programs in the real kernel watch known_calls, and
// the profile they produce must hold what it did, nothing it did not do, and work under exec.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;

namespace {

syscope::seccomp::Profile load(const fs::path &path) {
  return syscope::seccomp::load_docker_profile(path.string());
}

std::vector<std::string> allowed_names(const syscope::seccomp::Profile &profile) {
  std::vector<std::string> names;
  for (const auto &rule : profile.syscalls)
    if (rule.action == syscope::seccomp::Action::allow)
      names.insert(names.end(), rule.names.begin(), rule.names.end());
  return names;
}

bool has(const std::vector<std::string> &items, const std::string &item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// Cgroups that record left behind: "syscope-record-<pid>-<n>" whose syscope is gone. (A live
// syscope of a concurrent run elsewhere on the machine is not a leak.)
std::vector<std::string> stray_record_cgroups() {
  std::vector<std::string> stray;
  std::string root = syscope::cgroup::own_cgroup2_dir();
  for (const auto &entry :
       fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("syscope-record-", 0) != 0) continue;
    std::string pid = name.substr(15, name.find('-', 15) - 15);
    if (!fs::exists("/proc/" + pid)) stray.push_back(entry.path());
  }
  return stray;
}

// True once a process in a live record cgroup is blocked in clock_nanosleep (/proc/<pid>/syscall
// starts with the number of the call a task is blocked in).
bool recorded_process_sleeps() {
  std::string root = syscope::cgroup::own_cgroup2_dir();
  auto nanosleep_nr = std::to_string(SYS_clock_nanosleep);
  for (const auto &entry : fs::directory_iterator(root)) {
    if (entry.path().filename().string().rfind("syscope-record-", 0) != 0) continue;
    std::istringstream procs(read_file(entry.path() / "cgroup.procs"));
    std::string pid;
    while (procs >> pid)
      if (read_file("/proc/" + pid + "/syscall").rfind(nanosleep_nr + " ", 0) == 0) return true;
  }
  return false;
}

RunResult record(const fs::path &out, std::vector<std::string> cmd,
                 std::vector<std::string> opts = {}) {
  std::vector<std::string> argv = {syscope_bin(), "record", "-o", out.string()};
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

}  // namespace

TEST_CASE("record holds the calls of threads and forked children, and nothing else", "[record]") {
  auto store = GENERATE(as<std::string>{}, "cgroup-storage", "hash");
  auto where = GENERATE(as<std::string>{}, "--thread-only", "--child-only");
  CAPTURE(store, where);
  TempDir dir;
  // Names only (--no-args), in one sorted rule: the hash store keeps no arguments anyway.
  auto result = record(dir / "p.json", {test_prog("known_calls"), where},
                       {"--bitmap-store", store, "--no-args"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  auto names = allowed_names(load(dir / "p.json"));
  CHECK(has(names, "getppid"));  // made only by the thread or only by the forked child
  CHECK(has(names, "execve"));
  CHECK(has(names, "exit_group"));
  CHECK(result.err.find("also allows exit_group") == std::string::npos);  // seen, not just added
  CHECK(has(names, where == "--thread-only" ? "clone3" : "wait4"));
  for (const char *never : {"reboot", "kexec_load", "ptrace", "sysinfo", "unshare", "mount"})
    CHECK_FALSE(has(names, never));
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(load(dir / "p.json").default_action == syscope::seccomp::Action::errno_);
  CHECK(load(dir / "p.json").architectures == std::vector<std::string>{"SCMP_ARCH_X86_64"});
  CHECK(result.err.find("syscalls (SCMP_ARCH_X86_64)") != std::string::npos);
  CHECK(stray_record_cgroups().empty());
}

TEST_CASE("a recorded profile runs its program under exec and denies one extra call", "[record]") {
  TempDir dir;
  REQUIRE(record(dir / "p.json", {test_prog("known_calls")}).status == 0);
  auto same = run({syscope_bin(), "exec", "--profile", (dir / "p.json").string(), "--",
                   test_prog("known_calls")});
  INFO(same.err);
  CHECK(same.status == 0);
  auto extra = run({syscope_bin(), "exec", "--profile", (dir / "p.json").string(), "--",
                    test_prog("known_calls"), "--extra"});
  CHECK(extra.out.find("sysinfo=ERR EPERM") != std::string::npos);
  CHECK(extra.status == 1);
}

TEST_CASE("32-bit calls are recorded under SCMP_ARCH_X86 and their profile works",
          "[record][m32]") {
  if (!SYSCOPE_HAVE_M32) {
    WARN("gcc -m32 does not work here (install gcc-multilib): no 32-bit test program");
    return;
  }
  TempDir dir;
  auto result = record(dir / "p.json", {test_prog("known_calls_m32")});
  INFO(result.err);
  REQUIRE(result.status == 0);
  auto profile = load(dir / "p.json");
  // The execve that starts it is a 64-bit call; everything after it is compat.
  CHECK(profile.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
  auto names = allowed_names(profile);
  CHECK(has(names, "getppid"));
  CHECK(has(names, "set_thread_area"));  // i386 TLS setup; x86_64 uses arch_prctl
  CHECK_FALSE(has(names, "sysinfo"));
  CHECK(run({syscope_bin(), "exec", "--profile", (dir / "p.json").string(), "--",
             test_prog("known_calls_m32")})
            .status == 0);
  auto extra = run({syscope_bin(), "exec", "--profile", (dir / "p.json").string(), "--",
                    test_prog("known_calls_m32"), "--extra"});
  CHECK(extra.out.find("sysinfo=ERR EPERM") != std::string::npos);
}

TEST_CASE("record waits for descendants that outlive the command", "[record]") {
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  // The shell exits at once; its orphaned background sleep must still be waited for.
  auto result = record(dir / "p.json", {"/bin/sh", "-c", "/bin/sleep 0.4 & exit 5"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(result.err);
  CHECK(result.status == 5);  // CMD's own status, as time and strace report it
  CHECK(seconds >= 0.4);
  CHECK(has(allowed_names(load(dir / "p.json")), "clock_nanosleep"));
  CHECK(stray_record_cgroups().empty());
}

TEST_CASE("record fails cleanly before CMD runs", "[record]") {
  TempDir dir;
  fs::path marker = dir / "marker";
  SECTION("unwritable output: exit 2, CMD never ran") {
    auto result = record("/nonexistent-dir/p.json", {"/usr/bin/touch", marker.string()});
    CHECK(result.status == 2);
    CHECK_FALSE(fs::exists(marker));
    CHECK(result.err.find("/nonexistent-dir/p.json") != std::string::npos);
  }
  SECTION("command not found: exit 127, no profile") {
    auto result = record(dir / "p.json", {"no-such-command-xyz"});
    CHECK(result.status == 127);
    CHECK(result.err.find("no-such-command-xyz: command not found") != std::string::npos);
  }
  SECTION("bad flag: exit 2") {
    CHECK(run({syscope_bin(), "record", "--format", "yaml", "--", "/bin/true"}).status == 2);
  }
  CHECK_FALSE(fs::exists(dir / "p.json"));
  CHECK(fs::directory_iterator(dir.path()) == fs::directory_iterator());  // no temp files either
  CHECK(stray_record_cgroups().empty());
}

TEST_CASE("record passes on a kill to CMD and still writes the profile", "[record]") {
  TempDir dir;
  std::string out = (dir / "p.json").string();
  pid_t pid = fork();
  if (pid == 0) {
    execl(syscope_bin().c_str(), "syscope", "record", "-o", out.c_str(), "--", "/bin/sleep", "30",
          static_cast<char *>(nullptr));
    _exit(126);
  }
  // Wait until sleep sleeps inside the recorded cgroup, then stop syscope as a supervisor would.
  for (int i = 0; i < 1000 && !recorded_process_sleeps(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);  // sleep died of the forwarded SIGTERM
  CHECK(has(allowed_names(load(out)), "clock_nanosleep"));
  CHECK(stray_record_cgroups().empty());
}
