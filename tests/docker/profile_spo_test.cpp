// SPDX-License-Identifier: Apache-2.0
// `syscope profile get IMAGE --format spo` against a real daemon and dockerd: the image's
// containers become one SeccompProfile whose SPO coverage annotation counts them, a call made by
// one container only is counted once, and converting the object back gives the Docker profile
// the daemon serves.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "docker_helpers.hpp"
#include "helpers.hpp"

using namespace syscope::test;
using json = nlohmann::json;

TEST_CASE("profile get --format spo: an image's containers as one SeccompProfile with coverage",
          "[docker][profile_spo]") {
  TempDir dir;
  std::string socket = dir.file("s.sock");
  std::string pin_dir = "/sys/fs/bpf/syscope-test-spo-" + std::to_string(getpid());
  {
    Background daemon({syscope_bin(), "daemon", "--state-dir", dir.file("state"), "--socket",
                       socket, "--pin-dir", pin_dir, "--docker-socket", docker_socket_path()},
                      dir.file("daemon.log"));
    REQUIRE(daemon.wait_for("\"event\":\"started\"", 30));
    // One command, three containers; only the third makes mkdir (same command: one image group).
    const char *cmd = "sleep 0.5; echo x > /tmp/f; cat /tmp/f >/dev/null; "
                      "if [ -n \"$MK\" ]; then mkdir /tmp/d; fi; echo ok";
    for (int i = 0; i < 3; ++i) {
      ContainerGuard c(container_name("spo" + std::to_string(i)));
      auto r = docker_run(
          {"--name", c.name(), "-e", i == 2 ? "MK=1" : "MK=", kBusyboxImage, "sh", "-c", cmd});
      REQUIRE(r.out.find("ok") != std::string::npos);
    }
    // The daemon writes its image profiles every 2 s: ask until all three are in.
    std::string out = dir.file("busybox.json");
    json sp;
    RunResult got;
    for (int i = 0; i < 80; ++i) {
      got = run({syscope_bin(), "profile", "get", kBusyboxImage, "--socket", socket, "--format",
                 "spo", "--name", "web:1.0", "-o", out});
      if (got.status == 0) {
        sp = json::parse(read_file(out));
        auto cov = json::parse(sp["metadata"]["annotations"].value("spo.x-k8s.io/syscall-coverage",
                                                                   std::string("{}")));
        if (cov.value("total", 0) == 3 && cov["syscalls"].contains("mkdir")) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    INFO(got.err << "\ndaemon: " << daemon.log());
    REQUIRE(got.status == 0);
    CHECK(sp["apiVersion"] == "security-profiles-operator.x-k8s.io/v1");
    CHECK(sp["kind"] == "SeccompProfile");
    CHECK(sp["metadata"]["name"] == "web-1.0");
    auto cov = json::parse(
        sp["metadata"]["annotations"]["spo.x-k8s.io/syscall-coverage"].get<std::string>());
    CHECK(cov["version"] == "v1");
    CHECK(cov["total"] == 3);
    CHECK(cov["syscalls"]["mkdir"] == 1);
    CHECK(cov["syscalls"]["execve"] == 3);
    CHECK(got.err.find("seen in only some containers: mkdir 1/3") != std::string::npos);
    // The object converted back is the Docker profile the daemon serves.
    std::string docker_form = dir.file("docker.json");
    REQUIRE(
        run({syscope_bin(), "profile", "get", kBusyboxImage, "--socket", socket, "-o", docker_form})
            .status == 0);
    REQUIRE(run({syscope_bin(), "profile", "convert", out, "--format", "docker", "-o",
                 dir.file("back.json")})
                .status == 0);
    RunResult diff = run({syscope_bin(), "profile", "diff", docker_form, dir.file("back.json")});
    INFO(diff.out);
    CHECK(diff.status == 0);
    // get -o beside a Docker file: the coverage file, which merge reads.
    auto side = json::parse(read_file(dir.file("docker.coverage.json")));
    CHECK(side["instances"] == 3);
    daemon.interrupt();
  }
  run({syscope_bin(), "daemon", "--uninstall", "--pin-dir", pin_dir});
}
