// SPDX-License-Identifier: Apache-2.0
// `syscope daemon` against the private dockerd: every container profiled from its first
// syscall without a command per container, denials and unconfined containers reported as they
// happen, the socket's requests and CLI clients, forensic capture, and a kill -9 and restart
// that loses nothing. Each test runs its own daemon (own state dir, socket and pin dir).
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../common/dry_run_candidate.hpp"
#include "docker_helpers.hpp"
#include "helpers.hpp"
#include "prometheus_helpers.hpp"
#include "syscope/daemon/control_client.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Files, a fork, a sleep and an HTTP exchange on loopback: the calls of a small server.
const char *kWorkload =
    "set -e; echo data > /tmp/f; cat /tmp/f > /dev/null; ls -la / /tmp > /dev/null; "
    "(sleep 0.05; echo child > /dev/null) & wait; "
    "mkdir -p /tmp/www; echo hello > /tmp/www/index.html; "
    "httpd -f -p 127.0.0.1:8080 -h /tmp/www & sleep 0.2; "
    "wget -q -O - http://127.0.0.1:8080/index.html | grep -q hello; kill $!; echo ok";

// One daemon of this test: JSON log on stdout (log.jsonl), stderr apart (stderr.log).
class TestDaemon {
 public:
  explicit TestDaemon(const TempDir &dir, std::vector<std::string> extra = {})
      : dir_(dir.path()),
        socket_((dir_ / "syscope.sock").string()),
        pin_dir_("/sys/fs/bpf/syscope-test-" + std::to_string(getpid())) {
    start(extra);
  }
  ~TestDaemon() {
    stop();
    run({syscope_bin(), "daemon", "--uninstall", "--pin-dir", pin_dir_});
  }
  void start(const std::vector<std::string> &extra = {}) {
    std::vector<std::string> argv = {"/bin/sh",
                                     "-c",
                                     "exec \"$0\" \"$@\" 2>>\"" + err_path() + "\"",
                                     syscope_bin(),
                                     "daemon",
                                     "--state-dir",
                                     (dir_ / "state").string(),
                                     "--socket",
                                     socket_,
                                     "--pin-dir",
                                     pin_dir_,
                                     "--docker-socket",
                                     docker_socket_path()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // scripts/record-daemon-profile: each daemon runs unconfined under `syscope record`, whose
    // profiles become profiles/syscope-daemon.json.
    const char *record_dir = std::getenv("SYSCOPE_RECORD_DAEMON_DIR");
    if (record_dir) {
      std::string out = std::string(record_dir) + "/daemon-" + std::to_string(getpid()) + "-" +
                        std::to_string(++recordings) + ".json";
      argv.insert(argv.begin() + 3, {syscope_bin(), "record", "--no-args", "-o", out, "--"});
      argv.push_back("--no-confine");
    }
    started_lines_ += 1;  // each start logs to a file of its own; log() joins them
    process_ = std::make_unique<Background>(argv, log_path(started_lines_));
    bool started = wait_for_log("\"event\":\"started\"", started_lines_);
    INFO("daemon log: " << log() << "\nstderr: " << err());
    REQUIRE(started);
    if (!record_dir) check_confined();
  }
  // Every test's daemon runs as deployed: under its own profile, with only CAP_BPF and
  // CAP_PERFMON (README: run it as a service).
  void check_confined() const {
    std::string status = read_file("/proc/" + std::to_string(pid()) + "/status");
    INFO(status);
    auto field = [&](const std::string &name) {
      auto at = status.find("\n" + name + ":");
      if (at == std::string::npos) return std::string();
      auto start = status.find_first_not_of(" \t", at + name.size() + 2);
      return status.substr(start, status.find('\n', start) - start);
    };
    CHECK(field("Seccomp") == "2");
    CHECK(field("NoNewPrivs") == "1");
    const std::string kept = "000000c000000000";  // CAP_PERFMON (38), CAP_BPF (39)
    CHECK(field("CapEff") == kept);
    CHECK(field("CapPrm") == kept);
    CHECK(field("CapBnd") == kept);
    CHECK(field("CapInh") == "0000000000000000");
    CHECK(field("CapAmb") == "0000000000000000");
  }
  // Waits until the log holds `text` at least `times` times.
  bool wait_for_log(const std::string &text, int times = 1, double seconds = 30) const {
    for (int i = 0; i < seconds * 50; ++i) {
      if (count(log(), text) >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int stop(int sig = SIGTERM) {
    if (!process_) return -1;
    kill_pid(sig);
    int rc = process_->wait(30);
    process_.reset();
    return rc;
  }
  json ask(const json &request) {
    syscope::daemon::ControlClient client(socket_);
    return client.request(request);
  }
  const std::string &socket() const { return socket_; }
  const std::string &pin_dir() const { return pin_dir_; }
  fs::path state() const { return dir_ / "state"; }
  std::string log() const {
    std::string all;
    for (int i = 1; i <= started_lines_; ++i) all += read_file(log_path(i));
    return all;
  }
  std::string err() const { return read_file(err_path()); }
  // No error from the daemon (its own profile refusing it is one), in its log or on its stderr
  // (which a recording run shares with `syscope record`).
  void check_clean() const {
    INFO("stderr: " << err());
    if (!std::getenv("SYSCOPE_RECORD_DAEMON_DIR")) CHECK(err().empty());
    INFO("log: " << log());
    CHECK(log().find("\"level\":\"error\"") == std::string::npos);
  }

 private:
  static int count(const std::string &text, const std::string &what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  // Background keeps the pid private; the daemon wrote it in its started line.
  pid_t pid() const {
    auto text = log();
    auto at = text.rfind("\"event\":\"started\"");
    auto line_start = text.rfind('\n', at);
    auto line = text.substr(line_start == std::string::npos ? 0 : line_start + 1);
    line = line.substr(0, line.find('\n'));
    return json::parse(line).at("pid").get<pid_t>();
  }
  void kill_pid(int sig) { ::kill(pid(), sig); }
  std::string log_path(int run) const {
    return (dir_ / ("log-" + std::to_string(run) + ".jsonl")).string();
  }
  std::string err_path() const { return (dir_ / "stderr.log").string(); }

  fs::path dir_;
  std::string socket_, pin_dir_;
  std::unique_ptr<Background> process_;
  int started_lines_ = 0;
  static inline int recordings = 0;  // every daemon of this test run: one profile each
};

bool has(const std::set<std::string> &names, const std::string &name) {
  return names.count(name) != 0;
}

// The daemon's JSON log lines of one event.
std::vector<json> events(const std::string &log, const std::string &event) {
  std::vector<json> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("event", "") == event) out.push_back(j);
  }
  return out;
}

RunResult profile_get(const TestDaemon &d, const std::string &target, const fs::path &out) {
  return run({syscope_bin(), "profile", "get", target, "-o", out.string(), "--socket", d.socket()});
}

// Waits until the daemon's profile of `target` allows `name` (profiles are flushed every 2 s).
bool wait_for_call(TestDaemon &d, const std::string &target, const std::string &name,
                   const fs::path &out, double seconds = 20) {
  for (int i = 0; i < seconds * 4; ++i) {
    if (profile_get(d, target, out).status == 0 && has(allowed_names(out), name)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

// The dry-run tests' workload under Docker's default: sysinfo (free) and AF_INET6 and AF_INET
// sockets (nc), after a short sleep that keeps its calls after the moment the daemon sees its
// cgroup (README). Runs it in `named` and in `other`; nothing may be refused.
void run_dry_workload(const ContainerGuard &named, const ContainerGuard &other) {
  const char *workload =
      "sleep 0.5; free; nc ::1 1 </dev/null; nc 127.0.0.1 1 </dev/null; free; echo done";
  auto ran = docker_run({"--name", named.name(), kBusyboxImage, "sh", "-c", workload});
  docker_run({"--name", other.name(), kBusyboxImage, "sh", "-c", workload});
  INFO(ran.out << ran.err);
  REQUIRE(ran.out.find("done") != std::string::npos);  // nothing enforced
  CHECK(ran.out.find("Mem:") != std::string::npos);
  CHECK(ran.err.find("not permitted") == std::string::npos);
}

}  // namespace

TEST_CASE("daemon: profiles denials alerts and capture for every container over its socket",
          "[docker][daemon]") {
  TempDir dir;
  TestDaemon d(dir);
  ContainerGuard web(container_name("dweb")), unconf(container_name("dunconf")),
      priv(container_name("dpriv")), denier(container_name("ddeny")),
      brief(container_name("dshort")), flight(container_name("dflight")),
      traced(container_name("dtrace"));

  // Two subscribers at once both get every denial.
  Background watch_a({syscope_bin(), "watch", "--daemon", "--json", "--socket", d.socket()},
                     (dir / "watch-a.log").string());
  Background watch_b({syscope_bin(), "watch", "--daemon", "--socket", d.socket(), "--utc"},
                     (dir / "watch-b.log").string());
  REQUIRE(watch_a.wait_for("watching"));
  REQUIRE(watch_b.wait_for("watching"));

  REQUIRE(docker_run({"--name", web.name(), kBusyboxImage, "sh", "-c", kWorkload}).status == 0);
  REQUIRE(docker_run({"--name", unconf.name(), "--security-opt", "seccomp=unconfined",
                      kBusyboxImage, "ls", "/"})
              .status == 0);
  REQUIRE(docker({"create", "--name", priv.name(), "--network", "none", "--privileged",
                  kBusyboxImage, "true"})
              .status == 0);
  auto denied = docker_run({"--name", denier.name(), kBusyboxImage, "sh", "-c",
                            "unshare -U true; mount -t tmpfs t /mnt; echo done"});
  REQUIRE(denied.status == 0);
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(docker_run({"--name", brief.name(), kBusyboxImage, "true"}).status == 0);
  INFO("short container took "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
  REQUIRE(docker_run({"--name", flight.name(), "--label", "io.syscope.flight-recorder=30",
                      kBusyboxImage, "sh", "-c",
                      "ls / > /dev/null; sleep 1; unshare -U true; sleep 0.5"})
              .status != -1);

  {  // profiles: the container replays under its profile 50 times, unshare/chroot denied
    auto profile = dir / "web.json";
    REQUIRE(wait_for_call(d, web.name(), "bind", profile));
    auto names = allowed_names(profile);
    for (const char *setup_only : {"mount", "pivot_root", "sethostname", "unshare"})
      CHECK_FALSE(has(names, setup_only));  // runc's setup, before the filter
    for (const char *gap : {"capset", "setgroups", "execve"}) CHECK(has(names, gap));
    for (int i = 0; i < 50; ++i) {
      auto r = docker_run({"--rm", "--security-opt", "seccomp=" + profile.string(), kBusyboxImage,
                           "sh", "-c", kWorkload});
      INFO("start " << i + 1 << ": " << r.err);
      REQUIRE(r.status == 0);
    }
    for (std::vector<std::string> probe : {std::vector<std::string>{"unshare", "-U", "true"},
                                           std::vector<std::string>{"chroot", "/", "true"}}) {
      std::vector<std::string> args = {"--rm", "--security-opt", "seccomp=" + profile.string(),
                                       kBusyboxImage};
      args.insert(args.end(), probe.begin(), probe.end());
      auto r = docker_run(args);
      CHECK(r.err.find("Operation not permitted") != std::string::npos);
    }
    // The short-lived one was profiled too, from its first syscall.
    REQUIRE(wait_for_call(d, brief.name(), "execve", dir / "short.json"));
    // The image profile: all containers of busybox with that command; coverage counted.
    auto image = d.ask({{"request", "profile"}, {"target", web.name()}, {"kind", "container"}});
    REQUIRE(image.value("ok", false));
  }

  {  // denials: over the socket, in both subscribers, in the log, with reason and fix
    REQUIRE(d.wait_for_log("\"event\":\"denial\""));
    json r;
    for (int i = 0; i < 100; ++i) {
      r = d.ask({{"request", "denials"}, {"container", denier.name()}});
      if (r["denials"].size() >= 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(r.value("ok", false));
    std::string all = r.dump();
    INFO("denials of " << denier.name() << ": " << all
                       << "\nall recent: " << d.ask({{"request", "denials"}, {"limit", 20}}).dump()
                       << "\ncontainers: " << d.ask({{"request", "containers"}}).dump());
    CHECK(all.find("\"unshare\"") != std::string::npos);
    CHECK(all.find("\"mount\"") != std::string::npos);
    CHECK(all.find("EPERM") != std::string::npos);
    CHECK(all.find("suggest") != std::string::npos);
    REQUIRE(watch_a.wait_for(denier.name()));
    REQUIRE(watch_b.wait_for(denier.name()));
    CHECK(watch_a.wait_for("\"syscall\":\"mount\""));
    CHECK(watch_b.wait_for("mount("));
    CHECK(watch_b.wait_for("blocked:"));
  }

  {  // alerts: the unconfined and the privileged container, with the CIS/STIG ids
    REQUIRE(d.wait_for_log(unconf.name()));
    for (int i = 0; i < 100 && events(d.log(), "alert").size() < 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto alerts = events(d.log(), "alert");
    std::string text;
    for (const auto &a : alerts) text += a.dump() + "\n";
    INFO(text);
    CHECK(text.find(unconf.name()) != std::string::npos);
    CHECK(text.find(priv.name()) != std::string::npos);
    CHECK(text.find("DKER-EE-002070") != std::string::npos);
    CHECK(text.find("CIS-5.21") != std::string::npos);
    CHECK(text.find(web.name()) == std::string::npos);  // the default profile passes
    auto audit = d.ask({{"request", "audit"}});
    REQUIRE(audit.value("ok", false));
    CHECK(audit["failing"].get<int>() >= 2);
  }

  {  // flight recorder: a denial dumps the labelled container's recent calls
    REQUIRE(d.wait_for_log("\"event\":\"flight_dump\""));
    auto dumps = events(d.log(), "flight_dump");
    REQUIRE(!dumps.empty());
    std::string path = dumps.front().at("path");
    auto show = run({syscope_bin(), "trace", "show", "--utc", path});
    INFO(show.err);
    CHECK(show.status == 0);
    CHECK(show.out.find("unshare") != std::string::npos);
  }

  {  // trace --daemon: a running container traced through the daemon
    REQUIRE(docker_run({"-d", "--name", traced.name(), kBusyboxImage, "sh", "-c",
                        "while true; do cat /etc/hostname > /dev/null; sleep 0.1; done"})
                .status == 0);
    auto out = dir / "t.trace";
    for (int i = 0; i < 100; ++i) {
      auto list = d.ask({{"request", "containers"}}).dump();
      if (list.find(traced.name()) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto tr = run({syscope_bin(), "trace", "--daemon", traced.name(), "-o", out.string(),
                   "--duration", "2", "--socket", d.socket()});
    INFO(tr.err);
    REQUIRE(tr.status == 0);
    auto show = run({syscope_bin(), "trace", "show", "--utc", out.string()});
    INFO(show.err);
    CHECK(show.status == 0);
    CHECK(show.out.find("/etc/hostname") != std::string::npos);
    CHECK(show.out.find(traced.name()) != std::string::npos);
  }

  {  // status, the CLI's and the socket's
    auto st = run({syscope_bin(), "status", "--json", "--socket", d.socket()});
    INFO(st.err);
    REQUIRE(st.status == 0);
    auto s = json::parse(st.out);
    CHECK(s["containers"]["profiled"].get<int>() >= 5);
    CHECK(s["map_bytes"].get<uint64_t>() > 0);
    CHECK(s["losses"]["ringbuf_full"] == 0);
    auto text = run({syscope_bin(), "status", "--socket", d.socket()});
    CHECK(text.out.find("containers:") != std::string::npos);
  }

  watch_a.interrupt();
  watch_b.interrupt();
  d.stop();
  d.check_clean();
  CHECK_FALSE(fs::exists(d.pin_dir()));  // SIGTERM unpins
}

TEST_CASE("daemon: kill -9 and restart lose nothing and keep the calls made meanwhile",
          "[docker][daemon]") {
  TempDir dir;
  TestDaemon d(dir);
  ContainerGuard busy(container_name("dbusy")), downtime(container_name("ddown"));
  REQUIRE(docker_run({"-d", "--name", busy.name(), kBusyboxImage, "sh", "-c",
                      "while true; do ls / > /dev/null; sleep 0.1; done"})
              .status == 0);
  auto before = dir / "before.json";
  REQUIRE(wait_for_call(d, busy.name(), "getdents64", before));
  REQUIRE_FALSE(has(allowed_names(before), "sync"));

  d.stop(SIGKILL);
  REQUIRE(fs::exists(d.pin_dir()));  // the pins outlive the daemon
  // While it is down: new calls in a running container, and a container that comes and goes.
  REQUIRE(docker({"exec", busy.name(), "sh", "-c", "sync; mkfifo /tmp/fifo"}).status == 0);
  REQUIRE(docker_run({"--name", downtime.name(), kBusyboxImage, "sh", "-c", "sync"}).status == 0);

  d.start();
  auto probes = events(d.log(), "probes");
  REQUIRE(probes.size() == 2);
  CHECK(probes.back()["start"] == "resumed");
  auto after = dir / "after.json";
  REQUIRE(wait_for_call(d, busy.name(), "sync", after));
  auto names = allowed_names(after);
  for (const auto &name : allowed_names(before)) CHECK(has(names, name));  // nothing saved was lost
  CHECK(has(names, "mknodat"));
  REQUIRE(wait_for_call(d, downtime.name(), "sync", dir / "down.json"));
  d.stop();
  d.check_clean();
}

TEST_CASE("daemon: a second daemon refuses and hostile clients do not hurt the first",
          "[docker][daemon]") {
  TempDir dir;
  TestDaemon d(dir);
  auto second =
      run({syscope_bin(), "daemon", "--state-dir", d.state().string(), "--socket",
           (dir / "other.sock").string(), "--no-pin", "--docker-socket", docker_socket_path()});
  CHECK(second.status == 3);
  CHECK(second.err.find("another syscope daemon") != std::string::npos);
  auto third = run({syscope_bin(), "daemon", "--state-dir", (dir / "other").string(), "--socket",
                    d.socket(), "--no-pin", "--docker-socket", docker_socket_path()});
  CHECK(third.status == 3);
  CHECK(third.err.find("another syscope daemon") != std::string::npos);

  auto bad = d.ask({{"request", "no-such-thing"}});
  CHECK_FALSE(bad.value("ok", true));
  CHECK(bad["error"].get<std::string>().find("unknown request") != std::string::npos);
  auto missing = d.ask({{"request", "profile"}, {"target", "no-such-container"}});
  CHECK_FALSE(missing.value("ok", true));

  // 100 clients at once, each answered.
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 100; ++i)
    clients.emplace_back([&] {
      try {
        if (d.ask({{"request", "status"}}).value("ok", false)) ++answered;
      } catch (...) {
      }
    });
  for (auto &t : clients) t.join();
  CHECK(answered == 100);
  auto st = run({syscope_bin(), "status", "--socket", d.socket()});
  CHECK(st.status == 0);
  d.stop();
  d.check_clean();
}

namespace {

// podman on a store of its own (vfs: no mounts to undo), never the system's; runc, since crun
// refuses this hybrid-cgroup host, and ulimits this host's bounding set allows.
std::vector<std::string> podman_args(const TempDir &dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/podman",
                                   "--root",
                                   (dir / "podman-root").string(),
                                   "--runroot",
                                   (dir / "podman-run").string(),
                                   "--storage-driver",
                                   "vfs",
                                   "--cgroup-manager",
                                   "cgroupfs",
                                   "--events-backend",
                                   "file"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

RunResult podman_run(const TempDir &dir, std::vector<std::string> args) {
  std::vector<std::string> run_args = {
      "run",      "--runtime",        "runc",     "--network",      "none",
      "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"};
  run_args.insert(run_args.end(), args.begin(), args.end());
  return run(podman_args(dir, run_args));
}

}  // namespace

TEST_CASE("daemon: podman containers are profiled and named through podman's API",
          "[docker][daemon][podman]") {
  if (!fs::exists("/usr/bin/podman")) {
    if (std::getenv("CI")) FAIL("podman is missing: scripts/docker-env installs it");
    WARN("podman not installed: skipped");
    return;
  }
  TempDir dir;
  const std::string image = "localhost/syscope-test/busybox";
  std::string podman_load;
  for (const auto &arg : podman_args(dir, {"load", "-q"})) podman_load += arg + " ";
  // The test image, from the private dockerd: there is no registry.
  auto load =
      run({"/bin/sh", "-c",
           docker_cli() + " -H " + docker_host() + " save " + kBusyboxImage + " | " + podman_load});
  INFO(load.out << load.err);
  REQUIRE(load.status == 0);
  std::string podman_socket = (dir / "podman.sock").string();
  Background service(podman_args(dir, {"system", "service", "--time=0", "unix://" + podman_socket}),
                     (dir / "podman-service.log").string());
  for (int i = 0; i < 100 && !fs::exists(podman_socket); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(podman_socket));

  TestDaemon d(dir, {"--podman-socket", podman_socket});
  auto web = podman_run(dir, {"--name", "pweb", image, "sh", "-c", kWorkload});
  INFO(web.err);
  REQUIRE(web.status == 0);
  auto profile = dir / "pweb.json";
  REQUIRE(wait_for_call(d, "pweb", "bind", profile));  // by its podman name
  auto names = allowed_names(profile);
  CHECK_FALSE(has(names, "pivot_root"));  // runc's setup, before the filter
  CHECK(has(names, "execve"));
  for (int i = 0; i < 10; ++i) {
    auto again = podman_run(dir, {"--rm", "--security-opt", "seccomp=" + profile.string(), image,
                                  "sh", "-c", kWorkload});
    INFO("start " << i + 1 << ": " << again.err);
    REQUIRE(again.status == 0);
  }
  // podman's default allows unshare and mount (it leaves them to capabilities); sethostname
  // without CAP_SYS_ADMIN it refuses.
  auto denied = podman_run(dir, {"--name", "pdeny", image, "hostname", "denied"});
  CHECK(denied.status != 0);
  json r;
  for (int i = 0; i < 100; ++i) {
    r = d.ask({{"request", "denials"}, {"container", "pdeny"}});
    if (!r["denials"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(r.dump());
  REQUIRE(!r["denials"].empty());
  CHECK(r.dump().find("\"runtime\":\"podman\"") != std::string::npos);
  CHECK(r.dump().find("\"sethostname\"") != std::string::npos);
  run(podman_args(dir, {"rm", "-f", "pweb", "pdeny"}));
  d.stop();
  d.check_clean();
}

TEST_CASE("daemon --args: the container's profile has argument rules and refuses what it never did",
          "[docker][daemon][args]") {
  TempDir dir;
  TestDaemon d(dir, {"--args"});
  ContainerGuard guard(container_name("dargs"));
  const std::string mount = test_prog("arg_workload") + ":/arg_workload:ro";
  auto ran =
      docker_run({"--name", guard.name(), "-v", mount, kBusyboxImage, "/arg_workload", "work"});
  INFO(ran.err);
  REQUIRE(ran.status == 0);
  REQUIRE(ran.out == "work=OK\n");
  auto profile = dir / "dargs.json";
  REQUIRE(wait_for_call(d, guard.name(), "socketpair", profile));
  // Flushed calls and values arrive together; wait until socket is narrowed.
  auto narrowed = [&] {
    auto doc = json::parse(read_file(profile));
    for (const auto &rule : doc["syscalls"])
      if (rule.contains("args") && rule["names"] == json::array({"socket"})) return true;
    return false;
  };
  for (int i = 0; i < 40 && !narrowed(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    profile_get(d, guard.name(), profile);
  }
  INFO(read_file(profile));
  REQUIRE(narrowed());
  for (int i = 0; i < 5; ++i) {
    auto again = docker_run({"--rm", "--security-opt", "seccomp=" + profile.string(), "-v", mount,
                             kBusyboxImage, "/arg_workload", "work"});
    INFO("run " << i + 1 << ": " << again.err);
    REQUIRE(again.out == "work=OK\n");
  }
  for (const char *probe : {"af_inet6", "per_bsd", "ioctl"}) {
    auto tight = docker_run({"--rm", "--security-opt", "seccomp=" + profile.string(), "-v", mount,
                             kBusyboxImage, "/arg_workload", "probe", probe});
    CHECK(tight.out == std::string(probe) + "=ERR EPERM\n");
  }
  d.check_clean();
}

TEST_CASE(
    "daemon --dry-run: a named container's calls judged against a candidate, nothing enforced",
    "[docker][daemon][would_deny]") {
  TempDir dir;
  auto candidate = dir / "candidate.json";
  std::ofstream(candidate) << syscope::seccomp::to_docker_json(dry_run_candidate());
  // A candidate the daemon cannot read stops it before it loads anything: exit 2, one line.
  auto refused = run({syscope_bin(), "daemon", "--state-dir", (dir / "refused").string(),
                      "--socket", (dir / "refused.sock").string(), "--no-pin", "--dry-run",
                      "web=" + (dir / "missing.json").string()});
  CHECK(refused.status == 2);
  CHECK(refused.err.find("--dry-run web=") != std::string::npos);
  CHECK(refused.err.find("missing.json") != std::string::npos);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);

  ContainerGuard guard(container_name("ddry"));
  ContainerGuard other(container_name("ddryother"));  // named by no setting: never judged
  TestDaemon d(dir, {"--dry-run", guard.name() + "=" + candidate.string()});
  REQUIRE(d.wait_for_log("\"event\":\"dry_run\""));
  run_dry_workload(guard, other);

  auto report = [&] {
    return json::parse(
        run({syscope_bin(), "status", "--dry-run", "--json", "--socket", d.socket()}).out);
  };
  auto found = [](const json &r, const std::string &syscall) {
    for (const auto &c : r["containers"])
      for (const auto &row : c["would_deny"])
        if (row["syscall"] == syscall) return true;
    return false;
  };
  json r = report();
  for (int i = 0; i < 40 && !(found(r, "sysinfo") && found(r, "socket")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    r = report();
  }
  INFO(r.dump(2) << "\nlog: " << d.log());
  REQUIRE(r["containers"].size() == 1);
  const auto &mine = r["containers"][0];
  CHECK(mine["name"] == guard.name());
  CHECK(mine["profile"] == candidate.string());
  bool sysinfo = false, inet6 = false;
  for (const auto &row : mine["would_deny"]) {
    CHECK(row["verdict"] == "ERRNO(EPERM)");
    std::string call = row["syscall"];
    CHECK((call == "sysinfo" || call == "socket"));
    if (call == "sysinfo") {
      sysinfo = true;
      CHECK(row["rule"] == json::parse(R"({"names":["sysinfo"],"action":"SCMP_ACT_ALLOW"})"));
    } else {
      uint64_t family = row["rule"]["args"][0]["valueTwo"];
      CHECK(family != AF_UNIX);
      CHECK(family != AF_INET);  // the candidate allows it: never reported
      inet6 = inet6 || family == AF_INET6;
    }
  }
  CHECK(sysinfo);
  CHECK(inet6);
  CHECK(mine["rules_to_add"].size() == mine["would_deny"].size());
  CHECK(r["losses"]["dry_run_full"] == 0);

  // Each distinct call is logged once, with its container, and counted in status.
  size_t logged = 0;
  for (const auto &e : events(d.log(), "would_deny")) {
    CHECK(e["container"]["name"] == guard.name());
    ++logged;
  }
  CHECK(logged == mine["would_deny"].size());
  auto status = d.ask({{"request", "status"}});
  CHECK(status["dry_run"]["would_deny"] == mine["would_deny"].size());
  CHECK(status["dry_run"]["containers"] == 1);
  auto text = run({syscope_bin(), "status", "--dry-run", "--socket", d.socket()});
  CHECK(text.status == 0);
  CHECK(text.out.find("would deny socket(AF_INET6, ") != std::string::npos);
  CHECK(text.out.find("dry-run of " + candidate.string() + " on " + guard.name()) !=
        std::string::npos);
  auto unknown = run(
      {syscope_bin(), "status", "--dry-run", "--container", other.name(), "--socket", d.socket()});
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("is under dry-run") != std::string::npos);
  d.check_clean();
}

TEST_CASE("watch --daemon --would-deny: the daemon judges for the client until it goes",
          "[docker][daemon][would_deny]") {
  TempDir dir;
  auto candidate = dir / "candidate.json";
  std::ofstream(candidate) << syscope::seccomp::to_docker_json(dry_run_candidate());
  TestDaemon d(dir);
  CHECK(d.ask({{"request", "status"}})["dry_run"].is_null());  // no candidate: nothing loaded
  ContainerGuard guard(container_name("dcli"));
  ContainerGuard other(container_name("dcliother"));
  Background watch({syscope_bin(), "watch", "--daemon", "--would-deny", candidate.string(),
                    "--container", guard.name(), "--json", "--fail-on-denial", "--socket",
                    d.socket()},
                   (dir / "watch.log").string());
  REQUIRE(watch.wait_for("through the daemon"));
  auto status = d.ask({{"request", "status"}});
  INFO(status.dump());
  REQUIRE(status["dry_run"].is_object());
  CHECK(status["dry_run"]["settings"][0]["from"] == "client");
  CHECK(status["dry_run"]["settings"][0]["container"] == guard.name());

  run_dry_workload(guard, other);
  auto reported = [&](const std::string &what) {
    return watch.log().find(what) != std::string::npos;
  };
  for (int i = 0;
       i < 40 && !(reported("\"syscall\":\"sysinfo\"") && reported("\"call\":\"socket(AF_INET6, "));
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  REQUIRE(watch.interrupt() == 1);  // --fail-on-denial: something would have been denied
  INFO(watch.log());
  CHECK(reported("\"syscall\":\"sysinfo\""));
  CHECK(reported("\"call\":\"socket(AF_INET6, "));
  CHECK_FALSE(reported("\"call\":\"socket(AF_INET, "));  // allowed by the candidate
  CHECK_FALSE(reported(other.name()));
  CHECK(reported("\"type\":\"summary\""));

  // The client gone, its candidate and the dry-run programs are gone too.
  json after;
  for (int i = 0; i < 40; ++i) {
    after = d.ask({{"request", "status"}});
    if (after["dry_run"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(after["dry_run"].is_null());
  d.check_clean();
}

namespace syscope::data {
extern const char *const kDaemonProfileJson;
}

TEST_CASE("daemon: a call its own profile refuses is reported and the daemon keeps working",
          "[docker][daemon][confine]") {
  TempDir dir;
  // The built-in profile without rename: every profile write (temp file, then rename) is
  // refused with EPERM, as a gap in the profile would be on a host whose libc differs.
  auto self = json::parse(syscope::data::kDaemonProfileJson);
  for (auto &rule : self["syscalls"]) {
    auto &names = rule["names"];
    names.erase(std::remove_if(names.begin(), names.end(),
                               [](const json &n) { return n == "rename" || n == "renameat2"; }),
                names.end());
  }
  auto self_path = dir / "self.json";
  std::ofstream(self_path) << self.dump();
  TestDaemon d(dir, {"--self-profile", self_path.string()});
  REQUIRE(d.wait_for_log("\"event\":\"confined\""));
  ContainerGuard guard(container_name("dself"));
  REQUIRE(docker_run({"--name", guard.name(), kBusyboxImage, "true"}).status == 0);
  REQUIRE(d.wait_for_log("\"event\":\"self_denial\""));
  INFO(d.log());
  auto refused = events(d.log(), "self_denial");
  REQUIRE(!refused.empty());
  std::string call = refused[0]["syscall"];
  CHECK((call == "rename" || call == "renameat2"));
  CHECK(refused[0]["errno_name"] == "EPERM");
  CHECK(refused[0]["level"] == "error");
  auto status = d.ask({{"request", "status"}});  // ERRNO, not KILL: it still answers
  CHECK(status["self_denials"].get<uint64_t>() >= 1);
  CHECK(status["confinement"]["seccomp"]["profile"] == self_path.string());
  // A self profile that does not parse stops the start, naming it.
  auto bad = dir / "bad.json";
  std::ofstream(bad) << "{\"defaultAction\": 7}";
  auto refused_start =
      run({syscope_bin(), "daemon", "--state-dir", (dir / "bad-state").string(), "--socket",
           (dir / "bad.sock").string(), "--no-pin", "--self-profile", bad.string()});
  CHECK(refused_start.status == 2);
  CHECK(refused_start.err.find("the daemon's own profile " + bad.string()) != std::string::npos);
}

TEST_CASE("daemon --metrics: a real Prometheus scrapes a container's denial counter",
          "[docker][daemon][metrics]") {
  TempDir dir;
  {  // a bad address is exit 2 with one line, before anything is loaded
    auto bad = run({syscope_bin(), "daemon", "--metrics", "256.0.0.1:80", "--state-dir",
                    (dir / "bad").string(), "--no-pin"});
    CHECK(bad.status == 2);
    CHECK(bad.err == "syscope: --metrics: expected [HOST:]PORT (9090, 127.0.0.1:9090, "
                     "0.0.0.0:9090, [::1]:9090), not \"256.0.0.1:80\"\n");
  }
  uint16_t port = free_loopback_port();
  std::string target = "127.0.0.1:" + std::to_string(port);
  TestDaemon d(dir, {"--metrics", std::to_string(port), "--metrics-keep-exited", "5s"});
  CHECK(d.ask({{"request", "status"}})["metrics"] == "http://" + target + "/metrics");
  auto status_text = run({syscope_bin(), "status", "--socket", d.socket()});
  CHECK(status_text.out.find("metrics: http://" + target + "/metrics\n") != std::string::npos);
  {  // the port taken: exit 3 naming it (another state dir, socket and pin dir)
    TempDir other;
    auto taken = run({syscope_bin(), "daemon", "--metrics", target, "--state-dir",
                      (other / "state").string(), "--socket", (other / "s.sock").string(),
                      "--no-pin", "--docker-socket", docker_socket_path()});
    CHECK(taken.status == 3);
    CHECK(taken.err.find("metrics: cannot listen on " + target + ": Address already in use") !=
          std::string::npos);
  }
  CHECK(http_get(port, "/").status == 404);

  TestPrometheus prom(dir, target);
  REQUIRE(prom.wait_ready());
  ContainerGuard denier(container_name("mdeny")), priv(container_name("mpriv"));
  // Created only (this VM's runc cannot start a privileged one): the API's list shows it.
  REQUIRE(docker({"create", "--name", priv.name(), "--network", "none", "--privileged",
                  kBusyboxImage, "true"})
              .status == 0);
  // Denied once under Docker's default, then alive long enough for a few scrapes.
  REQUIRE(docker_run({"-d", "--name", denier.name(), kBusyboxImage, "sh", "-c",
                      "sleep 0.5; unshare -U true; sleep 6"})
              .status == 0);

  std::string promql = "syscope_denials_total{container=\"" + denier.name() +
                       "\",syscall=\"unshare\",errno=\"EPERM\",action=\"errno\"}";
  json result;
  for (int i = 0; i < 60; ++i) {
    result = prom.query(promql);
    if (result.is_object() && !result["data"]["result"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  INFO("query " << promql << ": " << result.dump() << "\nprometheus: " << prom.log());
  REQUIRE(result.value("status", "") == "success");
  REQUIRE(result["data"]["result"].size() == 1);
  const auto &sample = result["data"]["result"][0];
  CHECK(sample["value"][1] == "1");  // busybox's unshare tries once
  CHECK(sample["metric"]["image"] == kBusyboxImage);
  CHECK(sample["metric"]["container_id"].get<std::string>().size() == 12);
  CHECK(sample["metric"]["job"] == "syscope");

  auto targets = prom.api("targets");
  INFO("targets: " << targets.dump());
  REQUIRE(targets["data"]["activeTargets"].size() == 1);
  CHECK(targets["data"]["activeTargets"][0]["health"] == "up");
  CHECK(targets["data"]["activeTargets"][0]["scrapeUrl"] == "http://" + target + "/metrics");

  // The page as Prometheus' own linter reads it: exit 0, not a word.
  auto page = http_get(port, "/metrics");
  REQUIRE(page.status == 200);
  CHECK(page.headers.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  std::ofstream(dir / "page.txt") << page.body;
  auto lint = run(
      {"/bin/sh", "-c", "exec promtool check metrics < \"$0\" 2>&1", (dir / "page.txt").string()});
  INFO("page:\n" << page.body);
  CHECK(lint.status == 0);
  CHECK(lint.out.empty());
  for (const char *line :
       {"syscope_build_info{version=\"" SYSCOPE_VERSION "\"} 1\n",
        "# TYPE syscope_bpf_map_bytes gauge\n", "# TYPE process_cpu_seconds_total counter\n",
        "syscope_losses_total{program=\"daemon\",reason=\"ringbuf_full\"} "}) {
    INFO(line);
    CHECK(page.body.find(line) != std::string::npos);
  }
  // The privileged container (this host may run others: at least one).
  auto privileged = prom.query("syscope_containers_privileged");
  INFO(privileged.dump());
  REQUIRE(privileged["data"]["result"].size() == 1);
  CHECK(std::stoi(privileged["data"]["result"][0]["value"][1].get<std::string>()) >= 1);

  // The container gone, its series stay --metrics-keep-exited (5 s), then go.
  REQUIRE(docker({"wait", denier.name()}).status == 0);
  auto gone_at = std::chrono::steady_clock::now();
  std::string mine = "container=\"" + denier.name() + "\"";
  CHECK(http_get(port, "/metrics").body.find(mine) != std::string::npos);
  bool went = false;
  while (!went && std::chrono::steady_clock::now() - gone_at < std::chrono::seconds(15)) {
    went = http_get(port, "/metrics").body.find(mine) == std::string::npos;
    if (!went) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  double after = std::chrono::duration<double>(std::chrono::steady_clock::now() - gone_at).count();
  INFO("gone after " << after << " s");
  CHECK(went);
  CHECK(after >= 3.5);  // not at once: kept about 5 s after the exit the daemon saw
  d.check_clean();
}
