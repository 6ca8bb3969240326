// SPDX-License-Identifier: Apache-2.0
// The owner in a syscope cgroup's name: pid and start time, so a reused pid is not taken for a
// live owner, and a zombie counts as gone.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "syscope/containers/cgroup_owner.hpp"

using namespace syscope::cgroup;

TEST_CASE("cgroup names carry the owner's pid and start time", "[cgroup_owner]") {
  auto start = process_start_ticks(getpid());
  REQUIRE(start);
  std::string name = owned_cgroup_name("syscope-record", 3);
  CHECK(name == "syscope-record-" + std::to_string(getpid()) + "-" + std::to_string(*start) + "-3");
  auto owner = owner_of_cgroup(name);
  REQUIRE(owner);
  CHECK(owner->pid == getpid());
  CHECK(owner->start_ticks == start);
  CHECK(owner_alive(*owner));
  // Same pid, other start time: the pid was reused by us, its owner is gone.
  CHECK_FALSE(owner_alive({getpid(), *start + 1}));
  // Older names have no start time: a live pid may be the owner.
  auto legacy = owner_of_cgroup("syscope-trace-" + std::to_string(getpid()) + "-0");
  REQUIRE(legacy);
  CHECK_FALSE(legacy->start_ticks);
  CHECK(owner_alive(*legacy));
}

TEST_CASE("only syscope's own names are read as owned", "[cgroup_owner]") {
  for (const char *other : {"syscope-record", "syscope-record-", "syscope-record-12",
                            "syscope-record-x-1", "syscope-record-1-2-3-4", "syscope-watch-1-2",
                            "docker-1-2", "syscope-record-0-5", "syscope-trace-1--2"})
    CHECK_FALSE(owner_of_cgroup(other));
}

TEST_CASE("an exited process has no start time, reaped or not", "[cgroup_owner]") {
  pid_t child = fork();
  if (child == 0) _exit(0);
  // A zombie until reaped: it ran its course.
  for (int i = 0; i < 200 && process_start_ticks(child); ++i) usleep(5000);
  CHECK_FALSE(process_start_ticks(child));
  waitpid(child, nullptr, 0);
  CHECK_FALSE(process_start_ticks(child));
}
