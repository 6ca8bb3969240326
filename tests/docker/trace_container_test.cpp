// SPDX-License-Identifier: Apache-2.0
// `syscope trace --container` against the private dockerd: a container that starts after the
// trace does is traced from its first syscall, and another container started meanwhile is not;
// a trace killed with SIGKILL holds a slow container's calls up to its last second.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope::test;

TEST_CASE("trace --container: a container started later is traced whole, others are not",
          "[docker][trace]") {
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

TEST_CASE("trace --container killed with SIGKILL: a slow container's calls are in the file",
          "[docker][trace]") {
  TempDir dir;
  ContainerGuard slow(container_name("slow"));
  std::string file = (dir / "k.trace").string();
  std::vector<std::string> argv{
      syscope_bin(), "trace", "--docker-socket", docker_socket_path(), "--container", slow.name(),
      "-o",          file};
  std::optional<Background> trace;
  trace.emplace(argv, (dir / "trace.log").string());
  REQUIRE(trace->wait_for("waiting for"));
  // One cat a second, from its start on; `docker run -d` returns once it runs.
  REQUIRE(docker_run({"-d", "--name", slow.name(), kBusyboxImage, "sh", "-c",
                      "while :; do cat /etc/hostname; sleep 1; done"})
              .status == 0);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  REQUIRE(trace->log().find("tracing " + slow.name()) != std::string::npos);
  trace.reset();  // SIGKILL (Background's destructor), reaped
  INFO(read_file(dir / "trace.log"));
  REQUIRE(docker_inspect(slow.name(), "{{.State.Running}}") == "true");  // it outlived syscope

  // cat at 0, 1, 2, 3, 4 s: each block is in the file within a second of its first record.
  auto show = run({syscope_bin(), "trace", "show", "--json", "--syscall", "openat", file});
  size_t opens = 0;
  std::istringstream lines(show.out);
  std::string line;
  while (std::getline(lines, line))
    if (nlohmann::json::parse(line).value("path", "") == "/etc/hostname") ++opens;
  CHECK(opens >= 4);
  auto stats = run({syscope_bin(), "trace", "stats", "--json", file});
  REQUIRE(stats.status == 0);
  auto doc = nlohmann::json::parse(stats.out);
  CHECK(doc["complete"] == false);  // cut off, not closed
  REQUIRE(doc["containers"].size() == 1);
  CHECK(doc["containers"][0]["name"] == slow.name());
}
