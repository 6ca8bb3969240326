// SPDX-License-Identifier: Apache-2.0
// `record -- CMD` and `trace -- CMD` killed with SIGKILL: CMD and its descendants go with syscope
// (its watcher kills CMD's cgroup and removes it), and the next run removes the cgroups that
// killed runs left, saying so in one line, while leaving a live run's alone.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "syscope/containers/cgroup_owner.hpp"
#include "syscope/containers/mountinfo.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// While it lives, this test process is a subreaper: orphans come to it, not to pid 1, and are
// reaped here, so a dead process is seen gone rather than a zombie nobody waits for.
class Subreaper {
 public:
  Subreaper() {
    prctl(PR_GET_CHILD_SUBREAPER, &was_);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  ~Subreaper() {
    reap();
    prctl(PR_SET_CHILD_SUBREAPER, was_);
  }
  static void reap() {
    while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
    }
  }

 private:
  int was_ = 0;
};

bool gone(pid_t pid) {
  Subreaper::reap();
  return !syscope::cgroup::process_start_ticks(pid).has_value();  // no such pid, or a zombie
}

template <typename Pred> bool within(std::chrono::milliseconds limit, Pred pred) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(20ms))
    if (pred()) return true;
  return pred();
}

std::vector<pid_t> procs_of(const fs::path &cgroup) {
  std::vector<pid_t> pids;
  std::istringstream in(read_file(cgroup / "cgroup.procs"));
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

// The cgroup syscope `pid` made for CMD ("<prefix>-<pid>-<start>-<n>" beside us), once it exists.
fs::path cgroup_of(const std::string &prefix, pid_t pid) {
  fs::path found;
  within(30s, [&] {
    for (const auto &entry : fs::directory_iterator(syscope::cgroup::own_cgroup2_dir()))
      if (entry.path().filename().string().rfind(prefix + "-" + std::to_string(pid) + "-", 0) == 0)
        found = entry.path();
    return !found.empty();
  });
  return found;
}

// Kills whatever a failed test leaves in `cgroup` and removes it.
struct CgroupGuard {
  fs::path path;
  ~CgroupGuard() {
    if (path.empty() || !fs::exists(path)) return;
    std::ofstream(path / "cgroup.kill") << "1";
    within(5s, [&] { return procs_of(path).empty(); });
    std::error_code ec;
    fs::remove(path, ec);
  }
};

// Runs `syscope <args> -- sh -c 'sleep 1000 & sleep 1000'`, waits until CMD and its child run in
// the cgroup, kills syscope with SIGKILL, and checks that both and the cgroup are gone.
void kill_run_and_check(std::vector<std::string> args, const std::string &prefix) {
  TempDir dir;
  Subreaper subreaper;
  std::vector<std::string> argv = {syscope_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  for (std::string a : {"--", "/bin/sh", "-c", "sleep 1000 & sleep 1000"}) argv.push_back(a);
  pid_t syscope = spawn_logged(argv, dir.file("log"));
  CgroupGuard guard{cgroup_of(prefix, syscope)};
  INFO(read_file(dir / "log"));
  REQUIRE_FALSE(guard.path.empty());
  // Both sleeps run (and sh, unless it exec'd the last one): CMD and a grandchild of syscope.
  std::vector<pid_t> cmd;
  REQUIRE(within(20s, [&] {
    cmd = procs_of(guard.path);
    return std::count_if(cmd.begin(), cmd.end(), [](pid_t pid) {
             return read_file("/proc/" + std::to_string(pid) + "/comm") == "sleep\n";
           }) == 2;
  }));

  kill(syscope, SIGKILL);
  waitpid(syscope, nullptr, 0);
  for (pid_t pid : cmd) {
    CAPTURE(pid);
    CHECK(within(3s, [&] { return gone(pid); }));
  }
  CHECK(within(3s, [&] { return !fs::exists(guard.path); }));
}

}  // namespace

TEST_CASE("record -- CMD killed with SIGKILL: CMD, its child and its cgroup go too", "[killed]") {
  TempDir out;
  kill_run_and_check({"record", "-o", out.file("p.json")}, "syscope-record");
  CHECK(fs::is_empty(out.path()));  // no profile, and the reserved temp file is gone
}

TEST_CASE("trace -- CMD killed with SIGKILL: CMD, its child and its cgroup go too", "[killed]") {
  TempDir out;
  kill_run_and_check({"trace", "-o", out.file("t.trace")}, "syscope-trace");
}

TEST_CASE("the next run removes the cgroups killed runs left, in one line, and no live one's",
          "[killed]") {
  Subreaper subreaper;
  std::string parent = syscope::cgroup::own_cgroup2_dir();
  // A pid that is surely dead: a child that exited and was reaped.
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  auto own_start = *syscope::cgroup::process_start_ticks(getpid());
  auto name = [](const std::string &prefix, pid_t pid, uint64_t start) {
    return prefix + "-" + std::to_string(pid) + "-" + std::to_string(start) + "-0";
  };
  CgroupGuard empty_dead{parent + "/" + name("syscope-record", dead, 4242)};
  // Our own pid, but another start time: the pid was reused, the owner is gone.
  CgroupGuard reused{parent + "/" + name("syscope-trace", getpid(), own_start + 1)};
  CgroupGuard populated{parent + "/" + name("syscope-trace", dead, 4343)};
  CgroupGuard live{parent + "/" + name("syscope-record", getpid(), own_start)};  // ours: alive
  // Names from before start times were recorded: only a missing pid proves the owner gone.
  CgroupGuard legacy_dead{parent + "/syscope-record-" + std::to_string(dead) + "-7"};
  CgroupGuard legacy_live{parent + "/syscope-record-" + std::to_string(getpid()) + "-7"};
  for (const auto *g : {&empty_dead, &reused, &populated, &legacy_dead, &live, &legacy_live})
    REQUIRE(fs::create_directory(g->path));
  // The CMD of a run killed together with its watcher, still running.
  pid_t left_running = fork();
  if (left_running == 0) {
    execl("/bin/sleep", "sleep", "1000", nullptr);
    _exit(127);
  }
  std::ofstream(populated.path / "cgroup.procs") << left_running;
  REQUIRE(procs_of(populated.path) == std::vector<pid_t>{left_running});

  TempDir out;
  auto first = run({syscope_bin(), "record", "-o", out.file("p.json"), "--", "/bin/true"});
  INFO(first.err);
  CHECK(first.status == 0);
  std::string expected = "syscope: removed 4 stray cgroups left by syscope runs that were killed: ";
  CHECK(first.err.rfind(expected, 0) == 0);
  std::string line = first.err.substr(0, first.err.find('\n'));
  for (const auto *g : {&empty_dead, &reused, &populated, &legacy_dead}) {
    CHECK(line.find(g->path.filename().string()) != std::string::npos);
    CHECK_FALSE(fs::exists(g->path));
  }
  CHECK(line.find("; killed 1 process still in them") != std::string::npos);
  CHECK(within(3s, [&] { return gone(left_running); }));
  CHECK(fs::exists(live.path));
  CHECK(fs::exists(legacy_live.path));

  // Said once: the next run has nothing to remove.
  auto second = run({syscope_bin(), "trace", "-o", out.file("t.trace"), "--", "/bin/true"});
  INFO(second.err);
  CHECK(second.status == 0);
  CHECK(second.err.find("stray") == std::string::npos);
}

namespace {

// Our children named syscope-watch: a watcher comes to us (a subreaper) once it is orphaned.
std::vector<pid_t> our_watchers() {
  std::vector<pid_t> found;
  for (const auto &entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = read_file(entry.path() / "stat");
    auto paren = stat.rfind(')');
    if (paren == std::string::npos || stat.find("(syscope-watch)") == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 2));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == getpid() && state != "Z") found.push_back(std::stoi(name));
  }
  return found;
}

}  // namespace

TEST_CASE("the watcher holds only a pidfd and its socket, and leaves with a normal end",
          "[killed]") {
  Subreaper subreaper;
  TempDir dir;
  pid_t syscope =
      spawn_logged({syscope_bin(), "record", "-o", dir.file("p.json"), "--", "/bin/sleep", "2"},
                   dir.file("log"));
  std::vector<pid_t> watchers;
  REQUIRE(within(20s, [&] { return (watchers = our_watchers()).size() == 1; }));
  fs::path proc = "/proc/" + std::to_string(watchers[0]);
  std::vector<std::string> fds;
  for (const auto &fd : fs::directory_iterator(proc / "fd"))
    fds.push_back(fd.path().filename().string() + " " + fs::read_symlink(fd.path()).string());
  std::sort(fds.begin(), fds.end());
  INFO(read_file(dir / "log"));
  REQUIRE(fds.size() == 5);
  CHECK(fds[0] == "0 /dev/null");
  CHECK(fds[1] == "1 /dev/null");
  CHECK(fds[2] == "2 /dev/null");
  CHECK(fds[3] == "3 anon_inode:[pidfd]");
  CHECK(fds[4].rfind("4 socket:", 0) == 0);
  CHECK(fs::read_symlink(proc / "cwd") == "/");  // holds no mount busy

  int status = 0;
  REQUIRE(waitpid(syscope, &status, 0) == syscope);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // Told goodbye, it exits at once; the profile is there.
  CHECK(within(2s, [&] {
    Subreaper::reap();
    return our_watchers().empty();
  }));
  CHECK(fs::exists(dir / "p.json"));
}

TEST_CASE("an output path cannot make the watcher kill another cgroup", "[killed]") {
  Subreaper subreaper;
  TempDir dir;
  // A bystander: a cgroup of its own with a process in it.
  std::string parent = syscope::cgroup::own_cgroup2_dir();
  CgroupGuard victim{parent + "/.victim-" + std::to_string(getpid())};
  REQUIRE(fs::create_directory(victim.path));
  pid_t bystander = fork();
  if (bystander == 0) {
    execl("/bin/sleep", "sleep", "1000", nullptr);
    _exit(127);
  }
  std::ofstream(victim.path / "cgroup.procs") << bystander;
  // The temp file is "<dir>/.<name>.XXXXXX": with directories named so, its path reads, line by
  // line, "discard <dir>/a", "guard <parent>/.victim-<pid>", "b.XXXXXX". A newline in a path must
  // not make another message.
  fs::create_directories(dir.file("a\nguard " + parent));
  std::string output =
      dir.file("a\nguard " + parent + "/victim-" + std::to_string(getpid()) + "\nb");
  pid_t syscope = spawn_logged({syscope_bin(), "record", "-o", output, "--", "/bin/sleep", "1000"},
                               dir.file("log"));
  CgroupGuard guard{cgroup_of("syscope-record", syscope)};
  REQUIRE_FALSE(guard.path.empty());
  std::vector<pid_t> cmd;
  REQUIRE(within(20s, [&] { return (cmd = procs_of(guard.path)).size() == 1; }));
  kill(syscope, SIGKILL);
  waitpid(syscope, nullptr, 0);
  CHECK(within(3s, [&] { return gone(cmd[0]); }));
  CHECK(within(3s, [&] { return !fs::exists(guard.path); }));
  std::this_thread::sleep_for(200ms);
  CHECK_FALSE(gone(bystander));
  // The temp file, named after that path, was removed.
  CHECK(fs::is_empty(dir.file("a\nguard " + parent)));
}
