// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "../common/temp_dir.hpp"
#include "syscope/base/error.hpp"
#include "syscope/daemon/daemon_config.hpp"
#include "syscope/daemon/denial_wire.hpp"
#include "syscope/daemon/instance_lock.hpp"

using namespace syscope;
using daemon::DaemonConfig;

namespace {

std::string write(const syscope::test::TempDir &dir, const std::string &text) {
  std::string path = (dir / "daemon.yaml").string();
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string &path) {
  DaemonConfig config;
  try {
    daemon::apply_config_file(config, path);
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the config file sets the same keys as the flags", "[daemon_config]") {
  syscope::test::TempDir dir;
  DaemonConfig config;
  daemon::apply_config_file(config, write(dir, "state_dir: /srv/syscope\nsocket: /run/s.sock\n"
                                               "keep_removed: 12h\npin_dir: ~\nring_mib: 8\n"
                                               "keep_attached: true\nsocket_group: syscope\n"
                                               "args: false\n"));
  CHECK(config.state_dir == "/srv/syscope");
  CHECK(config.socket == "/run/s.sock");
  CHECK(config.keep_removed == std::chrono::hours(12));
  CHECK(config.pin_dir.empty());
  CHECK(config.ring_mib == 8);
  CHECK(config.keep_attached);
  CHECK(config.socket_group == "syscope");
  CHECK_FALSE(config.args);  // on by default: the file turns it off
}

TEST_CASE("an empty config file keeps the defaults", "[daemon_config]") {
  syscope::test::TempDir dir;
  DaemonConfig config;
  daemon::apply_config_file(config, write(dir, ""));
  CHECK(config.state_dir == "/var/lib/syscope");
  CHECK(config.socket == "/run/syscope/syscope.sock");
  CHECK(config.keep_removed == std::chrono::hours(24 * 7));
  CHECK(config.args);
}

TEST_CASE("a typo, a bad value or bad YAML is exit 2 naming the key", "[daemon_config]") {
  syscope::test::TempDir dir;
  CHECK(error_of(write(dir, "state-dir: /x\n")).find("\"state-dir\": unknown setting") !=
        std::string::npos);
  CHECK(error_of(write(dir, "ring_mib: 3\n")).find("power of two") != std::string::npos);
  CHECK(error_of(write(dir, "ring_mib: lots\n")).find("whole number") != std::string::npos);
  CHECK(error_of(write(dir, "keep_attached: maybe\n")).find("true or false") != std::string::npos);
  CHECK(error_of(write(dir, "keep_removed: 1w\n")).find("duration") != std::string::npos);
  CHECK(error_of(write(dir, "[a, b]\n")).find("mapping") != std::string::npos);
  CHECK(error_of(write(dir, "a: [\n")).find("not YAML") != std::string::npos);
  CHECK(error_of((dir / "missing.yaml").string()).find("missing.yaml") != std::string::npos);
  CHECK(error_of(dir.path().string()).find("directory") != std::string::npos);
}

TEST_CASE("dry_run settings name a container or an image and a profile", "[daemon_config]") {
  syscope::test::TempDir dir;
  DaemonConfig config;
  daemon::apply_config_file(config,
                            write(dir, "dry_run:\n"
                                       "  - {container: web, profile: /etc/web.json}\n"
                                       "  - {image: 'nginx:1.25', profile: /etc/n.json}\n"));
  REQUIRE(config.dry_run.size() == 2);
  CHECK(config.dry_run[0].container == "web");
  CHECK(config.dry_run[0].image.empty());
  CHECK(config.dry_run[0].profile == "/etc/web.json");
  CHECK(config.dry_run[1].image == "nginx:1.25");
  CHECK(config.dry_run[1].where.find("dry_run[1]") != std::string::npos);
  CHECK(error_of(write(dir, "dry_run: web\n")).find("\"dry_run\": expected a list") !=
        std::string::npos);
  CHECK(error_of(write(dir, "dry_run: [{container: web}]\n")).find("profile") != std::string::npos);
  CHECK(error_of(write(dir, "dry_run: [{container: a, image: b, profile: p}]\n"))
            .find("exactly one of container and image") != std::string::npos);
  CHECK(error_of(write(dir, "dry_run: [{container: a, profle: p}]\n"))
            .find("\"dry_run[0].profle\": unknown key") != std::string::npos);

  auto flag = daemon::parse_dry_run_flag("web=/tmp/c.json");
  CHECK(flag.container == "web");
  CHECK(flag.profile == "/tmp/c.json");
  for (const char *bad : {"web", "=c.json", "web="}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(daemon::parse_dry_run_flag(bad), Error);
  }
}

TEST_CASE("durations take s, m, h, d", "[daemon_config]") {
  CHECK(daemon::parse_duration("45", "x") == std::chrono::seconds(45));
  CHECK(daemon::parse_duration("30m", "x") == std::chrono::minutes(30));
  CHECK(daemon::parse_duration("7d", "x") == std::chrono::hours(168));
  CHECK_THROWS_AS(daemon::parse_duration("", "x"), Error);
  CHECK_THROWS_AS(daemon::parse_duration("-1d", "x"), Error);
  CHECK_THROWS_AS(daemon::parse_duration("99999999999999d", "x"), Error);
}

TEST_CASE("one daemon per lock file; the lock goes with its holder", "[daemon_config]") {
  syscope::test::TempDir dir;
  std::string file = (dir / "sub" / "daemon.lock").string();
  {
    daemon::InstanceLock first(file, "the state dir X");
    try {
      daemon::InstanceLock second(file, "the state dir X");
      FAIL("a second lock was taken");
    } catch (const Error &e) {
      CHECK(e.code == Exit::environment);
      CHECK(std::string(e.what()) == "another syscope daemon (pid " + std::to_string(getpid()) +
                                         ") is using the state dir X; stop it first");
    }
  }
  daemon::InstanceLock again(file, "the state dir X");  // released with its holder
}

TEST_CASE("a pin dir's lock file is named after it, under /run/syscope", "[daemon_config]") {
  CHECK(daemon::pin_dir_lock_file("/sys/fs/bpf/syscope") ==
        "/run/syscope/pins-sys-fs-bpf-syscope.lock");
  CHECK(daemon::pin_dir_lock_file("/sys/fs/bpf/syscope/") ==
        "/run/syscope/pins-sys-fs-bpf-syscope.lock");
}

TEST_CASE("a denial crosses the socket unchanged", "[daemon_config]") {
  watch::Denial d;
  d.wall_time_ns = 1714565071123456000ULL;
  d.cgroup_id = 42;
  d.pid = 7;
  d.tid = 8;
  d.comm = "sh";
  d.nr = 272;
  d.action = SYSCOPE_ACTION_ERRNO;
  d.err = 1;
  d.args = {0x10000000, 0, 0, 0, 0, 0};
  d.container = watch::ContainerLabel{"docker", std::string(64, 'a'), "web", "busybox"};
  auto back = daemon::denial_from_wire(nlohmann::json::parse(daemon::denial_to_wire(d).dump()));
  CHECK(back.wall_time_ns == d.wall_time_ns);
  CHECK(back.nr == 272);
  CHECK(back.args == d.args);
  REQUIRE(back.container);
  CHECK(back.container->name == "web");
  CHECK_THROWS_AS(daemon::denial_from_wire(nlohmann::json::parse(R"({"nr":1})")), Error);
}
