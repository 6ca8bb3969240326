// SPDX-License-Identifier: Apache-2.0
// The daemon's trace stream: records -> messages -> the client's trace file, read back by the
// real reader; and a damaged stream (bad base64, bad record sizes, a bad header) refused with one
// line, never a crash or a file that says something else.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/daemon/trace_stream.hpp"
#include "trace_records.hpp"

using namespace syscope;
using trace_test::syscall_record;
using trace_test::TempDir;

namespace {

template <typename T> std::string bytes_of(const T &record, size_t size = sizeof(T)) {
  return std::string(reinterpret_cast<const char *>(&record), size);
}

std::string some_records() {
  std::string out;
  auto a = syscall_record(1000, 77, 10, 10, 39, 10);  // getpid
  auto b = syscall_record(2000, 77, 10, 11, 2, -2);   // open, with a path
  auto &slot = trace_test::add_slot(b, SYSCOPE_DATA_PATH, 0);
  std::strcpy(slot.data, "/etc/hostname");
  slot.len = sizeof "/etc/hostname";
  auto fork = trace_test::blank<syscope_proc_fork>(SYSCOPE_EV_PROC_FORK, 3000);
  fork.cgroup_id = 77;
  fork.parent_pid = fork.parent_tid = 10;
  fork.child_pid = fork.child_tid = 12;
  out += std::string(static_cast<const char *>(a.bytes()), a.size());
  out += std::string(static_cast<const char *>(b.bytes()), b.size());
  out += bytes_of(fork);
  return out;
}

// The line as the client receives it: parsed from its text.
nlohmann::json received(const std::string &line) { return nlohmann::json::parse(line); }

std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    CHECK(e.code == Exit::environment);
    return e.what();
  }
  FAIL("no error");
  return "";
}

}  // namespace

TEST_CASE("base64 round-trips every length and byte", "[trace_stream]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto decoded = base64_decode(base64_encode(all.substr(0, n)));
    REQUIRE(decoded);
    CHECK(*decoded == all.substr(0, n));
  }
  CHECK(base64_decode(base64_encode(all + "xy")) == all + "xy");
}

TEST_CASE("base64_decode refuses what is not canonical base64", "[trace_stream]") {
  for (const char *bad : {"Zg=", "Zg", "Z", "Zm9", "Zg==Zg==", "Z===", "====", "Zm9v\n", " Zm9v",
                          "Zm-v", "Zm_v", "Zh==", "Zm9=", "Zm=v", "=m9v", "Zm9v\xff\xff\xff\xff"})
    CHECK_FALSE(base64_decode(bad));
  CHECK(base64_decode(std::string("AAAA")) == std::string(3, '\0'));
}

TEST_CASE("records go through the stream into a trace file the reader reads back",
          "[trace_stream]") {
  TempDir dir;
  auto header = trace::local_file_header();
  nlohmann::json container = {{"cgroup_id", 77}, {"runtime", "docker"}, {"id", "abc123"},
                              {"name", "/web"},  {"image", "nginx"},    {"labels", {}}};
  // Daemon side.
  auto start = received(daemon::trace_start_fields(5, header, container).dump());
  std::string records = some_records();
  std::vector<std::string> lines = {daemon::trace_records_message(5, records.substr(0, 112)),
                                    daemon::trace_records_message(5, records.substr(112)),
                                    daemon::trace_records_message(5, "")};
  bpf::LossCounters losses;
  losses.values[SYSCOPE_CNT_RINGBUF_FULL] = 3;
  auto counters = syscope::bpf::to_json(losses);
  counters["session_dropped"] = 0;
  std::string end = daemon::trace_end_message(5, "duration", counters);

  // Client side.
  CHECK(start["session"] == 5);
  auto got_header = daemon::header_from_json(start["header"]);
  CHECK(got_header.hostname == header.hostname);
  CHECK(got_header.kernel_release == header.kernel_release);
  CHECK(got_header.boot_to_wall_ns == header.boot_to_wall_ns);
  CHECK(got_header.created_wall_ns == header.created_wall_ns);
  std::string path = dir.file("t.trace");
  size_t added = 0;
  {
    trace::TraceWriter out(path, got_header);
    out.add_json(trace::kRecordContainer, start["container"]);
    for (const auto &line : lines) {
      auto msg = received(line);
      CHECK(msg["event"] == "trace_records");
      CHECK(msg["session"] == 5);
      added += daemon::write_stream_records(out, daemon::records_of_message(msg));
    }
    auto last = received(end);
    CHECK(last["event"] == "trace_end");
    CHECK(last["reason"] == "duration");
    out.add_json(trace::kRecordCounters, last["counters"]);
    out.close();
    CHECK(out.records_rejected() == 0);
  }
  CHECK(added == 3);

  trace::TraceReader reader(path);
  CHECK(reader.header().hostname == header.hostname);
  std::vector<uint16_t> kinds;
  std::string kernel_bytes;
  trace::Record r;
  while (reader.next(r)) {
    kinds.push_back(r.kind);
    if (r.kind < 100) kernel_bytes += std::string(r.bytes);
    if (r.kind == trace::kRecordCounters)
      CHECK((*trace::parse_json_record(r))["ringbuf_full"] == 3);
  }
  CHECK(reader.complete());
  CHECK(kinds == std::vector<uint16_t>{trace::kRecordContainer, SYSCOPE_EV_SYSCALL,
                                       SYSCOPE_EV_SYSCALL, SYSCOPE_EV_PROC_FORK,
                                       trace::kRecordCounters});
  CHECK(kernel_bytes == records);  // byte for byte
}

TEST_CASE("a damaged batch is refused whole, with one line", "[trace_stream]") {
  TempDir dir;
  trace::TraceWriter out(dir.file("t.trace"), trace::local_file_header());
  std::string good = some_records();
  auto refused = [&](const std::string &bytes) {
    return error_of([&] { daemon::write_stream_records(out, bytes); });
  };

  SECTION("cut off inside a header") {
    CHECK_THAT(refused(good + std::string(10, 'x')),
               Catch::Contains("cut off") &&
                   Catch::Contains("byte " + std::to_string(good.size())));
  }
  SECTION("cut off inside a record") {
    CHECK_THAT(refused(good.substr(0, good.size() - 1)),
               Catch::Contains("bytes are left") && Catch::Contains("daemon's trace stream"));
  }
  SECTION("a size under the header's") {
    auto rec = syscall_record(1, 77, 1, 1, 39, 0);
    for (uint16_t size : {0, 1, 15}) {
      rec.ev.hdr.size = size;
      CHECK_THAT(refused(good + bytes_of(rec.ev)), Catch::Contains("under 16 bytes"));
    }
  }
  SECTION("a type that is not a kernel record's") {
    auto rec = syscall_record(1, 77, 1, 1, 39, 0);
    for (uint16_t type : {0, 100, 103, 65535}) {
      rec.ev.hdr.type = type;
      CHECK_THAT(refused(bytes_of(rec.ev)), Catch::Contains("not a kernel record's"));
    }
  }
  SECTION("garbage") {
    std::string junk(4096, '\xff');
    CHECK_THAT(refused(junk), Catch::Contains("daemon's trace stream"));
  }
  // Nothing of a refused batch reached the file.
  out.close();
  trace::TraceReader reader(dir.file("t.trace"));
  trace::Record r;
  CHECK_FALSE(reader.next(r));
}

TEST_CASE("a trace_records message without valid base64 is refused with one line",
          "[trace_stream]") {
  for (const char *line :
       {R"({"event":"trace_records","session":1})",
        R"({"event":"trace_records","session":1,"data":5})",
        R"({"event":"trace_records","session":1,"data":"Zm9"})",
        R"({"event":"trace_records","session":1,"data":"Zm9v!!!!"})", R"([1,2])"}) {
    std::string what = error_of([&] { daemon::records_of_message(received(line)); });
    CHECK_THAT(what, Catch::Contains("daemon's trace stream is damaged"));
    CHECK(what.find('\n') == std::string::npos);
  }
  // A batch of nothing is fine (an idle tick).
  CHECK(daemon::records_of_message(received(daemon::trace_records_message(1, ""))).empty());
}

TEST_CASE("a start response's header with missing or wrong fields is refused", "[trace_stream]") {
  auto good = daemon::header_to_json(trace::local_file_header());
  CHECK_NOTHROW(daemon::header_from_json(good));
  for (const char *key : {"syscope_version", "hostname", "kernel_release", "machine",
                          "boot_to_wall_ns", "created_wall_ns"}) {
    auto missing = good;
    missing.erase(key);
    CHECK_THAT(error_of([&] { daemon::header_from_json(missing); }), Catch::Contains(key));
    auto wrong = good;
    wrong[key] = nlohmann::json::array();
    CHECK_THAT(error_of([&] { daemon::header_from_json(wrong); }), Catch::Contains(key));
  }
  auto fractional = good;
  fractional["boot_to_wall_ns"] = 5.5e21;
  CHECK_THAT(error_of([&] { daemon::header_from_json(fractional); }),
             Catch::Contains("boot_to_wall_ns"));
  auto huge = good;
  huge["boot_to_wall_ns"] = UINT64_MAX;
  CHECK_THAT(error_of([&] { daemon::header_from_json(huge); }), Catch::Contains("out of range"));
  auto negative = good;
  negative["created_wall_ns"] = -1;
  CHECK_THAT(error_of([&] { daemon::header_from_json(negative); }), Catch::Contains("negative"));
  CHECK_THAT(error_of([&] { daemon::header_from_json(nlohmann::json("x")); }),
             Catch::Contains("not a JSON object"));
}
