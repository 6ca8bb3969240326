// SPDX-License-Identifier: Apache-2.0
// `syscope watch --would-deny` against the private dockerd: a container under Docker's default
// profile calls sysinfo (busybox free) and opens AF_INET6 and AF_INET sockets (busybox nc); a
// candidate without sysinfo and with socket for AF_UNIX and AF_INET only reports the two calls
// it would refuse, with the rule to add, and enforces nothing.
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../common/dry_run_candidate.hpp"
#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope;
using namespace syscope::test;

namespace {

std::vector<nlohmann::json> lines_of_type(const std::string &log, const std::string &type) {
  std::vector<nlohmann::json> found;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.value("type", "") == type) found.push_back(j);
  }
  return found;
}

// syscope watch --would-deny with the test candidate, --json, and `flags`; attached when returned.
Background start_dry_run(const TempDir &dir, const std::vector<std::string> &flags,
                         const std::string &announced) {
  auto candidate = dir / "candidate.json";
  std::ofstream(candidate) << seccomp::to_docker_json(dry_run_candidate());
  std::vector<std::string> argv{syscope_bin(),       "watch",  "--would-deny",
                                candidate.string(),  "--json", "--docker-socket",
                                docker_socket_path()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  Background watch(argv, (dir / "watch.log").string());
  REQUIRE(watch.wait_for(announced));
  return watch;
}

}  // namespace

TEST_CASE("would-deny on a container under Docker's default: a missing call and family",
          "[docker][would_deny]") {
  TempDir dir;
  ContainerGuard guard(container_name("dryrun"));
  ContainerGuard other(container_name("dryother"));  // not named: never reported
  auto watch =
      start_dry_run(dir, {"--container", guard.name(), "--fail-on-denial"}, "named containers");
  const char *workload = "free; nc ::1 1 </dev/null; nc 127.0.0.1 1 </dev/null; free; echo done";
  auto run = docker_run({"--name", guard.name(), kBusyboxImage, "sh", "-c", workload});
  docker_run({"--name", other.name(), kBusyboxImage, "sh", "-c", workload});
  INFO(run.out << run.err);
  // Nothing enforced: free read sysinfo, nc got as far as connecting.
  REQUIRE(run.out.find("done") != std::string::npos);
  CHECK(run.out.find("Mem:") != std::string::npos);
  CHECK(run.err.find("not permitted") == std::string::npos);
  REQUIRE(watch.interrupt() == 1);  // --fail-on-denial: something would have been denied
  INFO(watch.log());

  bool sysinfo = false, inet6 = false;
  for (const auto &w : lines_of_type(watch.log(), "would_deny")) {
    REQUIRE(w["container"].is_object());
    CHECK(w["container"]["name"] == guard.name());
    CHECK(w["verdict"] == "ERRNO(EPERM)");
    std::string call = w["syscall"];
    CHECK((call == "sysinfo" || call == "socket"));
    if (call == "sysinfo") {
      sysinfo = true;
      CHECK(w["rule"] ==
            nlohmann::json::parse(R"({"names":["sysinfo"],"action":"SCMP_ACT_ALLOW"})"));
    }
    if (call == "socket") {
      uint64_t family = w["args"][0];
      CHECK(family != AF_UNIX);
      CHECK(family != AF_INET);  // allowed by the candidate's argument rule
      if (family == AF_INET6) {
        inet6 = true;
        CHECK(w["call"].get<std::string>().rfind("socket(AF_INET6, ", 0) == 0);
        CHECK(w["rule"]["args"][0]["valueTwo"] == AF_INET6);
      }
    }
  }
  CHECK(sysinfo);
  CHECK(inet6);
  auto summary = lines_of_type(watch.log(), "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["would_deny"] >= 2);
  CHECK(summary[0]["losses"]["dry_run_full"] == 0);
}

TEST_CASE("would-deny without --container judges every container, reported by name",
          "[docker][would_deny]") {
  TempDir dir;
  ContainerGuard guard(container_name("dryall"));
  auto watch = start_dry_run(dir, {}, "every container");
  auto run = docker_run({"--name", guard.name(), kBusyboxImage, "sh", "-c", "free; echo done"});
  REQUIRE(run.out.find("done") != std::string::npos);
  REQUIRE(watch.interrupt() == 0);  // without --fail-on-denial
  INFO(watch.log());
  bool sysinfo = false;
  for (const auto &w : lines_of_type(watch.log(), "would_deny"))
    if (w["container"].is_object() && w["container"]["name"] == guard.name()) {
      CHECK(w["syscall"] == "sysinfo");
      sysinfo = true;
    }
  CHECK(sysinfo);
}
