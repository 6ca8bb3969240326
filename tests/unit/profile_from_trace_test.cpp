// SPDX-License-Identifier: Apache-2.0
// profile from-trace: a command trace gives the names entered (exit_group included, denials
// not), a container trace leaves the runtime's setup out and keeps what was refused refused.
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/profile_from_trace.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "syscope/base/error.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope;
using namespace syscope::trace;
using namespace syscope::cli;  // run_* bodies

namespace {

constexpr uint64_t kWeb = 4242, kDb = 4343, kCmd = 777;

struct Rec {
  uint16_t kind = 0;
  std::string bytes;
  Record view() const { return {kind, bytes}; }
};

template <typename T> Rec kernel_rec(T ev, uint16_t type) {
  ev.hdr.type = type;
  ev.hdr.size = sizeof ev;
  return {type, std::string(reinterpret_cast<const char *>(&ev), sizeof ev)};
}

// One syscall record: `nr` on x86_64 at time `ts` (ns) in cgroup `cg`.
Rec call(uint64_t cg, int32_t nr, uint64_t ts, uint16_t flags = 0, int64_t ret = 0) {
  syscope_syscall_event e{};
  e.hdr.ts_ns = ts;
  e.cgroup_id = cg;
  e.pid = e.tid = 100;
  e.nr = nr;
  e.arch = SYSCOPE_ARCH_NATIVE;
  e.flags = flags;
  e.ret = ret;
  return kernel_rec(e, SYSCOPE_EV_SYSCALL);
}

Rec exec(uint64_t cg, uint64_t ts, const char *filename, const char *argv0) {
  syscope_proc_exec e{};
  e.hdr.ts_ns = ts;
  e.cgroup_id = cg;
  e.pid = e.tid = e.old_tid = 100;
  std::strncpy(e.filename, filename, sizeof e.filename - 1);
  std::strncpy(e.args, argv0, sizeof e.args - 1);
  e.args_len = static_cast<uint16_t>(std::strlen(argv0) + 1);
  return kernel_rec(e, SYSCOPE_EV_PROC_EXEC);
}

Rec container(uint64_t cg, const std::string &name, const std::string &id) {
  return {kRecordContainer, nlohmann::json({{"cgroup_id", cg},
                                            {"runtime", "docker"},
                                            {"id", id},
                                            {"name", name},
                                            {"image", "busybox"},
                                            {"labels", nlohmann::json::object()}})
                                .dump()};
}

int nr(const char *name) {
  auto n = seccomp::syscall_number(seccomp::native_scmp_arch(), name);
  REQUIRE(n);
  return *n;
}

ProfileFromTrace build(const std::vector<Rec> &records, std::optional<std::string> which = {}) {
  TraceProfileBuilder b;
  for (const auto &r : records) b.add(r.view());
  return b.finish(which);
}

std::vector<std::string> allowed(const seccomp::Profile &p) {
  std::vector<std::string> out;
  for (const auto &rule : p.syscalls)
    if (rule.action == seccomp::Action::allow)
      out.insert(out.end(), rule.names.begin(), rule.names.end());
  std::sort(out.begin(), out.end());
  return out;
}

bool allows(const seccomp::Profile &p, const std::string &name) {
  auto names = allowed(p);
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<uint32_t> refused_errno(const seccomp::Profile &p, const std::string &name) {
  for (const auto &rule : p.syscalls)
    if (rule.action == seccomp::Action::errno_ &&
        std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      return rule.errno_ret;
  return std::nullopt;
}

// A command: it opens, reads, execs and exits; a filter it runs under refuses unshare.
std::vector<Rec> command_trace() {
  return {call(kCmd, nr("execve"), 10),
          exec(kCmd, 20, "/usr/bin/cat", "cat"),
          call(kCmd, nr("openat"), 30, 0, 3),
          call(kCmd, nr("read"), 40, 0, 12),
          call(kCmd, nr("close"), 50),
          call(kCmd, nr("unshare"), 60, SYSCOPE_SYSCALL_DENIED | SYSCOPE_SYSCALL_FILTERED, -EPERM),
          call(kCmd, nr("exit_group"), 70, SYSCOPE_SYSCALL_ENTER_ONLY),
          {kRecordCounters, R"({"ringbuf_full":3})"}};
}

// A container under Docker's default: runc's unfiltered setup (mount, pivot_root), its filtered
// gap before execve (capset), then the workload, which is refused unshare.
std::vector<Rec> container_trace() {
  const uint16_t F = SYSCOPE_SYSCALL_FILTERED;
  return {
      call(kWeb, nr("mount"), 10),
      call(kWeb, nr("pivot_root"), 20),
      container(kWeb, "/web", "3f2a9c1b0e7d5a8c9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b"),
      call(kWeb, nr("capset"), 30, F),
      call(kWeb, nr("execve"), 40, F),
      exec(kWeb, 50, "/bin/sh", "sh"),
      call(kWeb, nr("openat"), 60, F, 3),
      call(kWeb, nr("unshare"), 70, F | SYSCOPE_SYSCALL_DENIED, -EPERM),
      call(kWeb, nr("exit_group"), 80, F | SYSCOPE_SYSCALL_ENTER_ONLY)};
}

struct TempPath {
  std::string path;
  TempPath() {
    char name[] = "/tmp/syscope-from-trace.XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
  }
  ~TempPath() { unlink(path.c_str()); }
};

void write_trace(const std::string &path, const std::vector<Rec> &records) {
  FileHeader h;
  h.created_wall_ns = 1714565071ULL * 1'000'000'000;
  TraceWriter w(path, h);
  for (const auto &r : records) {
    if (r.kind >= 100)
      w.add_json(r.kind, nlohmann::json::parse(r.bytes));
    else
      w.add(r.kind, r.bytes.data(), r.bytes.size());
  }
  w.close();
}

}  // namespace

TEST_CASE("a command trace gives exactly the names entered", "[profile_from_trace]") {
  auto result = build(command_trace());
  CHECK_FALSE(result.for_container);
  CHECK(result.label == "cat");
  CHECK(allowed(result.composed.built.profile) ==
        std::vector<std::string>{"close", "execve", "exit", "exit_group", "openat", "read",
                                 "rt_sigreturn"});
  CHECK(result.composed.built.syscall_count == 7);  // with exit and rt_sigreturn, never seen
  CHECK(result.losses.values[SYSCOPE_CNT_RINGBUF_FULL] == 3);
  CHECK(result.seconds == Approx(60e-9));
}

TEST_CASE("a container trace leaves setup out and keeps denials refused", "[profile_from_trace]") {
  auto result = build(container_trace());
  REQUIRE(result.for_container);
  CHECK(result.label == "web 3f2a9c1b0e7d");
  const auto &calls = result.calls;
  CHECK(calls.sets[SYSCOPE_SET_PLAIN_SETUP].contains(SYSCOPE_ARCH_NATIVE, nr("mount")));
  CHECK(calls.sets[SYSCOPE_SET_FILTERED_SETUP].contains(SYSCOPE_ARCH_NATIVE, nr("capset")));
  CHECK(calls.sets[SYSCOPE_SET_FILTERED_SETUP].contains(SYSCOPE_ARCH_NATIVE, nr("execve")));
  CHECK(calls.sets[SYSCOPE_SET_FILTERED].contains(SYSCOPE_ARCH_NATIVE, nr("openat")));
  CHECK(calls.sets[SYSCOPE_SET_FILTERED].contains(SYSCOPE_ARCH_NATIVE, nr("exit_group")));
  CHECK_FALSE(calls.sets[SYSCOPE_SET_FILTERED].contains(SYSCOPE_ARCH_NATIVE, nr("unshare")));
  CHECK(calls.denials.size() == 1);

  const auto &profile = result.composed.built.profile;
  CHECK(result.composed.recorded_under_filter);
  CHECK(allows(profile, "openat"));
  CHECK(allows(profile, "exit_group"));
  CHECK(allows(profile, "capset"));
  CHECK(allows(profile, "execve"));
  CHECK_FALSE(allows(profile, "mount"));
  CHECK_FALSE(allows(profile, "pivot_root"));
  CHECK_FALSE(allows(profile, "unshare"));
  CHECK(refused_errno(profile, "unshare") == EPERM);
}

TEST_CASE("without a filter, the container's calls after its first exec are the workload",
          "[profile_from_trace]") {
  auto result = build({container(kWeb, "web", "abc"), call(kWeb, nr("mount"), 10),
                       call(kWeb, nr("execve"), 20), exec(kWeb, 30, "/bin/sh", "sh"),
                       call(kWeb, nr("openat"), 40), call(kWeb, nr("mount"), 50)});
  CHECK_FALSE(result.composed.recorded_under_filter);
  CHECK(result.calls.sets[SYSCOPE_SET_PLAIN].contains(SYSCOPE_ARCH_NATIVE, nr("openat")));
  CHECK(result.calls.sets[SYSCOPE_SET_PLAIN_SETUP].contains(SYSCOPE_ARCH_NATIVE, nr("mount")));
  // mount again after the exec: the workload called it too.
  CHECK(result.calls.sets[SYSCOPE_SET_PLAIN].contains(SYSCOPE_ARCH_NATIVE, nr("mount")));
  CHECK_FALSE(result.calls.sets[SYSCOPE_SET_PLAIN].contains(SYSCOPE_ARCH_NATIVE, nr("execve")));
  CHECK(allows(result.composed.built.profile, "openat"));
}

TEST_CASE("several containers: one must be named", "[profile_from_trace]") {
  auto records = container_trace();
  records.push_back(container(kDb, "db", "0123456789ab0123456789ab"));
  records.push_back(call(kDb, nr("sysinfo"), 90, SYSCOPE_SYSCALL_FILTERED));
  CHECK_THROWS_AS(build(records), Error);
  CHECK_THROWS_AS(build(records, std::string("cache")), Error);
  auto web = build(records, std::string("web"));
  CHECK(allows(web.composed.built.profile, "exit_group"));
  CHECK_FALSE(allows(web.composed.built.profile, "sysinfo"));
  auto db = build(records, std::string("0123"));
  CHECK(db.label == "db 0123456789ab");
  CHECK(allows(db.composed.built.profile, "sysinfo"));
  // web's exit_group, not in runc's gap, is not db's: db's profile allows it as essential only.
  const auto &added = db.composed.built.added_essentials;
  CHECK(std::find(added.begin(), added.end(), "exit_group") != added.end());
}

TEST_CASE("profile_from_trace reads a written file; run writes the profile",
          "[profile_from_trace]") {
  TempPath trace;
  write_trace(trace.path, command_trace());
  auto result = profile_from_trace(trace.path, std::nullopt);
  CHECK(allowed(result.composed.built.profile) ==
        std::vector<std::string>{"close", "execve", "exit", "exit_group", "openat", "read",
                                 "rt_sigreturn"});
  CHECK_FALSE(result.stopped_early);

  TempPath out;
  CHECK(run_profile_from_trace(trace.path, std::nullopt, out.path, "docker") == 0);
  std::ifstream in(out.path);
  auto json = nlohmann::json::parse(in);
  CHECK(json["defaultAction"] == "SCMP_ACT_ERRNO");
  CHECK(json["syscalls"][0]["names"] ==
        nlohmann::json::array(
            {"close", "execve", "exit", "exit_group", "openat", "read", "rt_sigreturn"}));

  TempPath container_file;
  write_trace(container_file.path, container_trace());
  auto web = profile_from_trace(container_file.path, std::nullopt);
  CHECK(web.for_container);
  CHECK(refused_errno(web.composed.built.profile, "unshare") == EPERM);
}
