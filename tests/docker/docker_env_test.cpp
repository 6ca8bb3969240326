// SPDX-License-Identifier: Apache-2.0
// The private Docker engine and its locally built images are what the container tests stand on:
// check them first, so a broken environment fails here with a clear message.
#include <catch2/catch.hpp>

#include "docker_helpers.hpp"

using namespace syscope::test;

namespace {

void require_image(const char *image) {
  RunResult r = docker("image", "inspect", "-f", "{{.Id}}", image);
  INFO("docker host " << docker_host() << ": " << r.err
                      << "(the dockerd fixture runs scripts/docker-env start, which builds it)");
  REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("the private dockerd answers", "[docker]") {
  RunResult r = docker("version", "-f", "{{.Server.Version}}");
  INFO("docker host " << docker_host() << ": " << r.err);
  REQUIRE(r.status == 0);
  CHECK_FALSE(r.out.empty());
}

TEST_CASE("the busybox image runs a shell", "[docker]") {
  require_image(kBusyboxImage);
  RunResult r = docker_run({"--rm", kBusyboxImage, "sh", "-c", "echo ok"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "ok\n");
}

TEST_CASE("containers have no network but loopback", "[docker]") {
  require_image(kBusyboxImage);
  RunResult r = docker_run({"--rm", kBusyboxImage, "ls", "/sys/class/net"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "lo\n");
}

TEST_CASE("the busybox image has its applets but no busybox command", "[docker]") {
  require_image(kBusyboxImage);
  // `which` searches PATH. (Debian's static busybox is built with FEATURE_SH_STANDALONE, so
  // its ash resolves applet names, `busybox` among them, without PATH: `command -v` in sh is
  // no test of the file system.)
  RunResult which = docker_run({"--rm", kBusyboxImage, "which", "busybox"});
  CHECK(which.status != 0);
  CHECK(which.out.empty());
  RunResult listed = docker_run(
      {"--rm", kBusyboxImage, "sh", "-c", "ls -a /bin /sbin /usr/bin /usr/sbin | grep -x busybox"});
  CHECK(listed.status != 0);

  for (const char *applet : {"sh", "ls", "cat", "sleep", "unshare", "chroot", "nc", "httpd"}) {
    RunResult r = docker_run({"--rm", kBusyboxImage, "which", applet});
    INFO(applet << ": " << r.out << r.err);
    CHECK(r.status == 0);
  }
  // chroot is allowed by Docker's default profile (CAP_SYS_CHROOT is a default capability).
  RunResult chroot = docker_run({"--rm", kBusyboxImage, "chroot", "/", "echo", "chrooted"});
  INFO(chroot.err);
  CHECK(chroot.status == 0);
  CHECK(chroot.out == "chrooted\n");
}

TEST_CASE("the threaded image runs a multi-threaded program", "[docker]") {
  require_image(kThreadedImage);
  // Four threads that all wait at a barrier, so they are alive together when counted.
  const char *program = R"(
import threading
barrier = threading.Barrier(5)
threads = [threading.Thread(target=barrier.wait) for _ in range(4)]
for t in threads: t.start()
with open("/proc/self/status") as f:
    print([l.split()[1] for l in f if l.startswith("Threads:")][0])
barrier.wait()
for t in threads: t.join()
)";
  RunResult r = docker_run({"--rm", kThreadedImage, "python3", "-c", program});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "5\n");
}

TEST_CASE("a guarded name can be used again right away", "[docker]") {
  require_image(kBusyboxImage);
  const std::string name = container_name("guard");
  for (int round = 0; round < 2; ++round) {
    ContainerGuard guard(name);
    // No --rm: the container stays after it exits, until the guard removes it.
    RunResult r = docker_run({"--name", name, kBusyboxImage, "sh", "-c", "echo round"});
    INFO("round " << round << ": " << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == "round\n");
    CHECK(docker_inspect(name, "{{.State.Status}}") == "exited");
  }
  CHECK(docker("inspect", name).status != 0);
}

TEST_CASE("a running container sits in its own cgroup", "[docker]") {
  require_image(kBusyboxImage);
  ContainerGuard guard(container_name("cgroup"));
  RunResult r = docker_run({"-d", "--name", guard.name(), kBusyboxImage, "sleep", "30"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::string id = docker_inspect(guard.name(), "{{.Id}}");
  std::string pid = docker_inspect(guard.name(), "{{.State.Pid}}");
  REQUIRE(pid != "0");
  // The default-hierarchy line names the container id (Docker's cgroupfs driver: /docker/<id>;
  // the systemd driver: .../docker-<id>.scope).
  std::string cgroup = read_file("/proc/" + pid + "/cgroup");
  INFO(cgroup);
  CHECK(cgroup.find("0::") != std::string::npos);
  CHECK(cgroup.find(id) != std::string::npos);
}
