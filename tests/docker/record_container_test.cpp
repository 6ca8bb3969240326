// SPDX-License-Identifier: Apache-2.0
// `syscope record --container` and `syscope record -- docker run` against the private dockerd:
// the profile is recorded from the container's first syscall, Docker accepts it, the container
// starts under it every time, and calls the workload never made stay denied.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "docker_helpers.hpp"
#include "helpers.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;

namespace {

// Files, a fork, a sleep, directory listings and an HTTP exchange on loopback, all from busybox.
const char *kBusyboxWorkload =
    "set -e; echo data > /tmp/f; cat /tmp/f > /dev/null; ls -la / /tmp > /dev/null; "
    "(sleep 0.05; echo child > /dev/null) & wait; "
    "mkdir -p /tmp/www; echo hello > /tmp/www/index.html; "
    "httpd -f -p 127.0.0.1:8080 -h /tmp/www & sleep 0.2; "
    "wget -q -O - http://127.0.0.1:8080/index.html | grep -q hello; kill $!; echo ok";

// Threads, a fork, files, a directory listing, a sleep and a loopback TCP exchange in Python.
const char *kThreadedWorkload = R"py(
import os, socket, threading, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def serve():
    c, _ = srv.accept(); c.sendall(c.recv(16).upper()); c.close()
workers = [threading.Thread(target=serve)] + [threading.Thread(target=time.sleep, args=(0.05,)) for _ in range(3)]
for w in workers: w.start()
cli = socket.create_connection(srv.getsockname()); cli.sendall(b"ping"); assert cli.recv(16) == b"PING"
for w in workers: w.join()
with open("/tmp/f", "w") as f: f.write("data")
assert open("/tmp/f").read() == "data" and "tmp" in os.listdir("/")
pid = os.fork()
if pid == 0: os._exit(0)
assert os.waitpid(pid, 0)[1] == 0
print("ok")
)py";

Background record_containers(const TempDir &dir, std::vector<std::string> names,
                             const std::string &out, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      syscope_bin(), "record", "--docker-socket", docker_socket_path(), "--wait", "60", "-o", out};
  for (const auto &name : names) {
    argv.push_back("--container");
    argv.push_back(name);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return Background(argv, (dir / "record.log").string());
}

std::vector<std::string> allowed(const fs::path &profile) {
  std::vector<std::string> names;
  for (const auto &rule : syscope::seccomp::load_docker_profile(profile.string()).syscalls)
    if (rule.action == syscope::seccomp::Action::allow)
      names.insert(names.end(), rule.names.begin(), rule.names.end());
  return names;
}

// Recorded with record's default: the replays below run under argument rules.
bool has_argument_rules(const fs::path &profile) {
  for (const auto &rule : syscope::seccomp::load_docker_profile(profile.string()).syscalls)
    if (!rule.args.empty()) return true;
  return false;
}

bool has(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Starts the image under the profile `times` times in a row; every start must succeed.
void check_starts(const fs::path &profile, const std::string &image, std::vector<std::string> cmd,
                  int times) {
  for (int i = 0; i < times; ++i) {
    std::vector<std::string> args = {"--rm", "--security-opt", "seccomp=" + profile.string(),
                                     image};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto result = docker_run(args);
    INFO("start " << i + 1 << " of " << times << ": " << result.err);
    REQUIRE(result.status == 0);
    REQUIRE(result.out.find("ok") != std::string::npos);
  }
}

// Calls the workload never made are refused with EPERM under the profile.
void check_probes_denied(const fs::path &profile) {
  for (std::vector<std::string> probe : {std::vector<std::string>{"unshare", "-U", "true"},
                                         std::vector<std::string>{"chroot", "/", "true"}}) {
    std::vector<std::string> args = {"--rm", "--security-opt", "seccomp=" + profile.string(),
                                     kBusyboxImage};
    args.insert(args.end(), probe.begin(), probe.end());
    auto result = docker_run(args);
    INFO(probe[0] << ": " << result.err);
    CHECK(result.status != 0);
    CHECK(result.err.find("Operation not permitted") != std::string::npos);
  }
}

}  // namespace

TEST_CASE(
    "record --container: a busybox workload, started after record, runs 50 times under its profile",
    "[docker][record]") {
  TempDir dir;
  ContainerGuard guard(container_name("wl"));
  auto rec = record_containers(dir, {guard.name()}, (dir / "p.json").string());
  REQUIRE(rec.wait_for("recording"));
  auto run = docker_run({"--name", guard.name(), kBusyboxImage, "sh", "-c", kBusyboxWorkload});
  REQUIRE(run.status == 0);
  REQUIRE(rec.wait() == 0);
  INFO(rec.log());
  CHECK(rec.log().find("recorded under a seccomp filter") != std::string::npos);
  CHECK(rec.log().find("syscalls Docker's default allows") != std::string::npos);
  auto names = allowed(dir / "p.json");
  for (const char *setup_only :
       {"mount", "pivot_root", "sethostname", "unshare", "umount2", "keyctl"})
    CHECK_FALSE(has(names, setup_only));  // runc's setup, before the filter
  for (const char *gap : {"capset", "setgroups", "execve"}) CHECK(has(names, gap));
  CHECK(has(names, "bind"));  // httpd on loopback
  CHECK(has_argument_rules(dir / "p.json"));
  check_starts(dir / "p.json", kBusyboxImage, {"sh", "-c", kBusyboxWorkload}, 50);
  check_probes_denied(dir / "p.json");
}

TEST_CASE("record --container: a container that lives well under a second", "[docker][record]") {
  TempDir dir;
  ContainerGuard guard(container_name("short"));
  auto rec = record_containers(dir, {guard.name()}, (dir / "p.json").string());
  REQUIRE(rec.wait_for("recording"));
  REQUIRE(docker_run({"--name", guard.name(), kBusyboxImage, "echo", "ok"}).status == 0);
  REQUIRE(rec.wait() == 0);
  check_starts(dir / "p.json", kBusyboxImage, {"echo", "ok"}, 10);
  check_probes_denied(dir / "p.json");
}

TEST_CASE("record -- docker run: the profile is the container's", "[docker][record]") {
  TempDir dir;
  ContainerGuard guard(container_name("cmd"));
  auto result = run({syscope_bin(), "record", "-o", (dir / "p.json").string(), "--", docker_cli(),
                     "-H", docker_host(), "run", "--name", guard.name(), "--network", "none",
                     kBusyboxImage, "sh", "-c", kBusyboxWorkload});
  INFO(result.err);
  REQUIRE(result.status == 0);
  CHECK(result.err.find("recorded under a seccomp filter") != std::string::npos);
  CHECK_FALSE(has(allowed(dir / "p.json"), "pivot_root"));
  check_starts(dir / "p.json", kBusyboxImage, {"sh", "-c", kBusyboxWorkload}, 10);
  check_probes_denied(dir / "p.json");
}

TEST_CASE(
    "record --container under seccomp=unconfined: unshare allowed and said so, chroot still denied",
    "[docker][record]") {
  TempDir dir;
  ContainerGuard guard(container_name("unconf"));
  auto rec = record_containers(dir, {guard.name()}, (dir / "p.json").string());
  REQUIRE(rec.wait_for("recording"));
  const char *workload = "unshare -U true && ls / > /dev/null && echo ok";
  REQUIRE(docker_run({"--name", guard.name(), "--security-opt", "seccomp=unconfined", kBusyboxImage,
                      "sh", "-c", workload})
              .status == 0);
  REQUIRE(rec.wait() == 0);
  INFO(rec.log());
  CHECK(rec.log().find("recorded without a filter") != std::string::npos);
  CHECK(rec.log().find("allows unshare, which Docker's default refuses") != std::string::npos);
  auto names = allowed(dir / "p.json");
  CHECK(has(names, "unshare"));
  for (const char *setup_only : {"mount", "pivot_root", "sethostname"})
    CHECK_FALSE(has(names, setup_only));
  check_starts(dir / "p.json", kBusyboxImage, {"sh", "-c", workload}, 20);
  auto chroot = docker_run({"--rm", "--security-opt", "seccomp=" + (dir / "p.json").string(),
                            kBusyboxImage, "chroot", "/", "true"});
  CHECK(chroot.err.find("Operation not permitted") != std::string::npos);
}

TEST_CASE("record --container: a multi-threaded Python runtime", "[docker][record]") {
  TempDir dir;
  ContainerGuard guard(container_name("threads"));
  auto rec = record_containers(dir, {guard.name()}, (dir / "p.json").string());
  REQUIRE(rec.wait_for("recording"));
  auto run =
      docker_run({"--name", guard.name(), kThreadedImage, "python3", "-c", kThreadedWorkload});
  INFO(run.err);
  REQUIRE(run.status == 0);
  REQUIRE(rec.wait() == 0);
  auto names = allowed(dir / "p.json");
  CHECK(has(names, "clone"));  // threads; clone3 is answered ENOSYS so glibc falls back to clone
  CHECK_FALSE(has(names, "clone3"));
  check_starts(dir / "p.json", kThreadedImage, {"python3", "-c", kThreadedWorkload}, 20);
  check_probes_denied(dir / "p.json");
}

TEST_CASE("record --container: two containers at once get two different profiles",
          "[docker][record]") {
  TempDir dir;
  ContainerGuard a(container_name("twoa")), b(container_name("twob"));
  auto rec = record_containers(dir, {a.name(), b.name()}, dir.path().string());
  REQUIRE(rec.wait_for("recording"));
  std::thread other([&] {
    docker_run({"--name", b.name(), kBusyboxImage, "sh", "-c", "ls / > /dev/null; echo ok"});
  });
  REQUIRE(docker_run({"--name", a.name(), kBusyboxImage, "sh", "-c", kBusyboxWorkload}).status ==
          0);
  other.join();
  REQUIRE(rec.wait() == 0);
  auto names_a = allowed(dir / (a.name() + ".json"));
  auto names_b = allowed(dir / (b.name() + ".json"));
  CHECK(has(names_a, "bind"));
  CHECK_FALSE(has(names_b, "bind"));
  check_starts(dir / (b.name() + ".json"), kBusyboxImage, {"sh", "-c", "ls / > /dev/null; echo ok"},
               5);
}

TEST_CASE("record --container: a container that never appears is exit 3 after --wait",
          "[docker][record]") {
  auto result = run({syscope_bin(), "record", "--docker-socket", docker_socket_path(), "--wait",
                     "1", "--container", "syscope-never-started", "-o", "/tmp/syscope-never.json"});
  CHECK(result.status == 3);
  CHECK(result.err.find("syscope-never-started did not appear within 1 s") != std::string::npos);
  CHECK_FALSE(fs::exists("/tmp/syscope-never.json"));
}
