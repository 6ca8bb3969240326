// SPDX-License-Identifier: Apache-2.0
// The daemon's dry-run settings (daemon/dry_run_candidates.hpp, dry_run_reports.hpp): one judge
// per distinct profile, containers matched by name, id prefix or image, and the reports kept
// one row per rule to add.
#include <sys/socket.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "../common/temp_dir.hpp"
#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/daemon/dry_run_candidates.hpp"
#include "syscope/daemon/dry_run_reports.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope;

namespace {

// Allows read/write/exit_group by name and socket for AF_UNIX only.
constexpr const char *kCandidate = R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    {"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}
  ]
})";

std::string write(const syscope::test::TempDir &dir, const std::string &name,
                  const std::string &text) {
  std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

daemon::DryRunSetting setting(std::string container, std::string image, std::string profile) {
  daemon::DryRunSetting s;
  s.container = std::move(container);
  s.image = std::move(image);
  s.profile = std::move(profile);
  s.where = "dry_run[test]";
  return s;
}

bpf::DryRunCall call(long nr, std::array<uint64_t, 6> args, uint32_t cgroup = 7) {
  bpf::DryRunCall c;
  c.cgroup_id = cgroup;
  c.pid = c.tid = 42;
  c.comm = "app";
  c.nr = static_cast<int32_t>(nr);
  c.args = args;
  return c;
}

constexpr const char *kId = "3f2a9c1b0e7d0000000000000000000000000000000000000000000000000000";

}  // namespace

TEST_CASE("dry-run candidates: one judge per distinct profile, matched by name id or image",
          "[dry_run]") {
  syscope::test::TempDir dir;
  auto web = write(dir, "web.json", kCandidate);
  auto other = write(dir, "other.json", kCandidate);
  std::vector<std::string> warnings;
  daemon::DryRunCandidates c(
      {setting("web", "", web), setting("", "nginx", other), setting("3f2a", "", web)}, &warnings);
  REQUIRE(c.candidate(0));
  REQUIRE(c.candidate(1));
  CHECK_FALSE(c.candidate(2));  // web.json twice is one candidate
  CHECK(c.candidate(1)->profile == other);
  CHECK(c.candidate_for("web", "ffff", "") == 0u);
  CHECK(c.candidate_for("/web", "ffff", "") == 0u);
  CHECK(c.candidate_for("api", "ffff", "nginx:latest") == 1u);
  CHECK(c.candidate_for("api", "ffff", "nginx") == 1u);
  CHECK_FALSE(c.candidate_for("api", "ffff", "nginx:1.25"));
  CHECK(c.candidate_for("api", kId, "") == 0u);  // by id prefix
  CHECK_FALSE(c.candidate_for("api", "ffff", "busybox"));
  CHECK(c.settings_json().size() == 3);
  CHECK(c.settings_json()[1]["image"] == "nginx");
}

TEST_CASE("dry-run candidates: a client's candidate takes a free slot until it ends", "[dry_run]") {
  syscope::test::TempDir dir;
  std::vector<std::string> warnings;
  daemon::DryRunCandidates c({setting("web", "", write(dir, "web.json", kCandidate))}, &warnings);
  auto profile = seccomp::parse_docker_profile(kCandidate, "test");
  uint32_t api = c.add_client(11, profile, "api.json", {"api"});
  uint32_t every = c.add_client(12, profile, "all.json", {});
  CHECK(api == 1);
  CHECK(every == 2);
  CHECK(c.candidate(api)->owner == 11);
  CHECK(c.candidate_for("web", "ffff", "") == 0u);  // the config's setting first
  CHECK(c.candidate_for("api", "ffff", "") == api);
  CHECK(c.candidate_for("db", "ffff", "") == every);  // every container no other names
  CHECK(c.settings_json()[2]["container"] == "*");
  CHECK(c.settings_json()[2]["from"] == "client");
  CHECK(c.remove_owner(11) == std::vector<uint32_t>{api});
  CHECK_FALSE(c.candidate(api));
  CHECK(c.candidate_for("api", "ffff", "") == every);
  CHECK(c.add_client(13, profile, "again.json", {"x"}) == api);  // the freed slot
  CHECK(c.remove_owner(12).size() == 1);
  CHECK(c.remove_owner(13).size() == 1);
  CHECK_FALSE(c.empty());  // the config's stays
  CHECK(c.remove_owner(daemon::DryRunCandidates::kConfig).size() == 1);
  CHECK(c.empty());
  for (uint64_t owner = 20; owner < 20 + SYSCOPE_DRY_CANDIDATES; ++owner)
    c.add_client(owner, profile, "p.json", {"x"});
  CHECK_THROWS_AS(c.add_client(99, profile, "p.json", {"x"}), Error);
  auto broken = profile;
  broken.architectures = {"SCMP_ARCH_NOPE"};
  c.remove_owner(20);
  CHECK_THROWS_AS(c.add_client(98, broken, "broken.json", {"x"}), Error);
  CHECK(c.add_client(97, profile, "p.json", {"x"}) == 0u);  // the failure took no slot
}

TEST_CASE("dry-run candidates: a bad profile or too many is exit 2 naming the setting",
          "[dry_run]") {
  syscope::test::TempDir dir;
  std::vector<std::string> warnings;
  auto message = [&](std::vector<daemon::DryRunSetting> s) {
    try {
      daemon::DryRunCandidates c(s, &warnings);
    } catch (const Error &e) {
      CHECK(e.code == Exit::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  auto missing = message({setting("web", "", (dir / "none.json").string())});
  CHECK(missing.find("dry_run[test]") != std::string::npos);
  CHECK(missing.find("none.json") != std::string::npos);
  auto bad = write(dir, "bad.json", "{\"defaultAction\": ");
  CHECK(message({setting("web", "", bad)}).find("dry_run[test]") != std::string::npos);
  auto bogus = write(dir, "bogus.json",
                     R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],)"
                     R"("action":"SCMP_ACT_BOGUS"}]})");
  auto bogus_message = message({setting("web", "", bogus)});
  CHECK(bogus_message.find("dry_run[test]") != std::string::npos);
  CHECK(bogus_message.find("SCMP_ACT_BOGUS") != std::string::npos);
  std::vector<daemon::DryRunSetting> many;
  for (int i = 0; i <= SYSCOPE_DRY_CANDIDATES; ++i)
    many.push_back(setting("c" + std::to_string(i), "",
                           write(dir, "p" + std::to_string(i) + ".json", kCandidate)));
  CHECK(message(many).find("more than 8 distinct dry-run profiles") != std::string::npos);
}

TEST_CASE("dry-run reports: one row per rule to add per container", "[dry_run]") {
  syscope::test::TempDir dir;
  std::vector<std::string> warnings;
  daemon::DryRunCandidates c({setting("web", "", write(dir, "web.json", kCandidate))}, &warnings);
  const auto &judge = *c.candidate(0)->judge;
  CHECK_FALSE(judge.judge(call(SYS_socket, {AF_UNIX, SOCK_STREAM})));  // allowed: no report
  auto inet6 = judge.judge(call(SYS_socket, {AF_INET6, SOCK_STREAM}));
  auto inet6_other_cgroup = judge.judge(call(SYS_socket, {AF_INET6, SOCK_STREAM}, 8));
  auto getppid = judge.judge(call(SYS_getppid, {}));
  REQUIRE(inet6);
  REQUIRE(inet6_other_cgroup);
  REQUIRE(getppid);

  daemon::DryRunReports reports;
  CHECK(reports.add("a", *inet6, 1'000'000'000));
  CHECK_FALSE(reports.add("a", *inet6_other_cgroup, 2'000'000'000));  // same rule: same row
  CHECK(reports.add("a", *getppid, 3'000'000'000));
  CHECK(reports.add("b", *getppid, 3'000'000'000));  // another container: its own row
  CHECK(reports.total() == 3);
  auto a = reports.container_json("a", {{"id", "a"}});
  REQUIRE(a["would_deny"].size() == 2);
  CHECK(a["would_deny"][0]["syscall"] == "getppid");
  CHECK(a["would_deny"][1]["syscall"] == "socket");
  CHECK(a["would_deny"][1]["reports"] == 2);
  CHECK(a["would_deny"][1]["rule"]["args"][0]["valueTwo"] == AF_INET6);
  CHECK(a["rows_dropped"] == 0);
  CHECK(reports.rules_to_add("a").size() == 2);
  reports.forget("a");
  CHECK(reports.total() == 1);
  CHECK(reports.container_json("a", {})["would_deny"].empty());
}

TEST_CASE("dry-run reports: past the cap a container's new rows are only counted", "[dry_run]") {
  syscope::test::TempDir dir;
  std::vector<std::string> warnings;
  daemon::DryRunCandidates c({setting("web", "", write(dir, "web.json", kCandidate))}, &warnings);
  const auto &judge = *c.candidate(0)->judge;
  daemon::DryRunReports reports;
  for (uint64_t family = 2; family < 2 + daemon::DryRunReports::kMaxRows + 5; ++family)
    if (auto w = judge.judge(call(SYS_socket, {family, SOCK_STREAM}))) reports.add("a", *w, family);
  auto a = reports.container_json("a", {});
  CHECK(a["would_deny"].size() == daemon::DryRunReports::kMaxRows);
  CHECK(a["rows_dropped"] == 5);
}
