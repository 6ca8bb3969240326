// SPDX-License-Identifier: Apache-2.0
// The bad-input table of the trace commands (issue 12): `trace show`, `trace stats` and
// `profile from-trace` given devices, a FIFO, a directory, a socket, links, 5 MiB of garbage and
// traces the real writer made and the test then cut, flipped or aged; `trace -o` and
// `profile from-trace -o` given devices, a FIFO nobody reads, a foreign link in a sticky
// directory and a full tmpfs. Each case: the exact status, one line, nothing else changed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../unit/trace_records.hpp"
#include "bad_input.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/trace/trace_file.hpp"

using syscope::test::BadInputCase;
using syscope::test::check_bad_input;
using namespace syscope::trace;
using namespace trace_test;

namespace {

// Traces made by the real writer (and damaged copies), outside the hostile tree, for the whole
// run. A command's trace: exec, openat, exit_group, one block each.
class Traces {
 public:
  Traces() {
    FileHeader h;
    h.syscope_version = "0.1.0";
    h.hostname = "bad-input";
    h.machine = "x86_64";
    std::vector<uint64_t> ends = write_command_trace(path("whole.trace"), h);
    std::string bytes = slurp(path("whole.trace"));
    header_end = ends[0];
    third_block = ends[2];
    spit(path("header.trace"), bytes.substr(0, ends[0]));
    spit(path("killed.trace"), bytes.substr(0, ends[2]));          // no end block
    spit(path("truncated.trace"), bytes.substr(0, ends[2] + 50));  // torn third block
    spit(path("early.trace"), bytes.substr(0, ends[1] + 50));      // torn before any call
    std::string flipped = bytes;
    flipped[ends[0] + 40] ^= 0x20;  // in the first block's payload
    spit(path("flipped.trace"), flipped);
    std::string old = bytes;
    old[8] = 1;  // format version 1
    spit(path("format1.trace"), old);
  }
  std::string path(const std::string &name) const { return dir_.file(name); }
  uint64_t header_end = 0, third_block = 0;

 private:
  syscope::test::TempDir dir_;
};

const Traces &traces() {
  static Traces t;
  return t;
}

const char *kReaders[][2] = {
    {"trace show", "trace show"},
    {"trace stats", "trace stats"},
    {"profile from-trace", "profile from-trace"},
};

// A reader's arguments: from-trace also names an output in the tree, which must stay unmade.
std::vector<std::string> reading(const std::string &command, const std::string &input,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args;
  if (command == "trace show") args = {"trace", "show", input};
  if (command == "trace stats") args = {"trace", "stats", input};
  if (command == "profile from-trace")
    args = {"profile", "from-trace", input, "-o", "{tree}/out.json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("bad input: what trace show, stats and from-trace read", "[bad-input][trace]") {
  const Traces &t = traces();
  std::vector<BadInputCase> cases;
  for (const auto &reader : kReaders) {
    const std::string cmd = reader[0], prefix = "syscope: " + std::string(reader[1]) + ": ";
    auto refused = [&](const std::string &name, const std::string &input, const std::string &why) {
      cases.push_back({.name = cmd + ": " + name,
                       .args = reading(cmd, input),
                       .status = 2,
                       .message = prefix + input + ": " + why});
    };
    refused("a null device", "{tree}/null", "is a character device, not a syscope trace");
    refused("an endless device", "{tree}/zero", "is a character device, not a syscope trace");
    refused("a FIFO nobody writes", "{tree}/fifo", "is a pipe or FIFO with nothing to read");
    refused("a directory", "{tree}/dir", "is a directory, not a syscope trace");
    refused("a socket", "{tree}/socket", "is a socket, not a syscope trace");
    refused("a dangling symlink", "{tree}/dangling", "cannot open: No such file or directory");
    refused("5 MiB + 1 of garbage", "{tree}/huge", "not a syscope trace file (no SYSCOPE magic)");
    refused("a link to JSON", "{tree}/sticky/foreign",
            "not a syscope trace file (no SYSCOPE magic)");
    refused("a format 1 trace", t.path("format1.trace"),
            "trace format version 1 was written by an older syscope");
    refused("a flipped byte in the first block", t.path("flipped.trace"),
            "nothing readable: block 0 at offset " + std::to_string(t.header_end) +
                ": checksum mismatch");
  }

  // Readable, but incomplete: said in one line; --strict makes it exit 1 (from-trace: no file).
  const std::string killed = t.path("killed.trace"), truncated = t.path("truncated.trace");
  const std::string no_end = killed +
                             " has no end block: the capture was cut short (killed, or still "
                             "being written), 2 records read; ";
  const std::string damaged = truncated + " is damaged: block 2 at offset " +
                              std::to_string(t.third_block) + ": truncated (payload: ";
  for (bool strict : {false, true}) {
    std::vector<std::string> flag;
    if (strict) flag.push_back("--strict");
    const int status = strict ? 1 : 0;
    cases.push_back({.name = "show: a killed capture",
                     .args = reading("trace show", killed, flag),
                     .status = status,
                     .message = "syscope: trace show: " + no_end + "showing those"});
    cases.push_back({.name = "stats: a killed capture",
                     .args = reading("trace stats", killed, flag),
                     .status = status,
                     .message = "syscope: trace stats: " + no_end + "counting those"});
    cases.push_back({.name = "show: a torn third block",
                     .args = reading("trace show", truncated, flag),
                     .status = status,
                     .message = "syscope: trace show: " + damaged});
    cases.push_back({.name = "stats: a torn third block",
                     .args = reading("trace stats", truncated, flag),
                     .status = status,
                     .message = "syscope: trace stats: " + damaged});
  }
  cases.push_back({.name = "from-trace: a killed capture, the profile marked",
                   .args = reading("profile from-trace", killed),
                   .status = 0,
                   .message = "syscope: profile from-trace: " + no_end +
                              "the profile may be incomplete\nsyscope: cat [incomplete trace]: ",
                   .may_change = {"out.json"},
                   .stderr_lines = 2});
  cases.push_back(
      {.name = "from-trace --strict: a killed capture, no profile",
       .args = reading("profile from-trace", killed, {"--strict"}),
       .status = 1,
       .message = "syscope: profile from-trace: " + no_end + "no profile written (--strict)"});
  cases.push_back({.name = "from-trace: a torn third block, the profile marked",
                   .args = reading("profile from-trace", truncated),
                   .status = 0,
                   .message = "syscope: profile from-trace: " + damaged,
                   .may_change = {"out.json"},
                   .stderr_lines = 2});

  // A header alone: an empty, incomplete trace; no profile from zero calls.
  const std::string header = t.path("header.trace");
  const std::string empty = header +
                            " has no end block: the capture was cut short (killed, or still "
                            "being written), 0 records read; ";
  cases.push_back({.name = "show: a header alone",
                   .args = reading("trace show", header),
                   .status = 0,
                   .message = "syscope: trace show: " + empty + "showing those"});
  cases.push_back({.name = "stats --strict: a header alone",
                   .args = reading("trace stats", header, {"--strict"}),
                   .status = 1,
                   .message = "syscope: trace stats: " + empty + "counting those"});
  cases.push_back({.name = "from-trace: a header alone",
                   .args = reading("profile from-trace", header),
                   .status = 2,
                   .message = "syscope: profile from-trace: " + empty +
                              "no syscalls in it: no profile written"});
  cases.push_back({.name = "from-trace: torn before any call",
                   .args = reading("profile from-trace", t.path("early.trace")),
                   .status = 2,
                   .message = "syscope: profile from-trace: " + t.path("early.trace") +
                              " is damaged: block 1 at offset "});
  cases.push_back({.name = "show --syscall: an unknown name",
                   .args = reading("trace show", t.path("whole.trace"), {"--syscall", "nosuch"}),
                   .status = 2,
                   .message = "syscope: trace show: --syscall nosuch: not a syscall name"});
  check_bad_input(cases);
}

TEST_CASE("bad input: where trace -o and profile from-trace -o write", "[bad-input][trace]") {
  const std::string whole = traces().path("whole.trace");
  auto trace_to = [](const std::string &out) {
    return std::vector<std::string>{"trace", "-o", out, "--", "/bin/true"};
  };
  auto profile_to = [&](const std::string &out) {
    return std::vector<std::string>{"profile", "from-trace", whole, "-o", out};
  };
  const std::string foreign =
      "output path {tree}/sticky/foreign is a symlink in a world-writable sticky directory, owned "
      "by someone else: not followed (fs.protected_symlinks)";
  check_bad_input({
      // trace -o: the trace is written in place as it grows, under AtomicFile's path rules.
      {.name = "trace -o a null device: written through, still a device",
       .args = trace_to("{tree}/null"),
       .status = 0,
       .message = " records in "},
      {.name = "trace -o a full device",
       .args = trace_to("{tree}/full"),
       .status = 2,
       .message = "syscope: {tree}/full: cannot write the trace: No space left on device"},
      {.name = "trace -o a FIFO nobody reads",
       .args = trace_to("{tree}/fifo"),
       .status = 2,
       .message = "syscope: output path {tree}/fifo is a FIFO that nobody reads"},
      {.name = "trace -o a foreign link in a sticky directory",
       .args = trace_to("{tree}/sticky/foreign"),
       .status = 2,
       .message = "syscope: " + foreign},
      {.name = "trace -o a dangling symlink",
       .args = trace_to("{tree}/dangling"),
       .status = 2,
       .message = "syscope: output path {tree}/dangling is a symlink to nothing"},
      {.name = "trace -o a directory",
       .args = trace_to("{tree}/dir"),
       .status = 2,
       .message = "syscope: output path {tree}/dir is a directory"},
      {.name = "trace -o a socket",
       .args = trace_to("{tree}/socket"),
       .status = 2,
       .message = "syscope: output path {tree}/socket is neither a regular file, a character "
                  "device nor a FIFO"},
      {.name = "trace -o on a full filesystem: no stub left",
       .args = trace_to("{tree}/fullfs/t.trace"),
       .status = 2,
       .message = "syscope: {tree}/fullfs/t.trace: cannot write the trace: No space left on "
                  "device"},
      {.name = "trace -o -",
       .args = trace_to("-"),
       .status = 2,
       .message = "syscope: trace: -o -: a trace is not written to stdout"},
      {.name = "trace --max-size 0",
       .args = {"trace", "-o", "{tree}/t.trace", "--max-size", "0", "--", "/bin/true"},
       .status = 2,
       .message = "syscope: trace: --max-size 0: 0 is no size (leave --max-size out for no "
                  "limit)"},
      {.name = "trace --max-size overflow",
       .args = {"trace", "-o", "{tree}/t.trace", "--max-size", "99999999999999999999", "--",
                "/bin/true"},
       .status = 2,
       .message = "syscope: trace: --max-size 99999999999999999999: too large"},
      // profile from-trace -o: AtomicFile.
      {.name = "from-trace -o a null device: written through, still a device",
       .args = profile_to("{tree}/null"),
       .status = 0,
       .message =
           "syscope: cat: 4 syscalls (SCMP_ARCH_X86_64) in 0.00 s -> {tree}/null; also allows exit, "
           "rt_sigreturn"},
      {.name = "from-trace -o a full device",
       .args = profile_to("{tree}/full"),
       .status = 2,
       .message = "syscope: cannot write {tree}/full: No space left on device"},
      {.name = "from-trace -o a FIFO nobody reads",
       .args = profile_to("{tree}/fifo"),
       .status = 2,
       .message = "syscope: output path {tree}/fifo is a FIFO that nobody reads"},
      {.name = "from-trace -o a foreign link in a sticky directory",
       .args = profile_to("{tree}/sticky/foreign"),
       .status = 2,
       .message = "syscope: " + foreign},
      {.name = "from-trace -o on a full filesystem: no temp file left",
       .args = profile_to("{tree}/fullfs/p.json"),
       .status = 2,
       .message = "syscope: cannot write {tree}/fullfs/p.json: No space left on device"},
  });
}
