// SPDX-License-Identifier: Apache-2.0
// The daemon's tracing engine on the real kernel: trace mode's programs loaded by the first
// session or flight recorder and unloaded after the last, a session's batches written through
// the stream's client side into a file `trace show` reads, flight rings that keep only their
// window and stay under their caps in a storm, with every early eviction counted.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "syscope/abi.h"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/scoped_cgroup.hpp"
#include "syscope/daemon/daemon_tracer.hpp"
#include "syscope/daemon/trace_stream.hpp"
#include "syscope/trace/trace_file.hpp"

using namespace syscope;
using namespace std::chrono_literals;
using daemon::DaemonTracer;
namespace fs = std::filesystem;

namespace {

// Starts argv in the cgroup directory `dir` before its first instruction of argv[0]: the child
// waits on a pipe until the parent has moved it.
pid_t start_in(const std::string &dir, const std::vector<std::string> &argv) {
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    char c;
    ::close(gate[1]);
    if (read(gate[0], &c, 1) != 1) _exit(126);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  ::close(gate[0]);
  std::ofstream(dir + "/cgroup.procs") << pid << std::flush;
  REQUIRE(write(gate[1], "x", 1) == 1);
  ::close(gate[1]);
  return pid;
}

bool exited(pid_t pid, int *status = nullptr) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == pid && status) *status = st;
  return r == pid;
}

void stop(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// The daemon's loop in small: wait for the ring buffer (or 50 ms), drain, tick; `each` after
// every round, until `done` or the time is up.
void pump(DaemonTracer &t, std::chrono::milliseconds d, const std::function<bool()> &done = {},
          const std::function<void()> &each = {}) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    struct pollfd p = {t.poll_fd(), POLLIN, 0};
    poll(&p, 1, 50);
    t.drain();
    t.tick();
    if (each) each();
    if (done && done()) return;
  }
}

// This process's anonymous memory (heap): what the rings really allocate. (The ring buffer's
// mapping is file-backed RSS, the kernel's pages, and not counted here.)
size_t rss_anon_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  size_t kb = 0;
  while (in >> key)
    if (key == "RssAnon:" && in >> kb) return kb * 1024;
  return 0;
}

uint64_t boot_now() { return static_cast<uint64_t>(clock_ns(CLOCK_BOOTTIME)); }

struct Read {
  std::vector<syscope_syscall_event> calls;
  std::vector<std::string> paths;  // captured path arguments
  int execs = 0;
  std::vector<nlohmann::json> json;  // userspace records, in order
  uint64_t kernel_records = 0;
  bool complete = false;
};

Read read_trace(const std::string &path) {
  trace::TraceReader reader(path);
  Read out;
  trace::Record r;
  while (reader.next(r)) {
    if (r.kind >= 100) {
      out.json.push_back(*trace::parse_json_record(r));
      continue;
    }
    ++out.kernel_records;
    if (r.kind == SYSCOPE_EV_PROC_EXEC) ++out.execs;
    if (r.kind != SYSCOPE_EV_SYSCALL) continue;
    auto ev = *trace::record_as<syscope_syscall_event>(r);
    out.calls.push_back(ev);
    for (unsigned i = 0; i < ev.nslots; ++i) {
      syscope_data_slot slot;
      std::memcpy(&slot, r.bytes.data() + sizeof ev + i * sizeof slot, sizeof slot);
      if (slot.kind == SYSCOPE_DATA_PATH && slot.len > 0)
        out.paths.emplace_back(slot.data, strnlen(slot.data, slot.len));
    }
  }
  out.complete = reader.complete() && !reader.stopped_early();
  return out;
}

size_t count_of(const std::vector<std::string> &v, const std::string &s) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), s));
}

}  // namespace

TEST_CASE("a session streams a container's records, nested cgroups included, into a trace file",
          "[daemon_tracer]") {
  test::TempDir dir;
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-dtrace");
  DaemonTracer tracer;
  CHECK(tracer.poll_fd() == -1);  // nothing loaded before the first session

  std::vector<std::string> batches;
  uint64_t session =
      tracer.start_session("c1", {cg.id()}, [&](std::string_view b) { batches.emplace_back(b); });
  REQUIRE(tracer.poll_fd() >= 0);
  // A cgroup created in the traced one after the start: routed by its cgroup_mkdir.
  std::string inner = cg.path() + "/inner";
  REQUIRE(mkdir(inner.c_str(), 0755) == 0);
  pid_t outer_pid = start_in(cg.path(), {test::test_prog("trace_target")});
  pid_t inner_pid = start_in(inner, {test::test_prog("trace_target")});
  int st1 = -1, st2 = -1;
  bool e1 = false, e2 = false;
  pump(tracer, 5s, [&] {
    e1 = e1 || exited(outer_pid, &st1);
    e2 = e2 || exited(inner_pid, &st2);
    return e1 && e2;
  });
  REQUIRE(e1);
  REQUIRE(e2);
  CHECK(st1 == 0);
  CHECK(st2 == 0);
  pump(tracer, 300ms);
  auto stats = tracer.stop_session(session);
  CHECK(tracer.poll_fd() == -1);  // the last user gone: unloaded
  CHECK(tracer.usage().sessions == 0);

  // The client's side: the start response's header, then each batch as it came over the wire.
  std::string file = dir.file("session.trace");
  nlohmann::json container = {{"cgroup_id", cg.id()}, {"runtime", "test"}, {"id", "c1"},
                              {"name", "dtrace"},     {"image", "none"},   {"labels", {}}};
  auto start = nlohmann::json::parse(
      daemon::trace_start_fields(session, trace::local_file_header(), container).dump());
  size_t records = 0;
  {
    trace::TraceWriter out(file, daemon::header_from_json(start["header"]));
    out.add_json(trace::kRecordContainer, start["container"]);
    for (const auto &b : batches) {
      CHECK(b.size() <= daemon::kBatchBytes);
      auto msg = nlohmann::json::parse(daemon::trace_records_message(session, b));
      records += daemon::write_stream_records(out, daemon::records_of_message(msg));
    }
    auto end = nlohmann::json::parse(
        daemon::trace_end_message(session, "stopped", syscope::bpf::to_json({})));
    out.add_json(trace::kRecordCounters, end["counters"]);
    out.close();
    CHECK(out.records_rejected() == 0);
  }
  CHECK(records == stats.records);
  CHECK(stats.dropped == 0);

  auto got = read_trace(file);
  CHECK(got.complete);
  // Each trace_target opened /etc/hostname and exec'd /bin/true in a child (two execs each:
  // the one into trace_target may be seen or not, it races the move).
  CHECK(count_of(got.paths, "/etc/hostname") == 2);
  CHECK(got.execs >= 2);
  bool inner_seen = false, outer_seen = false;
  for (const auto &c : got.calls) {
    inner_seen |= c.pid == static_cast<uint32_t>(inner_pid);
    outer_seen |= c.pid == static_cast<uint32_t>(outer_pid);
  }
  CHECK(inner_seen);
  CHECK(outer_seen);

  // `trace show`'s own reader decodes it: the paths and the connect to the missing socket.
  auto shown = test::run({test::syscope_bin(), "trace", "show", file});
  CHECK(shown.status == 0);
  CHECK_THAT(shown.out, Catch::Contains("/etc/hostname"));
  CHECK_THAT(shown.out, Catch::Contains("/tmp/syscope-no-such.sock"));
  CHECK_THAT(shown.out, Catch::Contains("dtrace"));  // the container's name on its calls
  rmdir(inner.c_str());
}

TEST_CASE("a flight recorder keeps its window only, and its dump is a valid trace file",
          "[daemon_tracer]") {
  test::TempDir dir;
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-dflight");
  DaemonTracer tracer;
  std::string marker = dir.file("tick-marker");
  std::ofstream(marker) << "x";
  tracer.start_flight("c2", {cg.id()}, 2s,
                      {{"runtime", "test"}, {"id", "c2"}, {"name", "/flighty"}, {"labels", {}}});
  CHECK(tracer.flight_active("c2"));
  CHECK_FALSE(tracer.flight_active("nope"));
  pid_t pid = start_in(cg.path(), {test::test_prog("tick_open"), marker});
  pump(tracer, 5500ms);  // about six opens, one a second
  uint64_t before_dump = boot_now();
  std::string path = tracer.dump_flight("c2", dir.str(), "denial");
  stop(pid);

  CHECK(fs::path(path).parent_path() == dir.path());
  std::string name = fs::path(path).filename().string();
  CHECK_THAT(name, Catch::StartsWith("flighty-") && Catch::EndsWith("-denial.trace"));
  for (const auto &entry : fs::directory_iterator(dir.path()))  // no temp file left
    CHECK(entry.path().filename().string()[0] != '.');

  auto got = read_trace(path);
  CHECK(got.complete);
  // Only the last 2 s: two or three of the six opens, never all.
  size_t opens = count_of(got.paths, marker);
  CHECK(opens >= 1);
  CHECK(opens <= 3);
  for (const auto &c : got.calls) CHECK(c.hdr.ts_ns + 2'000'000'000ull >= before_dump);
  REQUIRE(got.json.size() >= 3);
  CHECK(got.json.front()["name"] == "/flighty");
  CHECK(got.json.front()["cgroup_id"] == cg.id());  // set from the first cgroup
  CHECK(got.json.back().contains("flight_dropped"));
  CHECK(got.json.back()["flight_dropped"] == 0);
  auto shown = test::run({test::syscope_bin(), "trace", "show", path});
  CHECK(shown.status == 0);
  CHECK_THAT(shown.out, Catch::Contains(marker));
  auto stats = test::run({test::syscope_bin(), "trace", "stats", path});
  CHECK(stats.status == 0);
  CHECK_THAT(stats.out, Catch::Contains("flight recorder dump (denial)") &&
                            Catch::Contains("flighty"));  // the note, the container

  // The ring is kept: a second dump right away holds the same recent calls, in its own file.
  std::string again = tracer.dump_flight("c2", dir.str(), "on request");
  CHECK(again != path);
  CHECK_THAT(again, Catch::EndsWith("-on_request.trace"));
  CHECK(count_of(read_trace(again).paths, marker) >= 1);

  CHECK_THROWS_AS(tracer.dump_flight("other", dir.str(), "x"), syscope::Error);
  tracer.stop_flight("c2");
  CHECK_FALSE(tracer.flight_active("c2"));
  CHECK(tracer.poll_fd() == -1);
  CHECK(tracer.usage().flight_bytes == 0);
}

TEST_CASE("flight rings stay under their caps in a storm, and count what the caps evicted",
          "[daemon_tracer]") {
  test::TempDir dir;
  auto cg1 = cgroup::ScopedCgroup::create_beside_self("syscope-dstorm");
  auto cg2 = cgroup::ScopedCgroup::create_beside_self("syscope-dstorm");
  daemon::TracerLimits limits;
  limits.flight_bytes_per_container = 64u << 10;
  limits.flight_bytes_total = 96u << 10;  // less than two full rings: the total cap binds too
  DaemonTracer tracer(limits);
  tracer.start_flight("s1", {cg1.id()}, 60s, {{"name", "storm1"}});
  tracer.start_flight("s2", {cg2.id()}, 60s, {{"name", "storm2"}});
  // dd bs=1: two syscalls a byte. The first makes a 3-million-call storm, the second a smaller
  // one beside it.
  auto dd = [](const char *count) {
    return std::vector<std::string>{"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1", count};
  };
  pid_t a = start_in(cg1.path(), dd("count=1500000")), b = start_in(cg2.path(), dd("count=300000"));
  size_t peak = 0, anon_before = rss_anon_bytes(), anon_peak = anon_before;
  auto sample = [&] {
    peak = std::max(peak, tracer.usage().flight_bytes);
    anon_peak = std::max(anon_peak, rss_anon_bytes());
  };
  bool ea = false, eb = false;
  pump(
      tracer, 20s,
      [&] {
        ea = ea || exited(a);
        eb = eb || exited(b);
        return ea && eb;
      },
      sample);
  REQUIRE(ea);
  REQUIRE(eb);
  pump(tracer, 300ms, {}, sample);
  auto usage = tracer.usage();
  CHECK(peak <= limits.flight_bytes_total);
  CHECK(peak > limits.flight_bytes_total / 2);  // it did fill
  CHECK(anon_before > 0);
  CHECK(anon_peak - anon_before < limits.flight_bytes_total + (8u << 20));  // allocator slack
  CHECK(usage.flights == 2);
  auto f1 = tracer.flight_usage("s1"), f2 = tracer.flight_usage("s2");
  REQUIRE(f1);
  REQUIRE(f2);
  CHECK(f1->bytes <= limits.flight_bytes_per_container);
  CHECK(f1->bytes + f2->bytes == usage.flight_bytes);
  CHECK(f1->dropped + f2->dropped == usage.flight_dropped);
  CHECK(f1->dropped > 2'000'000);  // the big storm lost the most
  CHECK(f1->window == 60s);
  CHECK_FALSE(tracer.flight_usage("none"));
  auto losses = tracer.losses();
  // 3.6 million calls cannot fit in 96 KiB: nearly all were evicted, and counted.
  CHECK(usage.flight_dropped + losses.values[SYSCOPE_CNT_RINGBUF_FULL] > 3'500'000);

  auto d1 = read_trace(tracer.dump_flight("s1", dir.str(), "alert"));
  auto d2 = read_trace(tracer.dump_flight("s2", dir.str(), "alert"));
  CHECK(d1.complete);
  CHECK(d2.complete);
  // What each dump holds fits its ring, both fit the total, and each kept its last calls (dd's
  // final exit_group is the newest record of each).
  CHECK(d1.kernel_records * sizeof(syscope_syscall_event) <= limits.flight_bytes_per_container);
  CHECK((d1.kernel_records + d2.kernel_records) * sizeof(syscope_syscall_event) <=
        limits.flight_bytes_total);
  CHECK(d1.kernel_records > 0);
  CHECK(d2.kernel_records > 0);
  for (const auto *d : {&d1, &d2}) {
    REQUIRE(!d->calls.empty());
    CHECK(d->calls.back().nr == SYS_exit_group);
    CHECK(d->json.back()["flight_dropped"].get<uint64_t>() > 0);
  }
  tracer.stop_flight("s1");
  CHECK(tracer.poll_fd() >= 0);  // s2 still records
  tracer.stop_flight("s2");
  CHECK(tracer.poll_fd() == -1);
}

TEST_CASE("the programs load for the first user and unload after the last, session or flight",
          "[daemon_tracer]") {
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-dload");
  DaemonTracer tracer;
  uint64_t s = tracer.start_session("c", {cg.id()}, [](std::string_view) {});
  int fd = tracer.poll_fd();
  CHECK(fd >= 0);
  tracer.start_flight("c", {cg.id()}, 5s, nlohmann::json::object());
  CHECK(tracer.poll_fd() == fd);  // one load shared
  CHECK_THROWS_AS(tracer.start_session("other", {cg.id()}, [](std::string_view) {}),
                  syscope::Error);  // one cgroup, one container
  CHECK(tracer.usage().sessions == 1);
  tracer.stop_session(s);
  CHECK(tracer.poll_fd() == fd);  // the flight recorder still needs it
  CHECK(tracer.usage().flights == 1);
  tracer.stop_flight("c");
  CHECK(tracer.poll_fd() == -1);
  // And again from nothing.
  uint64_t s2 = tracer.start_session("c", {cg.id()}, [](std::string_view) {});
  CHECK(s2 != s);
  CHECK(tracer.poll_fd() >= 0);
  tracer.stop_session(s2);
  tracer.stop_session(s2);  // twice: no-op
  CHECK(tracer.poll_fd() == -1);
  CHECK_THROWS_AS(DaemonTracer(daemon::TracerLimits{1024, 1024}), syscope::Error);
}

TEST_CASE("a session in a storm: every record is delivered or counted, in bounded batches",
          "[daemon_tracer]") {
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-dsstorm");
  DaemonTracer tracer;
  uint64_t delivered = 0, batches = 0;
  size_t largest = 0;
  bool torn = false;  // a batch not made of whole records
  uint64_t s = tracer.start_session("c", {cg.id()}, [&](std::string_view b) {
    ++batches;
    largest = std::max(largest, b.size());
    for (size_t at = 0; at < b.size() && !torn; ++delivered) {
      syscope_event_hdr hdr;
      torn = b.size() - at < sizeof hdr;
      if (torn) break;
      std::memcpy(&hdr, b.data() + at, sizeof hdr);
      torn = hdr.size < sizeof hdr || hdr.size > b.size() - at;
      at += hdr.size;
    }
  });
  pid_t pid =
      start_in(cg.path(), {"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=300000"});
  int status = -1;
  bool done = false;
  pump(tracer, 20s, [&] { return done = done || exited(pid, &status); });
  REQUIRE(done);
  CHECK(status == 0);
  pump(tracer, 200ms);
  auto losses = tracer.losses();
  auto stats = tracer.stop_session(s);
  CHECK_FALSE(torn);
  CHECK(delivered == stats.records);
  CHECK(largest <= daemon::kBatchBytes);
  CHECK(batches >= stats.bytes / daemon::kBatchBytes);
  // dd's 300,000 reads and 300,000 writes, each in the stream or in a counter.
  CHECK(stats.records + stats.dropped + losses.values[SYSCOPE_CNT_RINGBUF_FULL] >= 600'000);
  CHECK(tracer.usage().session_dropped == stats.dropped);
}
