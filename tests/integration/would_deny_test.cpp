// SPDX-License-Identifier: Apache-2.0
// Dry-run on the real kernel: a real process in a cgroup of its own, under a filter of its own
// that allows everything, makes its calls; a candidate missing one call (sysinfo) and one socket
// family (AF_INET6) is judged on them by WouldDenyProbe + WouldDenyJudge. Each refused kind is
// reported once however often it is made, allowed calls never, and nothing is enforced.
#include <sys/socket.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../common/dry_run_candidate.hpp"
#include "helpers.hpp"
#include "syscope/containers/scoped_cgroup.hpp"
#include "syscope/kernel/would_deny_probe.hpp"
#include "syscope/watch/would_deny.hpp"

using namespace syscope;
using namespace syscope::test;

namespace {

struct Run {
  std::vector<bpf::DryRunCall> calls;  // every record of the workload's cgroup
  RunResult result;
  bpf::LossCounters losses;
};

Run run_workload(const watch::WouldDenyJudge &judge, std::vector<std::string> workload_args) {
  Run run;
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-test-dry");
  bpf::WouldDenyProbe probe(
      [&](bpf::DryRunCall &&c) {
        if (c.cgroup_id == cg.id()) run.calls.push_back(std::move(c));
      },
      [](uint64_t, const std::string &, bool) {});
  probe.set_candidate(0, judge.plan());
  probe.add_cgroup(cg.id(), 0);
  std::vector<std::string> argv{test_prog("clone_into_cgroup"), cg.path(),
                                test_prog("dry_workload")};
  argv.insert(argv.end(), workload_args.begin(), workload_args.end());
  // Drained while the workload runs, as watch drains: a burst of distinct calls fits the ring.
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    while (!done) {
      probe.drain();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  run.result = test::run(argv);
  done = true;
  drainer.join();
  probe.drain();
  run.losses = probe.losses();
  return run;
}

Run run_workload(const watch::WouldDenyJudge &judge, int rounds) {
  return run_workload(judge, {std::to_string(rounds)});
}

}  // namespace

TEST_CASE("would-deny reports a missing call and a missing socket family once each",
          "[would_deny]") {
  watch::WouldDenyJudge judge(dry_run_candidate());
  auto run = run_workload(judge, 20);
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.status == 0);  // nothing enforced: every call of the workload succeeded
  CHECK(run.result.out.find("ok") != std::string::npos);
  CHECK_FALSE(run.losses.any());

  std::map<std::string, int> reported;  // call text -> how often
  for (const auto &c : run.calls)
    if (auto w = judge.judge(c)) {
      ++reported[w->call_text];
      CHECK(w->verdict_text == "ERRNO(EPERM)");
      CHECK(w->call.comm == "dry_workload");
      if (w->syscall == "sysinfo") CHECK(w->rule.args.empty());
      if (w->syscall == "socket") {
        REQUIRE(w->rule.args.size() == 1);
        CHECK(w->rule.args[0].value_two == AF_INET6);
      }
    }
  INFO(nlohmann::json(reported).dump());
  CHECK(reported.size() == 2);
  CHECK(reported["socket(AF_INET6, SOCK_STREAM, 0)"] == 1);  // 20 calls, one record
  int sysinfo_reports = 0;
  for (const auto &[text, n] : reported)
    if (text.rfind("sysinfo(", 0) == 0) sysinfo_reports += n;
  CHECK(sysinfo_reports == 1);
  // The allowed socket families reached userspace once each (the kernel cannot judge argument
  // rules), and were judged allowed; getppid, allowed by name, never came up.
  int unix_records = 0;
  for (const auto &c : run.calls) {
    CHECK(c.nr != SYS_getppid);
    if (c.nr == SYS_socket && c.args[0] == AF_UNIX) ++unix_records;
  }
  CHECK(unix_records == 1);
}

TEST_CASE("would-deny judges nothing in a cgroup not added", "[would_deny]") {
  watch::WouldDenyJudge judge(dry_run_candidate());
  std::vector<bpf::DryRunCall> calls;
  bpf::WouldDenyProbe probe([&](bpf::DryRunCall &&c) { calls.push_back(std::move(c)); },
                            [](uint64_t, const std::string &, bool) {});
  probe.set_candidate(0, judge.plan());
  auto result = test::run({test_prog("dry_workload"), "2"});
  REQUIRE(result.status == 0);
  probe.drain();
  CHECK(calls.empty());
}

TEST_CASE("watch --would-deny with a malformed candidate is a usage error in one line",
          "[would_deny]") {
  TempDir dir;
  auto bad = dir / "bad.json";
  std::ofstream(bad) << R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": 3}]})";
  for (const auto &path : {bad.string(), (dir / "missing.json").string()}) {
    auto r = test::run({syscope_bin(), "watch", "--would-deny", path, "--duration", "1"});
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("would-deny: a removed cgroup is no longer judged and re-added starts afresh",
          "[would_deny]") {
  watch::WouldDenyJudge judge(dry_run_candidate());
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-test-dry");
  size_t records = 0;
  bpf::WouldDenyProbe probe(
      [&](bpf::DryRunCall &&c) {
        if (c.cgroup_id == cg.id() && c.nr == SYS_sysinfo) ++records;
      },
      [](uint64_t, const std::string &, bool) {});
  probe.set_candidate(0, judge.plan());
  auto workload = [&] {
    auto r = test::run({test_prog("clone_into_cgroup"), cg.path(), test_prog("dry_workload"), "2"});
    REQUIRE(r.status == 0);
    probe.drain();
  };
  probe.add_cgroup(cg.id(), 0);
  workload();
  workload();  // the same calls again: already seen, only counted
  CHECK(records == 1);
  CHECK(probe.calls_counted() >= 4);  // sysinfo and socket(AF_INET6) twice per run, at least
  probe.remove_cgroup(cg.id());
  CHECK(probe.calls_counted() == 0);  // its distinct calls went with it
  workload();
  CHECK(records == 1);
  probe.add_cgroup(cg.id(), 0);
  workload();
  CHECK(records == 2);
}

TEST_CASE("would-deny counts the distinct calls its dedup map has no room for", "[would_deny]") {
  // The candidate tests socket's family: 20,000 families are 20,000 distinct calls, and the
  // kernel's map of distinct calls holds 16,384 (bpf/would_deny.bpf.c).
  constexpr uint64_t kFamilies = 20000, kMapEntries = 16384;
  watch::WouldDenyJudge judge(dry_run_candidate());
  auto run = run_workload(judge, {"families", std::to_string(kFamilies)});
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.status == 0);  // nothing enforced: each socket() got EAFNOSUPPORT
  uint64_t full = run.losses.values[SYSCOPE_CNT_DRY_RUN_FULL];
  uint64_t ring = run.losses.values[SYSCOPE_CNT_RINGBUF_FULL];
  INFO("dry_run_full " << full << ", ringbuf_full " << ring << ", records " << run.calls.size());
  // Every family past the map's room is counted, none is silently dropped: each distinct call
  // was either streamed, lost to a full ring (counted), or found no room (counted).
  CHECK(full >= kFamilies - kMapEntries);
  CHECK(run.calls.size() + ring + full >= kFamilies);
  CHECK(run.calls.size() + ring <= kMapEntries);
  CHECK(run.losses.describe().find("not judged by the dry-run (its dedup map full)") !=
        std::string::npos);
  size_t sockets = 0, denied = 0;  // each streamed family is one the candidate refuses
  for (const auto &c : run.calls)
    if (c.nr == SYS_socket) {
      ++sockets;
      denied += judge.judge(c).has_value();
    }
  CHECK(sockets > 0);  // a burst this fast also fills the ring: those are counted above
  CHECK(denied == sockets);
}
