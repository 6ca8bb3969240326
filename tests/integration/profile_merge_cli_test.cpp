// SPDX-License-Identifier: Apache-2.0
// `syscope profile convert`, `merge` and `diff` end to end: the real binary on the merge
// fixtures and Docker's default; exit codes (diff: 0 equal, 1 different; 2 bad input, one line
// with the JSON path), -o with the coverage file beside it, an SPO object applied back.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "helpers.hpp"

using Catch::Matchers::Contains;
using syscope::test::read_file;
using syscope::test::run_syscope;
using syscope::test::RunResult;
using syscope::test::TempDir;

namespace {

const std::string kMerge = std::string(SYSCOPE_SOURCE_DIR) + "/tests/fixtures/profiles/merge/";
const std::string kDockerDefault =
    std::string(SYSCOPE_SOURCE_DIR) + "/profiles/docker-default-20.10.24.json";

RunResult profile(std::vector<std::string> args) {
  args.insert(args.begin(), "profile");
  return run_syscope(args);
}

size_t lines(const std::string &text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace

TEST_CASE("profile merge: -o writes the union and its coverage; order and repeats change nothing",
          "[profile_merge_cli]") {
  TempDir dir;
  RunResult r =
      profile({"merge", kMerge + "node1.json", kMerge + "node2.json", "-o", dir.file("ab.json")});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, Contains("merged 2 profiles (3 instances)"));
  CHECK_THAT(r.err, Contains("seen in only some instances: close 2/3, epoll_wait 1/3, mkdir 1/3"));
  auto cov = nlohmann::json::parse(read_file(dir / "ab.coverage.json"));
  CHECK(cov["instances"] == 3);
  CHECK(cov["syscalls"]["read"] == 3);
  CHECK(cov["syscalls"]["socket"] == 2);
  RunResult ba =
      profile({"merge", kMerge + "node2.json", kMerge + "node1.json", "-o", dir.file("ba.json")});
  REQUIRE(ba.status == 0);
  CHECK(read_file(dir / "ab.json") == read_file(dir / "ba.json"));
  CHECK(read_file(dir / "ab.coverage.json") == read_file(dir / "ba.coverage.json"));
  // The merge merged again with one of its inputs: nothing changes, coverage included.
  RunResult again =
      profile({"merge", dir.file("ab.json"), kMerge + "node1.json", "-o", dir.file("again.json")});
  REQUIRE(again.status == 0);
  CHECK(read_file(dir / "again.json") == read_file(dir / "ab.json"));
  CHECK(read_file(dir / "again.coverage.json") == read_file(dir / "ab.coverage.json"));
  // A device is written in place, and has nothing beside it for the coverage.
  CHECK(
      profile({"merge", kMerge + "node1.json", kMerge + "node2.json", "-o", "/dev/null"}).status ==
      0);
  // What runc and libseccomp make of it: no errors.
  RunResult check = profile({"check", dir.file("ab.json")});
  INFO(check.out);
  CHECK(check.status == 0);
}

TEST_CASE("profile merge: Docker's default with itself is itself, normalised",
          "[profile_merge_cli]") {
  TempDir dir;
  REQUIRE(profile({"merge", kDockerDefault, "-o", dir.file("one.json")}).status == 0);
  REQUIRE(profile({"merge", kDockerDefault, kDockerDefault, "-o", dir.file("two.json")}).status ==
          0);
  CHECK(read_file(dir / "one.json") == read_file(dir / "two.json"));
  RunResult d = profile({"diff", kDockerDefault, dir.file("two.json")});
  INFO(d.out << d.err);
  CHECK(d.status == 0);
  CHECK_THAT(d.out, Contains("profiles are equal"));
}

TEST_CASE("profile merge: bad input is exit 2 with one line naming the JSON path",
          "[profile_merge_cli]") {
  TempDir dir;
  RunResult kill = profile(
      {"merge", kMerge + "node1.json", kMerge + "kill-default.json", "-o", dir.file("m.json")});
  CHECK(kill.status == 2);
  CHECK(lines(kill.err) == 1);
  CHECK_THAT(kill.err, Contains("kill-default.json: defaultAction SCMP_ACT_KILL_PROCESS differs"));
  RunResult errno_ = profile(
      {"merge", kMerge + "node1.json", kMerge + "bad-errno.json", "-o", dir.file("m.json")});
  CHECK(errno_.status == 2);
  CHECK(lines(errno_.err) == 1);
  CHECK_THAT(errno_.err, Contains("bad-errno.json: syscalls[0].errnoRet: 5000 is not an errno"));
  RunResult spo = profile(
      {"merge", kMerge + "node1.json", kMerge + "spo-bad-value.json", "-o", dir.file("m.json")});
  CHECK(spo.status == 2);
  CHECK_THAT(spo.err, Contains("spo-bad-value.json: spec.syscalls[0].args[0].value: "));
  CHECK_FALSE(std::filesystem::exists(dir / "m.json"));
}

TEST_CASE("profile convert: an SPO object with coverage, and back", "[profile_merge_cli]") {
  TempDir dir;
  RunResult r =
      profile({"convert", kMerge + "node1.json", "--format", "spo", "--name", "nginx:1.25",
               "--partial", "--recording-id", "rec", "--recording-namespace", "web",
               "--container-id", "nginx", "-o", dir.file("sp.json")});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto obj = nlohmann::json::parse(read_file(dir / "sp.json"));
  CHECK(obj["metadata"]["name"] == "nginx-1.25");
  CHECK(obj["metadata"]["labels"]["spo.x-k8s.io/partial"] == "true");
  CHECK_THAT(obj["metadata"]["annotations"]["spo.x-k8s.io/syscall-coverage"].get<std::string>(),
             Contains("\"total\":2"));
  RunResult back =
      profile({"convert", dir.file("sp.json"), "--format", "docker", "-o", dir.file("back.json")});
  REQUIRE(back.status == 0);
  RunResult d = profile({"diff", kMerge + "node1.json", dir.file("back.json")});
  CHECK(d.status == 0);
  // The coverage came through the annotations: the same counts as the daemon's file.
  auto cov = nlohmann::json::parse(read_file(dir / "back.coverage.json"));
  auto daemon = nlohmann::json::parse(read_file(kMerge + "node1.coverage.json"));
  CHECK(cov["syscalls"] == daemon["syscalls"]);
  CHECK(cov["instances"] == daemon["instances"]);
  // What SPO cannot hold: exit 2 with the path; flags that need --partial or spo: exit 2.
  RunResult huge = profile({"convert", kMerge + "huge-arg.json", "--format", "spo"});
  CHECK(huge.status == 2);
  CHECK(huge.err ==
        "syscope: " + kMerge +
            "huge-arg.json: syscalls[1].args[0].value: "
            "18446744073709551615 is beyond SPO's int64 (at most 9223372036854775807)\n");
  CHECK(profile({"convert", kMerge + "node1.json", "--format", "spo", "--partial"}).status == 2);
  CHECK(profile({"convert", kMerge + "node1.json", "--format", "oci", "--name", "x"}).status == 2);
  CHECK(profile({"convert", kDockerDefault, "--format", "spo"}).status == 2);
  CHECK(profile({"convert", kDockerDefault, "--format", "oci"}).status == 0);
}

TEST_CASE("profile diff: exit 1 when different, --json, exit 2 on a missing file",
          "[profile_merge_cli]") {
  RunResult d = profile({"diff", kMerge + "node1.json", kMerge + "node2.json"});
  INFO(d.out << d.err);
  CHECK(d.status == 1);
  CHECK_THAT(d.out, Contains("  + epoll_wait, mkdir\n"));
  RunResult j = profile({"diff", "--json", kMerge + "node1.json", kMerge + "node2.json"});
  CHECK(j.status == 1);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["equal"] == false);
  CHECK(doc["architectures"]["added"] == nlohmann::json::array({"SCMP_ARCH_X86"}));
  RunResult missing = profile({"diff", kMerge + "node1.json", kMerge + "no-such.json"});
  CHECK(missing.status == 2);
  CHECK(lines(missing.err) == 1);
}

TEST_CASE("profile merge: a filter near the kernel's limit is warned about, past it refused",
          "[profile_merge_cli]") {
  TempDir dir;
  // ioctl allowed for N request values: libseccomp compiles each into about one instruction.
  auto write_profile =
      [&dir](const std::string &name, int values) {
        nlohmann::json rules = nlohmann::json::array();
        rules.push_back({{"names", {"read", "write", "exit_group"}}, {"action", "SCMP_ACT_ALLOW"}});
        for (int v = 0; v < values; ++v)
          rules.push_back({{"names", {"ioctl"}},
                           {"action", "SCMP_ACT_ALLOW"},
                           {"args", {{{"index", 1}, {"value", v}, {"op", "SCMP_CMP_EQ"}}}}});
        std::ofstream(dir.file(name))
            << nlohmann::json{{"defaultAction", "SCMP_ACT_ERRNO"}, {"syscalls", rules}}.dump();
        return dir.file(name);
      };
  std::string half = write_profile("half.json", 1750);
  std::string other = write_profile("other.json", 3500);  // the first 1750 values again, and more
  RunResult near = profile({"merge", half, other, "-o", dir.file("near.json")});
  INFO(near.err);
  CHECK(near.status == 0);
  CHECK_THAT(near.err, Contains("syscope: warning: the compiled filter has ") &&
                           Contains(" of the kernel's 4096 instructions (BPF_MAXINSNS)"));
  RunResult past =
      profile({"merge", other, write_profile("more.json", 5000), "-o", dir.file("past.json")});
  CHECK(past.status == 2);
  CHECK_THAT(past.err, Contains("more than the kernel's limit of 4096"));
  CHECK_FALSE(std::filesystem::exists(dir / "past.json"));
}
