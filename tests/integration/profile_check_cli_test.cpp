// SPDX-License-Identifier: Apache-2.0
// `syscope profile check` and `profile explain` end to end: the real binary on the check
// fixtures and Docker's default; exit codes (0 clean or warnings only, 2 errors or unreadable),
// --json's shape, a missing file in one line.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "helpers.hpp"

using syscope::test::run;
using syscope::test::RunResult;
using syscope::test::syscope_bin;

namespace {

const std::string kFixtures = std::string(SYSCOPE_SOURCE_DIR) + "/tests/fixtures/profiles/check/";
const std::string kDockerDefault =
    std::string(SYSCOPE_SOURCE_DIR) + "/profiles/docker-default-20.10.24.json";

RunResult profile(const std::vector<std::string> &args) {
  std::vector<std::string> argv{syscope_bin(), "profile"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("profile check: a clean profile exits 0 with a count line", "[profile_check_cli]") {
  RunResult r = profile({"check", kFixtures + "clean.json"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == kFixtures + "clean.json: 0 errors, 0 warnings\n");
}

TEST_CASE("profile check: Docker's default has warnings only and exits 0", "[profile_check_cli]") {
  RunResult r = profile({"check", kDockerDefault});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, ": warning: syscalls[17].includes.arches[0]: \"mips3l64n32\" is no "
                        "architecture"));
  CHECK(contains(r.out, ": 0 errors, "));
}

TEST_CASE("profile check: errors exit 2 and name their JSON path", "[profile_check_cli]") {
  RunResult r = profile({"check", kFixtures + "contradicting.json"});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.out, "contradicting.json: error: syscalls[1]: contradicts syscalls[0] for "
                        "getpid"));
  RunResult bad = profile({"check", kFixtures + "malformed.json"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.out, "malformed.json: error: invalid JSON at line 5"));
}

TEST_CASE("profile check --json: file, findings, errors, warnings", "[profile_check_cli]") {
  RunResult r = profile({"check", "--json", kFixtures + "never_matching.json"});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["file"] == kFixtures + "never_matching.json");
  CHECK(doc["errors"] == 2);
  CHECK(doc["warnings"].get<int>() >= 4);
  REQUIRE(doc["findings"].is_array());
  CHECK(doc["findings"].size() == doc["errors"].get<size_t>() + doc["warnings"].get<size_t>());
  for (const auto &f : doc["findings"]) {
    CHECK(f.size() == 3);
    CHECK((f["severity"] == "error" || f["severity"] == "warning"));
    CHECK(f["path"].is_string());
    CHECK(f["message"].is_string());
  }
  RunResult clean = profile({"check", "--json", kFixtures + "clean.json"});
  CHECK(clean.status == 0);
  CHECK(nlohmann::json::parse(clean.out)["findings"].empty());
}

TEST_CASE("profile check and explain: a missing file is one line and exit 2",
          "[profile_check_cli]") {
  for (const char *sub : {"check", "explain"}) {
    RunResult r = profile({sub, "/nonexistent/profile.json"});
    INFO(sub << ": " << r.out << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(contains(r.err, "/nonexistent/profile.json"));
  }
}

TEST_CASE("profile explain: text and --json", "[profile_check_cli]") {
  RunResult r = profile({"explain", kFixtures + "clean.json"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "allows 11 syscalls (8 for any arguments, 3 only for some)"));
  CHECK(contains(r.out, "  unshare: "));
  CHECK(contains(r.out, "  socket: arg0 (family) == AF_UNIX (1)\n"));
  RunResult j = profile({"explain", "--json", kFixtures + "clean.json"});
  CHECK(j.status == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["allowed"] == 11);
  CHECK(doc["architectures"].size() == 2);
  RunResult bad = profile({"explain", kFixtures + "malformed.json"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "invalid JSON at line 5"));
}
