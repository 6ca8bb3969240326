// SPDX-License-Identifier: Apache-2.0
// `syscope trace stats` on a synthetic trace: a container and a host process, calls that
// succeed, fail, are denied or never return, the last loss counters, and a damaged file.
#include <catch2/catch.hpp>

#include <cerrno>
#include <iostream>
#include <sstream>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/trace/trace_stats.hpp"
#include "trace_records.hpp"

using namespace syscope;
using namespace syscope::trace;
using namespace syscope::cli;  // run_* bodies
using namespace trace_test;

namespace {

const uint64_t kWeb = 5001, kHost = 77;
const uint64_t kT0 = 10'000'000'000;  // boot time of the first record

int nr(const char *name) {
  auto n = seccomp::syscall_number(seccomp::native_scmp_arch(), name);
  REQUIRE(n);
  return *n;
}

template <typename T> void add(TraceWriter &w, const T &ev) { w.add(ev.hdr.type, &ev, sizeof ev); }
void add(TraceWriter &w, const SyscallRecord &r) { w.add(SYSCOPE_EV_SYSCALL, &r, r.size()); }

// Returns the file size after the first block.
uint64_t write_sample(const std::string &path) {
  FileHeader h;
  h.syscope_version = "0.1.0";
  h.hostname = "forensics-1";
  h.kernel_release = "6.1.0-18-amd64";
  h.machine = "x86_64";
  h.boot_to_wall_ns = 1714565071LL * 1'000'000'000 - 10'000'000'000;  // kT0: 12:04:31 UTC
  h.created_wall_ns = 1714565071ULL * 1'000'000'000;
  TraceWriter w(path, h, {0, true, false});
  w.add_json(kRecordContainer, {{"cgroup_id", kWeb},
                                {"runtime", "docker"},
                                {"id", "3f2a9c1b0e7d5a8c9b1d2e3f4a5b6c7d"},
                                {"name", "web"},
                                {"image", "nginx:1.25"},
                                {"labels", nlohmann::json::object()}});
  w.add_json(kRecordCounters, {{"ringbuf_full", 0}});
  add(w, proc_fork(kT0, kWeb, 4100, 4121));
  static const char argv[] = "nginx";
  add(w, proc_exec(kT0 + 1000, kWeb, 4121, "/usr/sbin/nginx", argv, sizeof argv));
  for (int i = 0; i < 3; ++i)
    add(w, with_path(syscall_record(kT0 + 2000 + i, kWeb, 4121, 4121, nr("openat"), 3 + i),
                     "/etc/nginx/nginx.conf"));
  add(w, with_path(syscall_record(kT0 + 3000, kWeb, 4121, 4122, nr("openat"), -ENOENT), "/nope"));
  add(w,
      syscall_record(kT0 + 4000, kWeb, 4121, 4121, nr("unshare"), -EPERM, SYSCOPE_SYSCALL_DENIED));
  w.flush();
  uint64_t first_block_end = w.bytes_written();
  add(w, denial(kT0 + 5000, kWeb, 4121, "nginx", nr("mount"), SYSCOPE_ACTION_KILL_PROCESS, 31));
  add(w, syscall_record(kT0 + 6000, kWeb, 4121, 4121, nr("exit_group"), 0,
                        SYSCOPE_SYSCALL_ENTER_ONLY));
  add(w, proc_exit(kT0 + 6000, kWeb, 4121, 0));
  add(w, with_lost_path(syscall_record(kT0 + 7000, kHost, 900, 900, nr("openat"), 4)));
  add(w, syscall_record(kT0 + 2'500'000'000, kHost, 900, 900, nr("getpid"), 900));
  w.add_json(kRecordCounters, {{"ringbuf_full", 3}, {"user_read", 1}, {"cgroup_full", 0}});
  w.add_json(kRecordNote, {{"text", "stopped: --duration reached"}});
  w.close();
  return first_block_end;
}

}  // namespace

TEST_CASE("trace stats: per container, process and syscall", "[trace]") {
  TempDir dir;
  write_sample(dir.file("t.trace"));
  TraceReader reader(dir.file("t.trace"));
  TraceStats st = collect_stats(reader);

  CHECK(st.total.calls == 8);
  CHECK(st.total.errors == 1);   // openat ENOENT; the denied unshare counts as a denial only
  CHECK(st.total.denials == 2);  // unshare (DENIED flag) and the mount denial record
  CHECK(st.enter_only == 1);
  CHECK(st.data_lost == 1);
  CHECK(st.forks == 1);
  CHECK(st.execs == 1);
  CHECK(st.exits == 1);
  CHECK(st.drops == 4);  // the last counters record, not the first
  CHECK(st.complete);
  CHECK_FALSE(st.stopped_early);
  REQUIRE(st.notes.size() == 1);

  REQUIRE(st.groups.size() == 2);
  CHECK(st.groups[0].label == "web (3f2a9c1b0e7d, nginx:1.25)");
  CHECK(st.groups[0].counts.calls == 6);
  CHECK(st.groups[0].counts.denials == 2);
  CHECK(st.groups[0].processes == 1);
  CHECK(st.groups[1].label == "host");
  CHECK(st.groups[1].counts.calls == 2);

  REQUIRE(st.processes.size() == 2);
  CHECK(st.processes[0].pid == 4121);
  CHECK(st.processes[0].comm == "nginx");
  CHECK(st.processes[0].group == "web (3f2a9c1b0e7d, nginx:1.25)");
  CHECK(st.processes[1].pid == 900);
  CHECK(st.processes[1].comm.empty());

  REQUIRE(st.syscalls.size() >= 5);
  CHECK(st.syscalls[0].name == "openat");
  CHECK(st.syscalls[0].counts.calls == 5);
  CHECK(st.syscalls[0].counts.errors == 1);
  bool mount_seen = false;
  for (const auto &s : st.syscalls)
    if (s.name == "mount") {
      mount_seen = true;
      CHECK(s.counts.calls == 0);
      CHECK(s.counts.denials == 1);
    }
  CHECK(mount_seen);

  std::string text = format_stats_text(st, "t.trace");
  INFO(text);
  CHECK(text.find("t.trace: trace of forensics-1 (6.1.0-18-amd64 x86_64) by syscope 0.1.0, "
                  "started 2024-05-01T12:04:31.000000Z\n") == 0);
  CHECK(text.find("from 2024-05-01T12:04:31.000000Z to 2024-05-01T12:04:33.500000Z") !=
        std::string::npos);
  CHECK(text.find("syscalls: 8, errors: 1, denials: 2, never returned: 1\n") != std::string::npos);
  CHECK(text.find("drops: 4 (ringbuf_full 3, user_read 1)\n") != std::string::npos);
  CHECK(text.find("note: stopped: --duration reached\n") != std::string::npos);
  CHECK(text.find("stopped early") == std::string::npos);
  CHECK(text.find("web (3f2a9c1b0e7d, nginx:1.25)          1         6       1        2") !=
        std::string::npos);

  auto j = stats_json(st, "t.trace");
  CHECK(j["total"]["calls"] == 8);
  CHECK(j["drops"] == 4);
  CHECK(j["containers"][0]["name"] == "web");
  CHECK(j["containers"][0]["cgroup_ids"][0] == kWeb);
  CHECK(j["containers"][1]["id"].is_null());
  CHECK(j["processes"][0]["comm"] == "nginx");
  CHECK(j["syscalls"][0]["name"] == "openat");
  CHECK(j["stopped_early"].is_null());
}

TEST_CASE("trace stats on a damaged file: counts what came before, says where", "[trace]") {
  TempDir dir;
  uint64_t first_block_end = write_sample(dir.file("t.trace"));
  std::string bytes = slurp(dir.file("t.trace"));
  spit(dir.file("cut.trace"), bytes.substr(0, first_block_end + 40));

  std::ostringstream captured;
  auto *old = std::cout.rdbuf(captured.rdbuf());
  int rc = run_trace_stats(dir.file("cut.trace"), false);
  std::cout.rdbuf(old);
  CHECK(rc == 0);
  std::string text = captured.str();
  INFO(text);
  CHECK(text.find("syscalls: 5, errors: 1, denials: 1, never returned: 0\n") != std::string::npos);
  CHECK(text.find("drops: none\n") != std::string::npos);  // the first counters record
  CHECK(text.find("stopped early: block 1 at offset " + std::to_string(first_block_end) +
                  ": truncated (payload: 8 of ") != std::string::npos);

  captured.str("");
  old = std::cout.rdbuf(captured.rdbuf());
  rc = run_trace_stats(dir.file("cut.trace"), true);
  std::cout.rdbuf(old);
  CHECK(rc == 0);
  auto j = nlohmann::json::parse(captured.str());
  CHECK(j["total"]["calls"] == 5);
  CHECK(j["stopped_early"].get<std::string>().find("truncated") != std::string::npos);
  CHECK(j["complete"] == false);

  // Cut at the block boundary: nothing damaged, but the recording never closed the file.
  spit(dir.file("killed.trace"), bytes.substr(0, first_block_end));
  TraceReader killed(dir.file("killed.trace"));
  std::string killed_text = format_stats_text(collect_stats(killed), "killed.trace");
  CHECK(killed_text.find("not closed: the recording was killed") != std::string::npos);
}

TEST_CASE("trace stats: nothing readable is exit 2", "[trace]") {
  TempDir dir;
  spit(dir.file("junk"), "hello\n");
  try {
    run_trace_stats(dir.file("junk"), false);
    FAIL("no error");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(static_cast<int>(e.code) == 2);
  }
}
