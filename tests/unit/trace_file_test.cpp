// SPDX-License-Identifier: Apache-2.0
// The trace file: every record kind round-trips byte for byte, compressed or not; a file cut
// at any byte or with any byte flipped reads back every whole block before the damage and says
// where it stopped; newer versions and non-traces are refused clearly; --max-size holds.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <random>
#include <string>
#include <vector>

#include "crc32c.hpp"
#include "syscope/base/error.hpp"
#include "syscope/trace/trace_file.hpp"
#include "trace_records.hpp"

using namespace syscope;
using namespace syscope::trace;
using namespace trace_test;

namespace {

struct Stored {
  uint16_t kind;
  std::string bytes;
  bool operator==(const Stored &o) const { return kind == o.kind && bytes == o.bytes; }
};

FileHeader test_header() {
  FileHeader h;
  h.syscope_version = "0.1.0";
  h.hostname = "forensics-1";
  h.kernel_release = "6.1.0-18-amd64";
  h.machine = "x86_64";
  h.boot_to_wall_ns = 1714565071LL * 1'000'000'000 - 5'000'000'000;
  h.created_wall_ns = 1714565071ULL * 1'000'000'000;
  return h;
}

template <typename T> Stored kernel(const T &ev) {
  return {ev.hdr.type, std::string(reinterpret_cast<const char *>(&ev), ev.hdr.size)};
}
Stored kernel(const SyscallRecord &r) {
  return {SYSCOPE_EV_SYSCALL, std::string(reinterpret_cast<const char *>(&r), r.size())};
}
Stored json(uint16_t kind, const nlohmann::json &j) { return {kind, j.dump()}; }

// One of every record kind, with the content the kernel side and `syscope trace` give them.
std::vector<Stored> every_kind(uint64_t ts) {
  const uint64_t cg = 4242;
  std::vector<Stored> v;
  v.push_back(kernel(
      cgroup_event(SYSCOPE_EV_CGROUP_MKDIR, ts, cg, "system.slice/docker-3f2a9c1b0e7d.scope")));
  v.push_back(json(kRecordCgroupPath,
                   {{"cgroup_id", cg}, {"path", "/system.slice/docker-3f2a9c1b0e7d.scope"}}));
  v.push_back(json(kRecordContainer, {{"cgroup_id", cg},
                                      {"runtime", "docker"},
                                      {"id", "3f2a9c1b0e7d5a8c9b1d2e3f4a5b6c7d"},
                                      {"name", "web"},
                                      {"image", "nginx:1.25"},
                                      {"labels", {{"com.example.team", "blue"}}}}));
  v.push_back(kernel(proc_fork(ts + 1, cg, 4100, 4121)));
  static const char argv[] = "nginx\0-g\0daemon off;";
  v.push_back(kernel(proc_exec(ts + 2, cg, 4121, "/usr/sbin/nginx", argv, sizeof argv)));
  v.push_back(kernel(with_path(syscall_record(ts + 3, cg, 4121, 4121, 257, 3), "/etc/passwd")));
  v.push_back(kernel(with_path(syscall_record(ts + 4, cg, 4121, 4121, 257, -ENOENT), "/nope")));
  v.push_back(
      kernel(with_unix_sockaddr(syscall_record(ts + 5, cg, 4121, 4122, 42, 0), "/run/app.sock")));
  v.push_back(kernel(syscall_record(ts + 6, cg, 4121, 4121, 39, 4121)));  // getpid, no data
  v.push_back(kernel(with_lost_path(syscall_record(ts + 7, cg, 4121, 4121, 2, -EFAULT), 0)));
  // mount: three strings, the source NULL (an empty slot before two filled ones).
  auto mount = syscall_record(ts + 7, cg, 4121, 4121, 165, 0);
  add_slot(mount, SYSCOPE_DATA_NONE, 0);
  v.push_back(kernel(with_path(with_path(mount, "/mnt", 1), "tmpfs", 2, SYSCOPE_DATA_STRING)));
  v.push_back(kernel(syscall_record(ts + 8, cg, 4121, 4121, 272, -EPERM, SYSCOPE_SYSCALL_DENIED)));
  v.push_back(kernel(denial(ts + 9, cg, 4121, "nginx", 272, SYSCOPE_ACTION_ERRNO, EPERM)));
  v.push_back(kernel(syscall_record(ts + 10, cg, 4121, 4121, 231, 0, SYSCOPE_SYSCALL_ENTER_ONLY)));
  v.push_back(kernel(proc_exit(ts + 11, cg, 4121, 0)));
  auto first_seen = blank<syscope_first_seen>(SYSCOPE_EV_FIRST_SEEN, ts + 12);
  first_seen.cgroup_id = cg;
  first_seen.nr = 257;
  v.push_back(kernel(first_seen));
  auto first_denial = blank<syscope_first_denial>(SYSCOPE_EV_FIRST_DENIAL, ts + 13);
  first_denial.key = {cg, 272, SYSCOPE_ARCH_NATIVE, EPERM};
  v.push_back(kernel(first_denial));
  v.push_back(kernel(cgroup_event(SYSCOPE_EV_CGROUP_RMDIR, ts + 14, cg,
                                  "system.slice/docker-3f2a9c1b0e7d.scope")));
  v.push_back(json(kRecordCounters, {{"ringbuf_full", 0}, {"user_read", 1}}));
  v.push_back(json(kRecordNote, {{"text", "stopped: --duration reached"}}));
  return v;
}

void add(TraceWriter &w, const Stored &s) {
  if (s.kind >= 100)
    w.add_json(s.kind, nlohmann::json::parse(s.bytes));
  else
    w.add(s.kind, s.bytes.data(), s.bytes.size());
}

std::vector<Stored> read_all(TraceReader &r) {
  std::vector<Stored> out;
  Record rec;
  while (r.next(rec)) {
    REQUIRE(reinterpret_cast<uintptr_t>(rec.bytes.data()) % 8 == 0);
    out.push_back({rec.kind, std::string(rec.bytes)});
  }
  return out;
}

// A trace of `blocks` blocks of every_kind() each; block_ends[i]: file size after block i.
struct Written {
  std::string bytes;
  std::vector<Stored> records;
  std::vector<uint64_t> block_ends;    // [0]: end of the file header
  std::vector<size_t> records_before;  // records in blocks before block i
};

Written write_blocks(const std::string &path, int blocks, bool compress) {
  Written out;
  {
    TraceWriter w(path, test_header(), {0, compress, false});
    out.block_ends.push_back(w.bytes_written());
    for (int b = 0; b < blocks; ++b) {
      out.records_before.push_back(out.records.size());
      for (const auto &s : every_kind(1'000'000 * (b + 1))) {
        add(w, s);
        out.records.push_back(s);
      }
      w.flush();
      out.block_ends.push_back(w.bytes_written());
    }
    out.records_before.push_back(out.records.size());
    w.close();
  }
  out.bytes = slurp(path);
  out.block_ends.push_back(out.bytes.size());  // the end marker: an empty block
  out.records_before.push_back(out.records.size());
  return out;
}

bool starts_with(const std::vector<Stored> &all, const std::vector<Stored> &prefix) {
  return prefix.size() <= all.size() && std::equal(prefix.begin(), prefix.end(), all.begin());
}

}  // namespace

TEST_CASE("crc32c: the standard check value, hardware and table agree", "[trace]") {
  CHECK(crc32c("123456789", 9) == 0xe3069283);
  CHECK(crc32c_portable("123456789", 9) == 0xe3069283);
  std::mt19937 rng(7);
  std::string data(4099, '\0');
  for (auto &c : data) c = static_cast<char>(rng());
  for (size_t n : {0, 1, 7, 8, 9, 63, 4099})
    CHECK(crc32c(data.data(), n) == crc32c_portable(data.data(), n));
  CHECK(crc32c(data.data() + 5, 100, crc32c(data.data(), 5)) == crc32c(data.data(), 105));
}

TEST_CASE("every record kind round-trips byte for byte", "[trace]") {
  TempDir dir;
  bool compress = GENERATE(true, false);
  CAPTURE(compress);
  Written w = write_blocks(dir.file("t.trace"), 3, compress);
  TraceReader r(dir.file("t.trace"));
  CHECK(r.header().format_version == kFormatVersion);
  CHECK(r.header().syscope_version == "0.1.0");
  CHECK(r.header().hostname == "forensics-1");
  CHECK(r.header().kernel_release == "6.1.0-18-amd64");
  CHECK(r.header().machine == "x86_64");
  CHECK(r.header().boot_to_wall_ns == test_header().boot_to_wall_ns);
  CHECK(r.header().created_wall_ns == test_header().created_wall_ns);
  auto got = read_all(r);
  CHECK(got.size() == w.records.size());
  CHECK(got == w.records);
  CHECK_FALSE(r.stopped_early());
  CHECK(r.complete());
  CHECK(r.blocks_read() == 4);  // 3 and the end marker
  CHECK(r.records_skipped() == 0);

  Record rec;
  CHECK_FALSE(r.next(rec));  // stays at the end
}

TEST_CASE("record helpers: JSON records, kind names, sizes", "[trace]") {
  std::string text = R"({"cgroup_id":7,"name":"web"})";
  Record rec{kRecordContainer, text};
  auto j = parse_json_record(rec);
  REQUIRE(j);
  CHECK((*j)["name"] == "web");
  std::string bad = "{\"cgroup_id\":";
  CHECK_FALSE(parse_json_record({kRecordContainer, bad}));
  std::string array = "[1]";
  CHECK_FALSE(parse_json_record({kRecordNote, array}));
  CHECK_FALSE(parse_json_record({SYSCOPE_EV_SYSCALL, text}));
  CHECK(record_kind_name(SYSCOPE_EV_SYSCALL) == "syscall");
  CHECK(record_kind_name(kRecordCounters) == "counters");
  CHECK(record_kind_name(99).empty());
  CHECK(kernel_record_min_size(SYSCOPE_EV_SYSCALL) == 112);
  CHECK(kernel_record_min_size(SYSCOPE_EV_PROC_EXEC) == 296);
  CHECK(kernel_record_min_size(42) == 0);
}

TEST_CASE("compression: used when it pays, off when asked", "[trace]") {
  TempDir dir;
  Written z = write_blocks(dir.file("z.trace"), 4, true);
  Written raw = write_blocks(dir.file("raw.trace"), 4, false);
  CHECK(z.bytes.size() < raw.bytes.size() / 2);
  TraceReader r(dir.file("z.trace"));
  CHECK(read_all(r) == raw.records);

  // Incompressible JSON: stored raw even with compression on, and still reads back.
  std::mt19937 rng(1);
  std::string noise;
  for (int i = 0; i < 3000; ++i) noise += static_cast<char>('!' + rng() % 90);
  {
    TraceWriter w(dir.file("noise.trace"), test_header(), {0, true, false});
    w.add_json(kRecordNote, {{"text", noise}});
  }
  TraceReader n(dir.file("noise.trace"));
  auto got = read_all(n);
  REQUIRE(got.size() == 1);
  CHECK(nlohmann::json::parse(got[0].bytes)["text"] == noise);
}

TEST_CASE("big traces: add() ends blocks on its own", "[trace]") {
  TempDir dir;
  const int n = 20000;  // 20000 * (8 + 368) bytes: several 1 MiB blocks
  {
    TraceWriter w(dir.file("big.trace"), test_header(), {0, true, false});
    for (int i = 0; i < n; ++i) {
      auto r = with_path(syscall_record(i, 1, 1, 1, 257, i), "/usr/lib/x86_64-linux-gnu/libc.so.6");
      w.add(SYSCOPE_EV_SYSCALL, &r, r.size());
    }
  }
  TraceReader r(dir.file("big.trace"));
  Record rec;
  int count = 0;
  bool in_order = true;
  while (r.next(rec)) {
    syscope_syscall_event ev;
    std::memcpy(&ev, rec.bytes.data(), sizeof ev);
    in_order = in_order && ev.ret == count;
    ++count;
  }
  CHECK(count == n);
  CHECK(in_order);
  CHECK(r.blocks_read() > 3);
  CHECK(r.complete());
}

TEST_CASE("a file cut off at any byte reads every whole block before the cut", "[trace]") {
  TempDir dir;
  bool compress = GENERATE(true, false);
  CAPTURE(compress);
  Written w = write_blocks(dir.file("t.trace"), 4, compress);
  const uint64_t header_end = w.block_ends[0];
  size_t failures = 0;
  for (size_t cut = 0; cut < w.bytes.size(); ++cut) {
    std::string part = w.bytes.substr(0, cut);
    if (cut < header_end) {
      bool threw = false;
      try {
        TraceReader r("cut", part);
      } catch (const Error &e) {
        threw = e.code == Exit::usage;
      }
      failures += !threw;
      continue;
    }
    TraceReader r("cut", part);
    auto got = read_all(r);
    // Whole blocks before the cut: the last block end <= cut.
    size_t whole = 0;
    while (whole + 1 < w.block_ends.size() && w.block_ends[whole + 1] <= cut) ++whole;
    bool at_boundary = w.block_ends[whole] == cut;
    bool ok =
        got.size() == w.records_before[whole] && starts_with(w.records, got) &&
        r.blocks_read() == whole && !r.complete() &&
        (at_boundary
             ? !r.stopped_early()
             : r.stopped_early() && r.stopped_early()->find("truncated") != std::string::npos &&
                   r.stopped_early()->rfind("block " + std::to_string(whole) + " at offset " +
                                                std::to_string(w.block_ends[whole]) + ": ",
                                            0) == 0);
    if (!ok) {
      UNSCOPED_INFO("cut at " << cut << ": " << got.size()
                              << " records, stopped: " << r.stopped_early().value_or("no"));
      ++failures;
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("a flipped byte: the blocks before it read, then the reader says where", "[trace]") {
  TempDir dir;
  bool compress = GENERATE(true, false);
  CAPTURE(compress);
  Written w = write_blocks(dir.file("t.trace"), 4, compress);

  SECTION("in the middle of block 2's payload: checksum mismatch") {
    uint64_t at = w.block_ends[2];  // block 2 starts here
    std::string bytes = w.bytes;
    bytes[at + 32 + (w.block_ends[3] - at - 32) / 2] ^= 0x01;
    spit(dir.file("flipped.trace"), bytes);
    TraceReader r(dir.file("flipped.trace"));
    auto got = read_all(r);
    CHECK(got.size() == w.records_before[2]);
    CHECK(starts_with(w.records, got));
    REQUIRE(r.stopped_early());
    CHECK(*r.stopped_early() == "block 2 at offset " + std::to_string(at) + ": checksum mismatch");
    CHECK_FALSE(r.complete());
  }

  SECTION("any single byte after the file header") {
    size_t failures = 0;
    for (size_t i = w.block_ends[0]; i < w.bytes.size(); ++i) {
      std::string bytes = w.bytes;
      bytes[i] ^= 0x20;
      TraceReader r("flip", bytes);
      auto got = read_all(r);
      size_t block = 0;
      while (w.block_ends[block + 1] <= i) ++block;
      bool ok = got.size() == w.records_before[block] && starts_with(w.records, got) &&
                r.stopped_early().has_value();
      if (!ok) {
        UNSCOPED_INFO("flip at " << i << ": " << got.size()
                                 << " records, stopped: " << r.stopped_early().value_or("no"));
        ++failures;
      }
    }
    CHECK(failures == 0);
  }

  SECTION("any byte of the file header: refused") {
    size_t failures = 0;
    for (size_t i = 0; i < w.block_ends[0]; ++i) {
      std::string bytes = w.bytes;
      bytes[i] ^= 0x20;
      try {
        TraceReader r("flip", bytes);
        ++failures;
      } catch (const Error &e) {
        failures += e.code != Exit::usage;
      }
    }
    CHECK(failures == 0);
  }
}

TEST_CASE("a block after the end marker, a spliced block", "[trace]") {
  TempDir dir;
  Written w = write_blocks(dir.file("t.trace"), 2, true);
  std::string header = w.bytes.substr(0, w.block_ends[0]);
  std::string block0 = w.bytes.substr(w.block_ends[0], w.block_ends[1] - w.block_ends[0]);

  TraceReader after("after", w.bytes + block0);
  CHECK(read_all(after).size() == w.records.size());
  CHECK(after.complete());
  REQUIRE(after.stopped_early());
  CHECK(after.stopped_early()->find("data after the end of the trace") != std::string::npos);

  TraceReader twice("twice", header + block0 + block0);  // block 0 where block 1 belongs
  CHECK(read_all(twice).size() == w.records_before[1]);
  REQUIRE(twice.stopped_early());
  CHECK(*twice.stopped_early() == "block 1 at offset " + std::to_string(w.block_ends[1]) +
                                      ": out of sequence (block number 0)");
}

TEST_CASE("false from next() is final: nothing of the damaged block, asked again", "[trace]") {
  TempDir dir;
  bool compress = GENERATE(true, false);
  CAPTURE(compress);
  {
    TraceWriter w(dir.file("t.trace"), test_header(), {0, compress, false});
    w.add_json(kRecordNote, {{"text", "block 0"}});
    w.flush();
    // Block 1 larger than block 0, so a reader still at the end of block 0 is inside block 1.
    w.add_json(kRecordNote, {{"text", std::string(4096, 'x')}});
  }
  std::string bytes = slurp(dir.file("t.trace"));
  bytes[bytes.size() - 32 - 1] ^= 0x01;  // block 1's last payload byte (then the end marker)
  TraceReader r("damaged", bytes);
  Record rec;
  REQUIRE(r.next(rec));
  CHECK_FALSE(r.next(rec));
  REQUIRE(r.stopped_early());
  CHECK(r.stopped_early()->rfind("block 1 ", 0) == 0);
  CHECK_FALSE(r.next(rec));
  CHECK_FALSE(r.next(rec));
}

TEST_CASE("a newer format version is refused with an upgrade hint", "[trace]") {
  TempDir dir;
  Written w = write_blocks(dir.file("t.trace"), 1, true);
  std::string bytes = w.bytes;
  bytes[8] = 3;  // format_version, little-endian, right after the magic
  spit(dir.file("new.trace"), bytes);
  try {
    TraceReader r(dir.file("new.trace"));
    FAIL("no error");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) == dir.file("new.trace") +
                                       ": trace format version 3 is newer than this syscope reads "
                                       "(2); upgrade syscope");
  }
}

TEST_CASE("a format 1 trace (one capture per call) is refused in one line", "[trace]") {
  TempDir dir;
  Written w = write_blocks(dir.file("t.trace"), 1, true);
  std::string bytes = w.bytes;
  bytes[8] = 1;  // what syscope wrote before syscall records had data slots
  spit(dir.file("old.trace"), bytes);
  try {
    TraceReader r(dir.file("old.trace"));
    FAIL("no error");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) ==
          dir.file("old.trace") +
              ": trace format version 1 was written by an older syscope (one captured argument "
              "per call); this syscope reads version 2 only: read it with the syscope that "
              "wrote it, or record it again");
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

TEST_CASE("not a trace: a clear error", "[trace]") {
  TempDir dir;
  auto message = [](const std::string &path) -> std::string {
    try {
      TraceReader r(path);
    } catch (const Error &e) {
      CHECK(e.code == Exit::usage);
      return e.what();
    }
    return "no error";
  };
  spit(dir.file("profile.json"), R"({"defaultAction":"SCMP_ACT_ERRNO"})");
  CHECK(message(dir.file("profile.json")) ==
        dir.file("profile.json") + ": not a syscope trace file (no SYSCOPE magic)");
  spit(dir.file("empty"), "");
  CHECK(message(dir.file("empty")) == dir.file("empty") + ": empty file, not a syscope trace");
  spit(dir.file("short"), std::string("SYSCOPE\0\1", 9));
  CHECK(message(dir.file("short")) == dir.file("short") + ": trace header is cut off (9 bytes)");
  CHECK(message(dir.str()) == dir.str() + ": is a directory, not a syscope trace");
  CHECK(message(dir.file("missing")) ==
        dir.file("missing") + ": cannot open: No such file or directory");
  std::string v0("SYSCOPE\0\0\0\0\0\0\0\0\0", 16);
  spit(dir.file("v0"), v0);
  CHECK(message(dir.file("v0")) ==
        dir.file("v0") + ": not a syscope trace file (format version 0)");
  std::string huge("SYSCOPE\0\2\0\0\0\xff\xff\xff\x7f", 16);
  spit(dir.file("huge"), huge);
  CHECK(message(dir.file("huge")) ==
        dir.file("huge") + ": trace header is corrupt (header length 2147483647)");
}

TEST_CASE("a header whose times are not integers is corrupt, not cast", "[trace]") {
  // Found by trace_reader_fuzz under UBSan: 5.5e21 cast to uint64_t is undefined behaviour.
  TempDir dir;
  auto le32 = [](uint32_t v) { return std::string(reinterpret_cast<const char *>(&v), 4); };
  const std::string json = R"({"created_wall_ns":5.5e21})";
  std::string header = std::string("SYSCOPE\0", 8) + le32(2) + le32(json.size()) + json;
  header += le32(crc32c(header.data() + 8, 8 + json.size()));
  spit(dir.file("float.trace"), header);
  try {
    TraceReader r(dir.file("float.trace"));
    FAIL("read a header with a float time");
  } catch (const Error &e) {
    CHECK(std::string(e.what()) == dir.file("float.trace") +
                                       ": trace header is corrupt (created_wall_ns is not an "
                                       "integer)");
  }
}

TEST_CASE("a trace still being written reads up to its last flush", "[trace]") {
  TempDir dir;
  TraceWriter w(dir.file("live.trace"), test_header(), {0, true, false});
  auto rec = syscall_record(1, 1, 1, 1, 39, 1);
  w.add(SYSCOPE_EV_SYSCALL, &rec, rec.size());
  w.flush();
  w.add(SYSCOPE_EV_SYSCALL, &rec, rec.size());  // buffered, not yet in the file
  TraceReader r(dir.file("live.trace"));
  CHECK(read_all(r).size() == 1);
  CHECK_FALSE(r.stopped_early());
  CHECK_FALSE(r.complete());
  struct stat st;
  REQUIRE(stat(dir.file("live.trace").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("max_size: full() before the limit, closing records fit, never past it", "[trace]") {
  TempDir dir;
  const uint64_t max = 256 * 1024;
  bool compress = GENERATE(true, false);
  CAPTURE(compress);
  uint64_t added = 0;
  {
    TraceWriter w(dir.file("capped.trace"), test_header(), {max, compress, false});
    int i = 0;
    while (!w.full()) {
      auto r = with_path(syscall_record(i, 1, 1, 1, 257, 3), "/etc/ld.so.cache");
      w.add(SYSCOPE_EV_SYSCALL, &r, r.size());
      if (++i % 100 == 0) w.flush();
      REQUIRE(i < 1000000);
    }
    added = i;  // the record that made it full was kept (in the close reserve)
    CHECK(w.records_dropped() == 0);
    w.add_json(kRecordCounters, {{"ringbuf_full", 0}});
    w.add_json(kRecordNote, {{"text", "stopped: maximum size reached"}});
    CHECK(w.records_dropped() == 0);
    // Data past the reserve is dropped and counted, never written past max.
    std::string big(kCloseReserveBytes + 1024, 'x');
    w.add_json(kRecordNote, {{"text", big}});
    CHECK(w.records_dropped() == 1);
    w.close();
    CHECK(w.bytes_written() <= max);
    CHECK(w.bytes_written() > max - kCloseReserveBytes - 32 * 1024);
  }
  CHECK(slurp(dir.file("capped.trace")).size() <= max);
  TraceReader r(dir.file("capped.trace"));
  auto got = read_all(r);
  REQUIRE(got.size() == added + 2);
  CHECK(got[added].kind == kRecordCounters);
  CHECK(got[added + 1].kind == kRecordNote);
  CHECK(r.complete());

  CHECK_THROWS_AS((TraceWriter(dir.file("tiny.trace"), test_header(), WriterOptions{1000})), Error);
}

TEST_CASE("the writer refuses malformed kernel records and counts them", "[trace]") {
  TempDir dir;
  TraceWriter w(dir.file("t.trace"), test_header(), {0, true, false});
  auto r = syscall_record(1, 1, 1, 1, 39, 1);
  w.add(SYSCOPE_EV_SYSCALL, &r, 100);         // shorter than the struct
  w.add(SYSCOPE_EV_PROC_EXIT, &r, r.size());  // kind and hdr.type disagree
  auto data = with_path(r, "/x");
  data.slots[0].len = 300;  // more than a slot holds
  w.add(SYSCOPE_EV_SYSCALL, &data, data.size());
  auto arg = with_path(r, "/x", 6);  // no seventh argument
  w.add(SYSCOPE_EV_SYSCALL, &arg, arg.size());
  auto slots = with_path(r, "/x");
  slots.ev.hdr.size = sizeof slots.ev + 100;  // a slot cut short
  w.add(SYSCOPE_EV_SYSCALL, &slots, slots.size());
  slots.ev.nslots = SYSCOPE_CAPTURE_SLOTS + 1;  // more slots than there are
  slots.ev.hdr.size = sizeof slots;
  w.add(SYSCOPE_EV_SYSCALL, &slots, slots.size());
  w.add(0, &r, r.size());  // kind 0
  std::string huge(kMaxRecordBytes + 1, ' ');
  w.add(kRecordNote, huge.data(), huge.size());  // too large
  CHECK(w.records_rejected() == 8);
  w.add(SYSCOPE_EV_SYSCALL, &r, r.size());
  w.close();
  TraceReader reader(dir.file("t.trace"));
  CHECK(read_all(reader).size() == 1);
}

TEST_CASE("cannot create the file: Exit::usage", "[trace]") {
  try {
    TraceWriter w("/nonexistent-dir/t.trace", test_header());
    FAIL("no error");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) ==
          "/nonexistent-dir/t.trace: cannot create: No such file or directory");
  }
}
