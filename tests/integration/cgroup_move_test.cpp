// SPDX-License-Identifier: Apache-2.0
// A CMD that leaves the recording cgroup: `record` and `trace -- CMD` run CMD in a cgroup of its
// own and keep what happens there, so a process of CMD that moves itself to another cgroup (or
// is cloned into one) takes its later calls out of the recording. That must be said, naming the
// process, never left silent; a move into a cgroup CMD creates inside its own loses nothing.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;

namespace {

// A cgroup at the top of the cgroup2 hierarchy, outside syscope's: where CMD moves itself.
// Removed when the guard goes (CMD has exited by then; a zombie may linger a moment).
class OtherCgroup {
 public:
  OtherCgroup()
      : relative_("/syscope-test-move-" + std::to_string(getpid())),
        path_(syscope::cgroup::cgroup2_mount() + relative_) {
    fs::create_directory(path_);
  }
  ~OtherCgroup() {
    for (int i = 0; i < 100 && rmdir(path_.c_str()) != 0 && errno == EBUSY; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  OtherCgroup(const OtherCgroup &) = delete;
  OtherCgroup &operator=(const OtherCgroup &) = delete;
  const std::string &relative() const { return relative_; }  // as the kernel names it
  const std::string &path() const { return path_; }

 private:
  std::string relative_, path_;
};

// A shell that prints its pid, writes 0 (itself) to `procs` (a cgroup.procs file), then becomes
// known_calls --extra, whose sysinfo is made only after the move.
std::vector<std::string> move_then_sysinfo(const std::string &procs) {
  return {"/bin/sh", "-c",
          "echo $$; echo 0 > " + procs + " && exec " + test_prog("known_calls") + " --extra"};
}

// The same into a child cgroup the shell creates in its own (the recording) cgroup, removed
// again once known_calls is done.
std::vector<std::string> move_into_child_then_sysinfo() {
  return {"/bin/sh", "-c",
          "cg=" + syscope::cgroup::cgroup2_mount() +
              "$(sed -n 's/^0:://p' /proc/self/cgroup)/sub; mkdir $cg && (echo 0 > $cg/"
              "cgroup.procs && exec " +
              test_prog("known_calls") + " --extra); s=$?; rmdir $cg || s=99; exit $s"};
}

RunResult run_syscope(const std::vector<std::string> &args, const std::vector<std::string> &cmd) {
  std::vector<std::string> argv = {syscope_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

std::string first_line(const std::string &text) { return text.substr(0, text.find('\n')); }

std::string warning(const std::string &pid, const std::string &comm, const std::string &where,
                    const std::string &recording) {
  return "syscope: warning: 1 process left the recording cgroup (pid " + pid + " " + comm +
         " moved to " + where + "): its later syscalls are not in the " + recording + "\n";
}

nlohmann::json trace_stats(const fs::path &file) {
  auto stats = run({syscope_bin(), "trace", "stats", "--json", file.string()});
  INFO(stats.err);
  REQUIRE(stats.status == 0);
  return nlohmann::json::parse(stats.out);
}

bool traced_call(const nlohmann::json &stats, const std::string &name) {
  for (const auto &s : stats["syscalls"])
    if (s["name"] == name) return true;
  return false;
}

}  // namespace

TEST_CASE("record warns, naming the process, when CMD moves itself out of its cgroup",
          "[record][cgroup_move]") {
  auto store = GENERATE(as<std::string>{}, "cgroup-storage", "hash");
  CAPTURE(store);
  TempDir dir;
  OtherCgroup other;
  auto result = run_syscope({"record", "-o", dir.file("p.json"), "--bitmap-store", store},
                            move_then_sysinfo(other.path() + "/cgroup.procs"));
  INFO(result.out << result.err);
  REQUIRE(result.status == 0);
  std::string pid = first_line(result.out);
  CHECK(result.err.find(warning(pid, "sh", other.relative(), "profile")) != std::string::npos);
  // The summary counts it with the kernel's other losses.
  CHECK(result.err.find("1 processes moved out of the recorded cgroup") != std::string::npos);
  // What the warning is about: the call made after the move is not in the profile.
  auto names = allowed_names(dir / "p.json");
  CHECK(names.count("sysinfo") == 0);
  CHECK(names.count("write") == 1);  // the shell's, up to the move
}

TEST_CASE("record says nothing of a move when CMD stays in its cgroup", "[record][cgroup_move]") {
  TempDir dir;
  auto result =
      run_syscope({"record", "-o", dir.file("p.json")},
                  {"/bin/sh", "-c", "echo $$; exec " + test_prog("known_calls") + " --extra"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  CHECK(result.err.find("left the recording cgroup") == std::string::npos);
  CHECK(result.err.find("moved out") == std::string::npos);
  CHECK(allowed_names(dir / "p.json").count("sysinfo") == 1);
}

TEST_CASE("record keeps the calls of a cgroup CMD creates inside its own, without a warning",
          "[record][cgroup_move]") {
  auto store = GENERATE(as<std::string>{}, "cgroup-storage", "hash");
  CAPTURE(store);
  TempDir dir;
  auto result = run_syscope({"record", "-o", dir.file("p.json"), "--bitmap-store", store},
                            move_into_child_then_sysinfo());
  INFO(result.out << result.err);
  REQUIRE(result.status == 0);
  CHECK(result.err.find("left the recording cgroup") == std::string::npos);
  auto names = allowed_names(dir / "p.json");
  CHECK(names.count("sysinfo") == 1);  // made only in the child cgroup
  CHECK(names.count("getppid") == 1);
  CHECK(names.count("mkdir") == 1);  // the shell's, in the recording cgroup itself
}

TEST_CASE("record warns of a child cloned into another cgroup (clone3 CLONE_INTO_CGROUP)",
          "[record][cgroup_move]") {
  TempDir dir;
  OtherCgroup other;
  auto result = run_syscope(
      {"record", "-o", dir.file("p.json")},
      {test_prog("clone_into_cgroup"), other.path(), test_prog("known_calls"), "--extra"});
  INFO(result.out << result.err);
  REQUIRE(result.status == 0);
  auto at = result.out.find("child=");
  REQUIRE(at != std::string::npos);
  std::string pid = first_line(result.out.substr(at + 6));
  // The child's comm is its parent's until it execs.
  CHECK(result.err.find(warning(pid, "clone_into_cgro", other.relative(), "profile")) !=
        std::string::npos);
  CHECK(allowed_names(dir / "p.json").count("sysinfo") == 0);
}

TEST_CASE("trace -- CMD warns when CMD moves itself out, and the trace counts it",
          "[trace][cgroup_move]") {
  TempDir dir;
  OtherCgroup other;
  auto result = run_syscope({"trace", "-o", dir.file("t.trace")},
                            move_then_sysinfo(other.path() + "/cgroup.procs"));
  INFO(result.out << result.err);
  REQUIRE(result.status == 0);
  std::string pid = first_line(result.out);
  CHECK(result.err.find(warning(pid, "sh", other.relative(), "trace")) != std::string::npos);
  auto stats = trace_stats(dir / "t.trace");
  CHECK(stats["counters"]["cgroup_left"] == 1);
  CHECK(traced_call(stats, "write"));
  CHECK_FALSE(traced_call(stats, "sysinfo"));
}

TEST_CASE("trace -- CMD: no warning without a move, nor for a move into a child cgroup",
          "[trace][cgroup_move]") {
  TempDir dir;
  bool into_child = GENERATE(false, true);
  CAPTURE(into_child);
  auto result =
      run_syscope({"trace", "-o", dir.file("t.trace")},
                  into_child ? move_into_child_then_sysinfo()
                             : std::vector<std::string>{test_prog("known_calls"), "--extra"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  CHECK(result.err.find("left the recording cgroup") == std::string::npos);
  auto stats = trace_stats(dir / "t.trace");
  CHECK(stats["counters"]["cgroup_left"] == 0);
  CHECK(traced_call(stats, "sysinfo"));
}
