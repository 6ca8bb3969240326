// SPDX-License-Identifier: Apache-2.0
// record --args --container against the private dockerd: a workload that opens AF_UNIX and
// AF_INET sockets and uses a few ioctls runs 50 times under the argument-aware profile, and
// what a names-only profile of the same run would let through is refused with EPERM.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;

namespace {

// The static workload (tests/progs/arg_workload.c), bind-mounted read-only into busybox.
std::vector<std::string> workload(const std::vector<std::string> &args) {
  std::vector<std::string> out{"-v", test_prog("arg_workload") + ":/arg_workload:ro", kBusyboxImage,
                               "/arg_workload"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

RunResult run_under(const fs::path &profile, const std::vector<std::string> &args) {
  std::vector<std::string> argv{"--rm", "--security-opt", "seccomp=" + profile.string()};
  auto rest = workload(args);
  argv.insert(argv.end(), rest.begin(), rest.end());
  return docker_run(argv);
}

}  // namespace

TEST_CASE("record --args --container: 50 replays and the probes a names-only profile allows",
          "[docker][record][args]") {
  TempDir dir;
  ContainerGuard guard(container_name("args"));
  auto profile = dir / "args.json";
  Background rec({syscope_bin(), "record", "--args", "--docker-socket", docker_socket_path(),
                  "--wait", "60", "--container", guard.name(), "-o", profile.string()},
                 (dir / "record.log").string());
  REQUIRE(rec.wait_for("recording"));
  std::vector<std::string> first{"--name", guard.name()};
  auto rest = workload({"work"});
  first.insert(first.end(), rest.begin(), rest.end());
  auto ran = docker_run(first);
  INFO(ran.err);
  REQUIRE(ran.status == 0);
  REQUIRE(rec.wait() == 0);
  INFO(rec.log());
  CHECK(rec.log().find("socket: allowed only for family/type AF_UNIX/SOCK_STREAM, "
                       "AF_INET/SOCK_DGRAM") != std::string::npos);
  CHECK(rec.log().find("ioctl: allowed only for request") != std::string::npos);

  auto loose = dir / "names-only.json";
  std::ofstream(loose) << names_only_profile(read_file(profile));
  for (int i = 0; i < 50; ++i) {
    auto again = run_under(profile, {"work"});
    INFO("run " << i + 1 << ": " << again.err);
    REQUIRE(again.status == 0);
    REQUIRE(again.out == "work=OK\n");
  }
  for (const char *probe : {"af_packet", "af_vsock", "af_inet6", "newuser", "per_bsd", "ioctl"}) {
    INFO(probe);
    auto tight = run_under(profile, {"probe", probe});
    CHECK(tight.out == std::string(probe) + "=ERR EPERM\n");
    auto names = run_under(loose, {"probe", probe});
    CHECK(names.out.find("EPERM") == std::string::npos);
  }
}
