// SPDX-License-Identifier: Apache-2.0
// `syscope trace` end to end: the real trace programs record a known program; `trace show`
// decodes its calls, `profile from-trace` gives what `record` gives, a damaged file still reads
// up to the damage, a trace killed with SIGKILL holds a slow workload's calls up to its last
// second, and a storm's losses are counted, never silent.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
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

RunResult trace_to(const fs::path &file, std::vector<std::string> cmd) {
  std::vector<std::string> argv = {syscope_bin(), "trace", "-o", file.string(), "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

// `syscope trace -- CMD` in the background (stdout and stderr to `log`), for a test to kill with
// SIGKILL. What a killed syscope leaves behind, CMD still running in its cgroup and the cgroup
// itself, is killed and removed when this goes away, as is syscope if it still runs. Meanwhile
// we are a subreaper, so CMD, orphaned, becomes our child and is reaped here, not left to init.
class KilledTrace {
 public:
  KilledTrace(const fs::path &file, std::vector<std::string> cmd, const fs::path &log)
      : log_(log), cgroups_(syscope::cgroup::own_cgroup2_dir()) {
    prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper_);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::vector<std::string> argv = {syscope_bin(), "trace", "-o", file.string(), "--"};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    pid_ = spawn_logged(std::move(argv), log.string());
  }
  ~KilledTrace() {
    kill_syscope();
    // syscope made "<own cgroup>/syscope-trace-<its pid>-<n>" and moved CMD there.
    std::error_code ec;
    std::string prefix = "syscope-trace-" + std::to_string(pid_) + "-";
    for (const auto &entry : fs::directory_iterator(cgroups_, ec)) {
      if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
      std::ofstream(entry.path() / "cgroup.kill") << "1";
      for (int i = 0; i < 250 && !read_file(entry.path() / "cgroup.procs").empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      fs::remove(entry.path(), ec);
    }
    // CMD, adopted when syscope died (this test has no other children): reaped once it is dead.
    for (int i = 0; i < 250; ++i) {
      pid_t pid = waitpid(-1, nullptr, WNOHANG | __WALL);
      if (pid < 0) break;  // ECHILD: none left
      if (pid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    prctl(PR_SET_CHILD_SUBREAPER, was_subreaper_);
  }
  KilledTrace(const KilledTrace &) = delete;
  KilledTrace &operator=(const KilledTrace &) = delete;

  // Waits until the log holds `text`.
  bool wait_for(const std::string &text, double seconds = 20) const {
    for (int i = 0; i < seconds * 50; ++i) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void kill_syscope() {
    if (alive_) kill(pid_, SIGKILL);
    if (alive_) waitpid(pid_, nullptr, 0);
    alive_ = false;
  }
  std::string log() const { return read_file(log_); }

 private:
  fs::path log_;
  std::string cgroups_;
  pid_t pid_ = -1;
  bool alive_ = true;
  int was_subreaper_ = 0;
};

// How many openat calls of `path` `trace show --json` reads back from `file`.
size_t openats_of(const fs::path &file, const std::string &path) {
  auto show = run({syscope_bin(), "trace", "show", "--json", "--syscall", "openat", file.string()});
  size_t n = 0;
  std::istringstream lines(show.out);
  std::string line;
  while (std::getline(lines, line))
    if (nlohmann::json::parse(line).value("path", "") == path) ++n;
  return n;
}

}  // namespace

TEST_CASE("trace -- CMD: show decodes paths, socket addresses, errors, exec and exit", "[trace]") {
  TempDir dir;
  auto traced = trace_to(dir / "t.trace", {test_prog("trace_target")});
  INFO(traced.err);
  REQUIRE(traced.status == 0);
  auto show = run({syscope_bin(), "trace", "show", (dir / "t.trace").string()});
  INFO(show.err);
  REQUIRE(show.status == 0);
  CHECK(show.out.find("\"/etc/hostname\", O_RDONLY|O_CLOEXEC) = ") != std::string::npos);
  CHECK(show.out.find("connect(") != std::string::npos);
  CHECK(show.out.find("{AF_UNIX, \"/tmp/syscope-no-such.sock\"}") != std::string::npos);
  CHECK(show.out.find("= -1 ENOENT") != std::string::npos);
  CHECK(show.out.find("--- exec: /bin/true true from-trace-target ---") != std::string::npos);
  CHECK(show.out.find("exit_group(0) = ?") != std::string::npos);

  auto json = run({syscope_bin(), "trace", "show", "--json", "--syscall", "openat,connect",
                   (dir / "t.trace").string()});
  bool saw_open = false, saw_connect = false;
  std::istringstream lines(json.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "summary") {  // the last line: how much of the file was read
      CHECK(j["complete"] == true);
      continue;
    }
    CHECK((j["syscall"] == "openat" || j["syscall"] == "connect"));
    if (j["syscall"] == "openat" && j.value("path", "") == "/etc/hostname")
      saw_open = j["ret"] >= 0;
    if (j["syscall"] == "connect") saw_connect = j["errno_name"] == "ENOENT";
  }
  CHECK(saw_open);
  CHECK(saw_connect);
}

TEST_CASE("profile from-trace equals record on the same program", "[trace]") {
  TempDir dir;
  REQUIRE(trace_to(dir / "t.trace", {test_prog("trace_target")}).status == 0);
  auto from_trace = run({syscope_bin(), "profile", "from-trace", (dir / "t.trace").string(), "-o",
                         (dir / "from-trace.json").string()});
  INFO(from_trace.err);
  REQUIRE(from_trace.status == 0);
  REQUIRE(run({syscope_bin(), "record", "-o", (dir / "record.json").string(), "--",
               test_prog("trace_target")})
              .status == 0);
  CHECK(allowed_names(dir / "from-trace.json") == allowed_names(dir / "record.json"));
  // exit_group never completes, and is still seen, not just added as every process needs it.
  CHECK(allowed_names(dir / "from-trace.json").count("exit_group"));
  CHECK(from_trace.err.find("also allows exit_group") == std::string::npos);
}

TEST_CASE("a cut or damaged trace reads up to the damage", "[trace]") {
  TempDir dir;
  // Enough calls for several blocks: the writer ends one at least once a second and when full.
  REQUIRE(trace_to(dir / "t.trace",
                   {"/bin/sh", "-c",
                    "for i in 1 2 3; do ls -R /usr/share/doc > /dev/null; sleep 1.1; done"})
              .status == 0);
  auto whole = run({syscope_bin(), "trace", "stats", "--json", (dir / "t.trace").string()});
  REQUIRE(whole.status == 0);
  auto whole_records = nlohmann::json::parse(whole.out)["records"].get<uint64_t>();
  auto size = fs::file_size(dir / "t.trace");

  fs::copy_file(dir / "t.trace", dir / "cut.trace");
  fs::resize_file(dir / "cut.trace", size * 2 / 3);
  auto cut = run({syscope_bin(), "trace", "stats", "--json", (dir / "cut.trace").string()});
  INFO(cut.err);
  REQUIRE(cut.status == 0);
  auto cut_doc = nlohmann::json::parse(cut.out);
  CHECK(cut_doc["records"].get<uint64_t>() > 0);
  CHECK(cut_doc["records"].get<uint64_t>() < whole_records);
  CHECK(cut_doc["stopped_early"].is_string());

  fs::copy_file(dir / "t.trace", dir / "flipped.trace");
  {
    std::fstream f(dir / "flipped.trace", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto flipped = run({syscope_bin(), "trace", "show", (dir / "flipped.trace").string()});
  CHECK(flipped.status == 0);
  CHECK(flipped.err.find(" is damaged: block ") != std::string::npos);

  std::ofstream(dir / "garbage.trace") << "not a trace at all";
  CHECK(run({syscope_bin(), "trace", "show", (dir / "garbage.trace").string()}).status == 2);
}

TEST_CASE("trace -- CMD killed with SIGKILL: a slow workload's calls are in the file", "[trace]") {
  TempDir dir;
  std::string marker = (dir / "marker").string();
  std::ofstream(marker) << "x";
  KilledTrace trace(dir / "k.trace", {test_prog("tick_open"), marker}, dir / "trace.log");
  REQUIRE(trace.wait_for("tick_open: pid "));  // its first open is now
  std::this_thread::sleep_for(std::chrono::seconds(5));
  trace.kill_syscope();
  auto log = trace.log();
  INFO(log);
  // The workload outlives syscope (until the guard kills it): nothing of it ended the trace.
  pid_t workload = std::stoi(log.substr(log.find("tick_open: pid ") + 15));
  REQUIRE(kill(workload, 0) == 0);

  // Opens at 0, 1, 2, 3, 4 s: each block is in the file within a second of its first record.
  CHECK(openats_of(dir / "k.trace", marker) >= 4);
  auto stats = run({syscope_bin(), "trace", "stats", "--json", (dir / "k.trace").string()});
  INFO(stats.err);
  REQUIRE(stats.status == 0);
  CHECK(nlohmann::json::parse(stats.out)["complete"] == false);  // cut off, not closed
}

TEST_CASE("a syscall storm: every call is in the file or counted as dropped", "[trace]") {
  TempDir dir;
  constexpr long kCalls = 3000000;
  auto traced = trace_to(dir / "storm.trace",
                         {test_prog("denier"), "--no-filter", "busy", std::to_string(kCalls)});
  INFO(traced.err);
  REQUIRE(traced.status == 0);
  auto stats = nlohmann::json::parse(
      run({syscope_bin(), "trace", "stats", "--json", (dir / "storm.trace").string()}).out);
  uint64_t getppid = 0;
  for (const auto &s : stats["syscalls"])
    if (s["name"] == "getppid") getppid += s["calls"].get<uint64_t>();
  uint64_t dropped = stats["counters"]["ringbuf_full"].get<uint64_t>();
  CHECK(getppid <= static_cast<uint64_t>(kCalls));
  // No silent gap: what is missing from the file was counted by the kernel.
  CHECK(getppid + dropped >= static_cast<uint64_t>(kCalls));
  WARN("storm: " << getppid << " getppid records, " << dropped << " dropped");
}

TEST_CASE("trace on a filesystem that fills: the errno in one line, every whole block readable",
          "[trace]") {
  TempDir dir;
  fs::create_directory(dir / "small");
  const std::string small = (dir / "small").string();
  REQUIRE(mount("tmpfs", small.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=256k") == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{small};
  const std::string cgroups = syscope::cgroup::own_cgroup2_dir();
  std::set<std::string> before;
  for (const auto &entry : fs::directory_iterator(cgroups)) before.insert(entry.path());

  // ~14000 records, some 700 KiB uncompressed: far more than 256 KiB holds.
  auto traced = trace_to(dir / "small/t.trace",
                         {"/bin/sh", "-c", "for i in $(seq 3000); do cat /etc/hostname; done"});
  INFO(traced.err);
  CHECK(traced.status == 3);
  std::string prefix = "syscope: " + (dir / "small/t.trace").string() +
                       ": cannot write the trace: No space left on device; the file keeps the ";
  // A warning when the trace stops (CMD runs on, syscope waits for it), the error at the end.
  auto last_line = traced.err.find('\n') + 1;
  CHECK(traced.err.rfind("syscope: warning: the trace stopped (" + prefix.substr(9), 0) == 0);
  CHECK(traced.err.find("CMD runs on untraced, and syscope waits for it to end\n") < last_line);
  CHECK(traced.err.compare(last_line, prefix.size(), prefix) == 0);
  CHECK(std::count(traced.err.begin(), traced.err.end(), '\n') == 2);

  // The file ends at its last whole block (the torn one was cut off): read, not damaged.
  auto show = run({syscope_bin(), "trace", "show", "--json", (dir / "small/t.trace").string()});
  INFO(show.err);
  CHECK(show.status == 0);
  auto summary =
      nlohmann::json::parse(show.out.substr(show.out.rfind('\n', show.out.size() - 2) + 1));
  CHECK(summary["type"] == "summary");
  uint64_t kept = std::stoull(traced.err.substr(last_line + prefix.size()));
  CHECK(kept > 1000);
  CHECK(summary["records_read"] == kept);
  CHECK(summary["stopped_early"].is_null());
  CHECK(summary["complete"] == false);
  CHECK(show.err.find("has no end block") != std::string::npos);
  CHECK(
      run({syscope_bin(), "trace", "show", "--strict", (dir / "small/t.trace").string()}).status ==
      1);

  // syscope waited for CMD (its loop ran to the end) and removed its cgroup.
  for (const auto &entry : fs::directory_iterator(cgroups))
    CHECK((before.count(entry.path()) ||
           entry.path().filename().string().rfind("syscope-trace-", 0) != 0));
}
