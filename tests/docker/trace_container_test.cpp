// SPDX-License-Identifier: Apache-2.0
// `syscope trace --container` against the private dockerd: a container that starts after the
// trace does is traced from its first syscall, and another container started meanwhile is not.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope::test;

TEST_CASE("trace --container: a container started later is traced whole, others are not", "[docker][trace]") {
  TempDir dir;
  ContainerGuard wanted(container_name("traced")), other(container_name("bystander"));
  std::string file = (dir / "c.trace").string();
  Background trace({syscope_bin(), "trace", "--docker-socket", docker_socket_path(), "--container",
                    wanted.name(), "-o", file, "--duration", "30"},
                   (dir / "trace.log").string());
  REQUIRE(trace.wait_for("waiting for"));
  REQUIRE(docker_run({"--name", other.name(), kBusyboxImage, "ls", "/"}).status == 0);
  REQUIRE(docker_run({"--name", wanted.name(), kBusyboxImage, "cat", "/etc/hostname"}).status == 0);
  REQUIRE(trace.wait_for("tracing " + wanted.name()));
  REQUIRE(trace.interrupt() == 0);
  INFO(trace.log());

  auto show = run({syscope_bin(), "trace", "show", file});
  REQUIRE(show.status == 0);
  // From the first syscall: runc's own setup in the new cgroup, then the entrypoint.
  CHECK(show.out.find("--- exec: /bin/cat cat /etc/hostname ---") != std::string::npos);
  CHECK(show.out.find("\"/etc/hostname\"") != std::string::npos);
  auto stats = nlohmann::json::parse(run({syscope_bin(), "trace", "stats", "--json", file}).out);
  REQUIRE(stats["containers"].size() == 1);
  CHECK(stats["containers"][0]["name"] == wanted.name());
  CHECK(show.out.find(other.name()) == std::string::npos);
}
