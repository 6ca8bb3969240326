// SPDX-License-Identifier: Apache-2.0
// Traces a hostile or unlucky user hands the trace commands (issue 12): a header alone, a
// capture killed before its end block, a first block torn, a pipe instead of a file, a FIFO
// nobody writes, a device; a disk that fills mid-block; --max-size and --syscall typos. show,
// stats and from-trace must agree on what is readable, say what is incomplete, and --strict
// must make it an exit status.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/trace/profile_from_trace.hpp"
#include "syscope/trace/read_outcome.hpp"
#include "syscope/trace/trace_file.hpp"
#include "syscope/trace/trace_show.hpp"
#include "trace_records.hpp"

using namespace syscope;
using namespace syscope::trace;
using namespace syscope::cli;
using namespace trace_test;

namespace {

FileHeader header() {
  FileHeader h;
  h.syscope_version = "0.1.0";
  h.hostname = "forensics-1";
  h.machine = "x86_64";
  return h;
}

std::vector<uint64_t> write_command_trace(const std::string &path) {
  return trace_test::write_command_trace(path, header());
}

// Runs f with stderr (and stdout) going to files; returns {stdout, stderr}.
template <typename F> std::pair<std::string, std::string> captured(F f) {
  TempDir dir;
  auto flush = [] {
    std::fflush(stdout);
    std::cout.flush();
    std::fflush(stderr);
  };
  flush();
  // Puts stdout and stderr back however f ends, a throw included.
  struct Restore {
    int out = dup(1), err = dup(2);
    ~Restore() {
      dup2(out, 1);
      dup2(err, 2);
      close(out);
      close(err);
    }
  } restore;
  int out = open(dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err = open(dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(out, 1);
  dup2(err, 2);
  close(out);
  close(err);
  try {
    f();
  } catch (...) {
    flush();
    throw;
  }
  flush();
  return {slurp(dir.file("out")), slurp(dir.file("err"))};
}

int lines(const std::string &text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("show, stats and from-trace agree: a killed capture is said, --strict exits 1",
          "[trace_hostile]") {
  TempDir dir;
  auto ends = write_command_trace(dir.file("whole.trace"));
  std::string bytes = slurp(dir.file("whole.trace"));
  spit(dir.file("killed.trace"), bytes.substr(0, ends[2]));  // two blocks, no end block
  const std::string killed = dir.file("killed.trace");
  const std::string why = killed +
                          " has no end block: the capture was cut short (killed, or still being "
                          "written), 2 records read; ";

  for (bool strict : {false, true}) {
    int rc = -1;
    auto [out, err] = captured([&] { rc = run_trace_show(killed, {}, strict); });
    CHECK(rc == (strict ? 1 : 0));
    CHECK(err == "syscope: trace show: " + why + "showing those\n");
    CHECK(lines(out) == 2);

    std::tie(out, err) = captured([&] { rc = run_trace_stats(killed, false, strict); });
    CHECK(rc == (strict ? 1 : 0));
    CHECK(err == "syscope: trace stats: " + why + "counting those\n");
    CHECK(out.find("not closed: the recording was killed") != std::string::npos);
  }
  ShowOptions json;
  json.json = true;
  auto [out, err] = captured([&] { run_trace_show(killed, json); });
  auto last = nlohmann::json::parse(out.substr(out.rfind('\n', out.size() - 2) + 1));
  CHECK(last["type"] == "summary");
  CHECK(last["complete"] == false);
  CHECK(last["records_read"] == 2);
  CHECK(last["warning"] == why.substr(0, why.size() - 2));
  std::tie(out, err) = captured([&] { run_trace_stats(killed, true); });
  CHECK(nlohmann::json::parse(out)["warning"] == why.substr(0, why.size() - 2));

  // from-trace: the profile is written and marked; with --strict nothing is written.
  std::string profile = dir.file("p.json");
  int rc = -1;
  std::tie(out, err) =
      captured([&] { rc = run_profile_from_trace(killed, {}, profile, "docker"); });
  CHECK(rc == 0);
  CHECK(err.rfind("syscope: profile from-trace: " + why + "the profile may be incomplete\n", 0) ==
        0);
  INFO(err);
  CHECK(err.find("syscope: cat [incomplete trace]: 4 syscalls") != std::string::npos);
  CHECK(std::filesystem::exists(profile));
  std::filesystem::remove(profile);
  std::tie(out, err) =
      captured([&] { rc = run_profile_from_trace(killed, {}, profile, "docker", true); });
  CHECK(rc == 1);
  CHECK(err == "syscope: profile from-trace: " + why + "no profile written (--strict)\n");
  CHECK_FALSE(std::filesystem::exists(profile));
  CHECK(std::filesystem::directory_iterator(dir.path()) != std::filesystem::directory_iterator());
  for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
    CHECK(entry.path().filename().string()[0] != '.');  // no temp file left behind

  // The whole trace: no line, --strict changes nothing.
  std::tie(out, err) =
      captured([&] { rc = run_trace_stats(dir.file("whole.trace"), false, true); });
  CHECK(rc == 0);
  CHECK(err.empty());
}

TEST_CASE("a header alone: shown and counted as empty and incomplete; no profile from it",
          "[trace_hostile]") {
  TempDir dir;
  auto ends = write_command_trace(dir.file("whole.trace"));
  spit(dir.file("header.trace"), slurp(dir.file("whole.trace")).substr(0, ends[0]));
  const std::string path = dir.file("header.trace");
  int rc = -1;
  auto [out, err] = captured([&] { rc = run_trace_show(path, {}); });
  CHECK(rc == 0);
  CHECK(err.find("has no end block") != std::string::npos);
  std::string profile = dir.file("p.json");
  try {
    captured([&] { run_profile_from_trace(path, {}, profile, "docker"); });
    FAIL("a profile from zero calls");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) == "profile from-trace: " + path +
                                       " has no end block: the capture was cut short (killed, or "
                                       "still being written), 0 records read; no syscalls in it: "
                                       "no profile written");
  }
  // A whole trace in which nothing was called: the same refusal, without the incompleteness.
  {
    TraceWriter w(dir.file("quiet.trace"), header());
    w.add_json(kRecordCounters, {{"ringbuf_full", 0}});
  }
  try {
    captured([&] { run_profile_from_trace(dir.file("quiet.trace"), {}, profile, "docker"); });
    FAIL("a profile from zero calls");
  } catch (const Error &e) {
    CHECK(std::string(e.what()) == "profile from-trace: " + dir.file("quiet.trace") +
                                       ": no syscalls in the trace (1 records read): no profile "
                                       "written");
  }
  CHECK_FALSE(std::filesystem::exists(profile));
}

TEST_CASE("a torn first block: nothing readable, exit 2 from all three", "[trace_hostile]") {
  TempDir dir;
  auto ends = write_command_trace(dir.file("whole.trace"));
  spit(dir.file("torn.trace"), slurp(dir.file("whole.trace")).substr(0, ends[0] + 40));
  const std::string path = dir.file("torn.trace");
  const std::string why = path + ": nothing readable: block 0 at offset " +
                          std::to_string(ends[0]) + ": truncated (payload: 8 of ";
  int rc = -1;
  auto [out, err] = captured([&] { rc = run_trace_show(path, {}); });
  CHECK(rc == 2);
  CHECK(err.rfind("syscope: trace show: " + why, 0) == 0);
  CHECK(lines(err) == 1);
  CHECK(out.empty());
  // stats and from-trace throw (main prints the one line, exit 2); show's is the same text.
  for (int which = 0; which < 2; ++which) {
    try {
      if (which == 0)
        run_trace_stats(path, false);
      else
        run_profile_from_trace(path, {}, dir.file("p.json"), "docker");
      FAIL("no error");
    } catch (const Error &e) {
      CHECK(e.code == Exit::usage);
      CHECK(std::string(e.what()).rfind(
                std::string(which == 0 ? "trace stats: " : "profile from-trace: ") + why, 0) == 0);
    }
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("p.json")));
}

TEST_CASE("trace --max-size: binary units in any case; 0, garbage and overflow refused",
          "[trace_hostile]") {
  CHECK(parse_max_size("64k") == 65536);
  CHECK(parse_max_size("64K") == 65536);
  CHECK(parse_max_size("64KiB") == 65536);
  CHECK(parse_max_size("64kb") == 65536);
  CHECK(parse_max_size("1M") == 1u << 20);
  CHECK(parse_max_size("1.5m") == 3u << 19);
  CHECK(parse_max_size("2GiB") == uint64_t{2} << 30);
  CHECK(parse_max_size("1t") == uint64_t{1} << 40);
  CHECK(parse_max_size("1048576") == 1u << 20);
  CHECK(parse_max_size("65536B") == 65536);
  auto refused = [](const std::string &text) {
    try {
      parse_max_size(text);
    } catch (const Error &e) {
      CHECK(e.code == Exit::usage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("0") == "trace: --max-size 0: 0 is no size (leave --max-size out for no limit)");
  CHECK(refused("0k") == "trace: --max-size 0k: 0 is no size (leave --max-size out for no limit)");
  CHECK(refused("1k") == "trace: --max-size 1k: too small for a trace (at least 64 KiB)");
  CHECK(refused("99999999999999999999") == "trace: --max-size 99999999999999999999: too large");
  CHECK(refused("99999999999T") == "trace: --max-size 99999999999T: too large");
  CHECK(refused("10x") == "trace: --max-size 10x: unknown unit \"x\" (B, K, M, G or T)");
  CHECK(refused("1e9") == "trace: --max-size 1e9: unknown unit \"e9\" (B, K, M, G or T)");
  CHECK(refused("-5M") == "trace: --max-size -5M: not a size (e.g. 500M, 64k, 2GiB)");
  CHECK(refused("") == "trace: --max-size : not a size (e.g. 500M, 64k, 2GiB)");
  CHECK(refused("1.M") == "trace: --max-size 1.M: not a size (e.g. 500M, 64k, 2GiB)");
}

TEST_CASE("show --syscall: an unknown name is an error, known ones of either arch pass",
          "[trace_hostile]") {
  CHECK_NOTHROW(check_syscall_filter({"openat", "socketcall", "syscall_451", "unknown_syscall"}));
  try {
    check_syscall_filter({"openat", "nosuch"});
    FAIL("accepted");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) ==
          "trace show: --syscall nosuch: not a syscall name (libseccomp knows no such call on "
          "x86_64 or i386)");
  }
  CHECK_THROWS_AS(check_syscall_filter({"syscall_"}), Error);
  CHECK_THROWS_AS(check_syscall_filter({"syscall_1x"}), Error);

  TempDir dir;
  write_command_trace(dir.file("t.trace"));
  ShowOptions opts;
  opts.syscalls = {"nosuch"};
  int rc = -1;
  auto [out, err] = captured([&] { rc = run_trace_show(dir.file("t.trace"), opts); });
  CHECK(rc == 2);
  CHECK(out.empty());
  CHECK(err == "syscope: trace show: --syscall nosuch: not a syscall name (libseccomp knows no "
               "such call on x86_64 or i386)\n");
}

TEST_CASE("a trace from a pipe reads as from the file; a FIFO nobody writes is refused at once",
          "[trace_hostile]") {
  TempDir dir;
  write_command_trace(dir.file("t.trace"));
  std::string bytes = slurp(dir.file("t.trace"));
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t writer = fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {  // slowly, in pieces: the reader must wait for them, not see an end
    close(fds[0]);
    for (size_t at = 0; at < bytes.size(); at += 100) {
      usleep(2000);
      if (write(fds[1], bytes.data() + at, std::min<size_t>(100, bytes.size() - at)) < 0) _exit(1);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string from_pipe = "/proc/self/fd/" + std::to_string(fds[0]);
  int rc = -1;
  auto [piped, err] = captured([&] { rc = run_trace_show(from_pipe, {}); });
  close(fds[0]);
  waitpid(writer, nullptr, 0);
  CHECK(rc == 0);
  CHECK(err.empty());
  auto [direct, err2] = captured([&] { run_trace_show(dir.file("t.trace"), {}); });
  CHECK(piped == direct);
  CHECK(lines(piped) == 3);

  REQUIRE(mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  try {
    TraceReader reader(dir.file("fifo"));
    FAIL("a FIFO without a writer was read");
  } catch (const Error &e) {
    CHECK(std::string(e.what()) == dir.file("fifo") + ": is a pipe or FIFO with nothing to read");
  }
  try {
    TraceReader reader("/dev/zero");
    FAIL("a device was read");
  } catch (const Error &e) {
    CHECK(std::string(e.what()) == "/dev/zero: is a character device, not a syscope trace");
  }
}

TEST_CASE("a write that fails mid-block: the torn block goes, the earlier ones stay readable",
          "[trace_hostile]") {
  TempDir dir;
  const std::string path = dir.file("t.trace");
  // RLIMIT_FSIZE stands in for a full disk without root: past it, write(2) writes what fits and
  // then fails (EFBIG, once SIGXFSZ is ignored), as ENOSPC does on a full filesystem.
  struct rlimit old {};
  getrlimit(RLIMIT_FSIZE, &old);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  std::string message;
  uint64_t records_added = 0;
  {
    TraceWriter w(path, header(), {0, false, false});
    struct rlimit limit = old;
    limit.rlim_cur = 200 * 1024;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    try {
      for (int i = 0; i < 100000; ++i, ++records_added) {
        auto r = syscall_record(1000 + i, 7, 100, 100, trace_test::native_nr("getppid"), 1);
        w.add(SYSCOPE_EV_SYSCALL, r.bytes(), r.size());
      }
    } catch (const Error &e) {
      message = e.what();
      CHECK(e.code == Exit::environment);
    }
  }
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(message.empty());
  // 64 KiB blocks of 120-byte records (112 + 8 of framing): three whole ones fit in 200 KiB.
  const uint64_t per_block = (kBlockTargetBytes + 119) / 120;
  CHECK(message == path + ": cannot write the trace: File too large; the file keeps the " +
                       std::to_string(3 * per_block) + " records of its first 3 blocks");
  CHECK(records_added > 3 * per_block);

  TraceReader reader(path);
  Record record;
  uint64_t n = 0;
  while (reader.next(record)) ++n;
  CHECK(n == 3 * per_block);
  CHECK_FALSE(reader.stopped_early());  // the file ends at a whole block: cut short, not damaged
  CHECK_FALSE(reader.complete());
  CHECK(std::filesystem::file_size(path) < 200 * 1024);
}
