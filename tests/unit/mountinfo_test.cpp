// SPDX-License-Identifier: Apache-2.0
// Finding the cgroup2 mount in real hosts' /proc/self/mountinfo (pure v2, hybrid, v1 only,
// escaped mount points) and the v2 path in /proc/<pid>/cgroup.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "syscope/containers/mountinfo.hpp"

using namespace syscope::cgroup;

namespace {

std::optional<std::string> mount_in_fixture(const std::string &name) {
  std::ifstream in(std::string(SYSCOPE_FIXTURES) + "/mountinfo/" + name);
  REQUIRE(in);
  return find_cgroup2_mount(in);
}

std::optional<std::string> mount_in(const std::string &text) {
  std::istringstream in(text);
  return find_cgroup2_mount(in);
}

std::optional<std::string> path_in(const std::string &text) {
  std::istringstream in(text);
  return cgroup2_path_of(in);
}

}  // namespace

TEST_CASE("pure v2 host: cgroup2 at /sys/fs/cgroup", "[cgroup]") {
  CHECK(mount_in_fixture("pure_v2.txt") == "/sys/fs/cgroup");
}

TEST_CASE("hybrid host: cgroup2 at /sys/fs/cgroup/unified, v1 controllers skipped", "[cgroup]") {
  CHECK(mount_in_fixture("hybrid.txt") == "/sys/fs/cgroup/unified");
}

TEST_CASE("v1-only host has no cgroup2 mount", "[cgroup]") {
  CHECK_FALSE(mount_in_fixture("v1_only.txt"));
}

TEST_CASE("escaped mount point and optional fields", "[cgroup]") {
  // "shared:5 master:1" shifts where " - " falls; \040 is a space in the mount point.
  CHECK(mount_in_fixture("escaped.txt") == "/mnt/cgroup v2");
}

TEST_CASE("octal escapes for tab and backslash are decoded, others kept", "[cgroup]") {
  CHECK(mount_in("36 35 0:27 / /mnt/a\\011b\\134c rw - cgroup2 cgroup2 rw\n") == "/mnt/a\tb\\c");
  // Not three octal digits: kept as written.
  CHECK(mount_in("36 35 0:27 / /mnt/x\\08 rw - cgroup2 cgroup2 rw\n") == "/mnt/x\\08");
  CHECK(mount_in("36 35 0:27 / /mnt/y\\04 rw - cgroup2 cgroup2 rw\n") == "/mnt/y\\04");
}

TEST_CASE("only the fstype after the separator counts", "[cgroup]") {
  // The source field says cgroup2, but the filesystem is v1.
  CHECK_FALSE(mount_in("40 31 0:37 / /sys/fs/cgroup/x rw - cgroup cgroup2 rw,name=x\n"));
  // Truncated lines: no separator, or nothing after it.
  CHECK_FALSE(mount_in("41 31 0:38 / /sys/fs/cgroup/unified rw cgroup2 cgroup2 rw\n"));
  CHECK_FALSE(mount_in("41 31 0:38 / /sys/fs/cgroup/unified rw -\n"));
  CHECK_FALSE(mount_in(""));
}

TEST_CASE("cgroup2 path on a pure v2 host", "[cgroup]") {
  CHECK(path_in("0::/user.slice/x.scope\n") == "/user.slice/x.scope");
  CHECK(path_in("0::/\n") == "/");
}

TEST_CASE("cgroup2 path on a hybrid host comes after the v1 lines", "[cgroup]") {
  CHECK(path_in("12:pids:/user.slice/user-1000.slice/session-2.scope\n"
                "11:cpu,cpuacct:/user.slice\n"
                "10:memory:/user.slice/user-1000.slice/session-2.scope\n"
                "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
                "0::/user.slice/user-1000.slice/session-2.scope\n") ==
        "/user.slice/user-1000.slice/session-2.scope");
}

TEST_CASE("v1-only /proc/<pid>/cgroup has no cgroup2 path", "[cgroup]") {
  // "10:" must not be read as hierarchy 0.
  CHECK_FALSE(path_in("11:devices:/system.slice/sshd.service\n"
                      "10:cpuset:/\n"
                      "1:name=systemd:/system.slice/sshd.service\n"));
  CHECK_FALSE(path_in(""));
}
