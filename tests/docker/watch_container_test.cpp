// SPDX-License-Identifier: Apache-2.0
// `syscope watch` against the private dockerd: denials inside containers are reported with the
// container's name, the syscall, the errno and the reason Docker's default blocks the call.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope::test;

namespace {

Background start_watch(const TempDir &dir) {
  Background watch({syscope_bin(), "watch", "--json", "--docker-socket", docker_socket_path()},
                   (dir / "watch.log").string());
  REQUIRE(watch.wait_for("watching"));
  return watch;
}

// The denial lines of a container, from watch's JSON output.
std::vector<nlohmann::json> denials_of(const std::string &log, const std::string &container) {
  std::vector<nlohmann::json> found;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("type", "") != "denial" || !j["container"].is_object())
      continue;
    if (j["container"].value("name", "") == container) found.push_back(j);
  }
  return found;
}

bool has_call(const std::vector<nlohmann::json> &denials, const std::string &syscall) {
  for (const auto &d : denials)
    if (d["syscall"] == syscall && d["errno_name"] == "EPERM" && !d.value("reason", "").empty())
      return true;
  return false;
}

const char *kBlockedCalls = "unshare -U true; mount -t tmpfs none /mnt; echo done";

}  // namespace

TEST_CASE("watch names the container, the call, EPERM and the reason", "[docker][watch]") {
  TempDir dir;
  ContainerGuard guard(container_name("denied"));
  auto watch = start_watch(dir);
  auto run = docker_run({"--name", guard.name(), kBusyboxImage, "sh", "-c", kBlockedCalls});
  REQUIRE(run.out.find("done") != std::string::npos);
  REQUIRE(watch.interrupt() == 0);
  auto denials = denials_of(watch.log(), guard.name());
  INFO(watch.log());
  CHECK(has_call(denials, "unshare"));
  CHECK(has_call(denials, "mount"));
  for (const auto &d : denials) CHECK(d["container"]["image"] == kBusyboxImage);
}

TEST_CASE("watch: the same calls in an unconfined container report nothing", "[docker][watch]") {
  TempDir dir;
  ContainerGuard guard(container_name("unconf"));
  auto watch = start_watch(dir);
  docker_run({"--name", guard.name(), "--security-opt", "seccomp=unconfined", kBusyboxImage, "sh",
              "-c", kBlockedCalls});
  REQUIRE(watch.interrupt() == 0);
  CHECK(denials_of(watch.log(), guard.name()).empty());
}

TEST_CASE("watch: a container started after watch and gone within 100 ms is still named",
          "[docker][watch]") {
  TempDir dir;
  ContainerGuard guard(container_name("brief"));
  auto watch = start_watch(dir);
  docker_run({"--name", guard.name(), kBusyboxImage, "unshare", "-U", "true"});
  REQUIRE(watch.interrupt() == 0);
  CHECK(has_call(denials_of(watch.log(), guard.name()), "unshare"));
}
