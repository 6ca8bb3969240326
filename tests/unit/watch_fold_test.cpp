// SPDX-License-Identifier: Apache-2.0
// watch's burst folding and exit summary: what a hot loop of denials prints, and the counts.
#include <catch2/catch.hpp>

#include <sched.h>

#include <cerrno>

#include "syscope/watch/watch_report.hpp"

using namespace syscope::watch;

namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kT0 = 1714565071ULL * kSec;  // 2024-05-01 12:04:31 UTC
const TextOptions kUtc{true};

Denial denial(uint64_t t, const std::string &name = "web", int nr = 272, uint32_t err = EPERM) {
  Denial d;
  d.wall_time_ns = t;
  d.cgroup_id = 7;
  d.pid = d.tid = 4121;
  d.comm = "app";
  d.nr = nr;
  d.err = err;
  d.args = {CLONE_NEWUSER, 0, 0, 0, 0, 0};
  if (!name.empty()) d.container = ContainerLabel{"docker", name + "-0123456789abcdef", name, ""};
  return d;
}

std::vector<std::string> feed(BurstFolder &f, const Denial &d) {
  return BurstFolder::text_lines(f.add(d), kUtc);
}

}  // namespace

TEST_CASE("500 denials in 1 s: one line and one fold line", "[watch]") {
  BurstFolder folder;
  std::vector<std::string> lines;
  for (int i = 0; i < 500; ++i)
    for (auto &l : feed(folder, denial(kT0 + i * 2'000'000))) lines.push_back(l);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("12:04:31 web (web-01234567) pid 4121 app: unshare(CLONE_NEWUSER) = -EPERM",
                       0) == 0);
  CHECK(folder.tick(kT0 + kSec / 2).empty());  // window still open
  auto closed = BurstFolder::text_lines(folder.tick(kT0 + kSec), kUtc);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0] == "  ... unshare = -EPERM x 499 more in 1.0 s (web)");
  CHECK(folder.flush().empty());
}

TEST_CASE("a hot loop costs one fold line per window; a quiet key starts over", "[watch]") {
  BurstFolder folder;
  uint64_t shown = 0, counted = 0;
  auto take = [&](const std::vector<Folded> &out) {
    for (const auto &f : out) {
      if (f.denial) ++shown;
      if (f.repeats) counted += f.repeats->count;
    }
  };
  // 3 s at 1 kHz.
  for (uint64_t i = 0; i < 3000; ++i) take(folder.add(denial(kT0 + i * 1'000'000)));
  take(folder.flush());
  CHECK(shown == 1);
  CHECK(shown + counted == 3000);  // nothing dropped

  // After a full quiet window the key is cold again: its next denial is shown.
  take(folder.tick(kT0 + 10 * kSec));
  auto out = folder.add(denial(kT0 + 11 * kSec));
  REQUIRE(out.size() == 1);
  CHECK(out[0].denial);
}

TEST_CASE("different containers, calls and errnos fold apart", "[watch]") {
  BurstFolder folder;
  CHECK(feed(folder, denial(kT0, "web")).size() == 1);
  CHECK(feed(folder, denial(kT0 + 1, "db")).size() == 1);
  CHECK(feed(folder, denial(kT0 + 2, "")).size() == 1);          // host
  CHECK(feed(folder, denial(kT0 + 3, "web", 165)).size() == 1);  // mount
  CHECK(feed(folder, denial(kT0 + 4, "web", 272, EACCES)).size() == 1);
  CHECK(feed(folder, denial(kT0 + 5, "web")).empty());
  CHECK(feed(folder, denial(kT0 + 6, "")).empty());
  // A denial after the window closes brings the fold lines first, oldest window first.
  auto lines = feed(folder, denial(kT0 + 2 * kSec, "db"));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "  ... unshare = -EPERM x 1 more in 0.0 s (web)");
  CHECK(lines[1] == "  ... unshare = -EPERM x 1 more in 0.0 s (host)");
  CHECK(lines[2].rfind("12:04:33 db ", 0) == 0);
}

TEST_CASE("the exit summary: per container and syscall, then the total", "[watch]") {
  DenialSummary summary;
  CHECK(summary.text(kUtc) == "no denials\n");
  for (int i = 0; i < 500; ++i) summary.add(denial(kT0 + i * 2'000'000, "web"));
  Denial trap = denial(kT0 + 5 * kSec, "", 161, 31);
  trap.action = SYSCOPE_ACTION_TRAP;
  summary.add(trap);
  summary.add(denial(kT0 + 61 * kSec, "web", 165));
  CHECK(summary.total() == 502);
  CHECK(summary.text(kUtc) ==
        "CONTAINER           SYSCALL  RESULT         COUNT  FIRST     LAST\n"
        "host                chroot   SIGSYS (trap)      1  12:04:36  12:04:36\n"
        "web (web-01234567)  mount    -EPERM             1  12:05:32  12:05:32\n"
        "web (web-01234567)  unshare  -EPERM           500  12:04:31  12:04:31\n"
        "total                                         502\n");
  auto j = nlohmann::json::parse(summary.json().dump());
  CHECK(j["type"] == "summary");
  CHECK(j["total"] == 502);
  REQUIRE(j["denials"].size() == 3);
  const auto &row = j["denials"][2];
  CHECK(row["container"]["name"] == "web");
  CHECK(row["syscall"] == "unshare");
  CHECK(row["errno_name"] == "EPERM");
  CHECK(row["count"] == 500);
  CHECK(row["first"] == "2024-05-01T12:04:31.000000Z");
  CHECK(row["last"] == "2024-05-01T12:04:31.998000Z");
  CHECK(j["denials"][0]["container"].is_null());
  CHECK(j["denials"][0]["signal_name"] == "SIGSYS");
}

TEST_CASE("fold lines as JSON", "[watch]") {
  Repeats r{denial(kT0), 499, kT0, kT0 + 998'000'000};
  auto j = nlohmann::json::parse(format_json(r));
  CHECK(j["type"] == "repeats");
  CHECK(j["count"] == 499);
  CHECK(j["time"] == "2024-05-01T12:04:31.000000Z");
  CHECK(j["until"] == "2024-05-01T12:04:31.998000Z");
  CHECK(j["syscall"] == "unshare");
  CHECK(j["errno_name"] == "EPERM");
  CHECK(j["container"]["name"] == "web");
}
