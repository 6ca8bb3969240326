// SPDX-License-Identifier: Apache-2.0
// The warning about processes that left the recording cgroup: one line, the first one named,
// and nothing of the task's or the user's own text reaches the terminal raw.
#include <catch2/catch.hpp>

#include "syscope/kernel/cgroup_leave.hpp"

using syscope::bpf::CgroupLeave;
using syscope::bpf::describe;

TEST_CASE("one process that left is named with its destination", "[cgroup_leave]") {
  CgroupLeave leave{.count = 1, .pid = 1234, .comm = "sh", .dst_id = 77, .dst_path = "/other"};
  CHECK(describe(leave, "profile") ==
        "1 process left the recording cgroup (pid 1234 sh moved to /other): its later syscalls "
        "are not in the profile");
}

TEST_CASE("several that left: the first is named, the count is given", "[cgroup_leave]") {
  CgroupLeave leave{.count = 3, .pid = 9, .comm = "worker", .dst_id = 77, .dst_path = "/a/b"};
  CHECK(describe(leave, "trace") ==
        "3 processes left the recording cgroup (the first, pid 9 worker moved to /a/b): their "
        "later syscalls are not in the trace");
}

TEST_CASE("a destination without a path is given by its id", "[cgroup_leave]") {
  CgroupLeave leave{.count = 1, .pid = 5, .comm = "x", .dst_id = 4242, .dst_path = ""};
  CHECK(describe(leave, "profile").find("moved to cgroup id 4242)") != std::string::npos);
}

TEST_CASE("control characters in comm and path are escaped", "[cgroup_leave]") {
  CgroupLeave leave{
      .count = 1, .pid = 5, .comm = "a\x1b[2Jb", .dst_id = 1, .dst_path = "/x\ny\\z\xff"};
  auto text = describe(leave, "profile");
  CHECK(text.find("pid 5 a\\x1b[2Jb moved to /x\\ny\\z\\xff)") != std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}
