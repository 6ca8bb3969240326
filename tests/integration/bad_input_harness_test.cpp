// SPDX-License-Identifier: Apache-2.0
// The bad-input harness itself: its tree holds what it says, a change anywhere in it is seen,
// and a command that hangs is stopped. Without these, every table built on it could pass
// while proving nothing.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "bad_input.hpp"

using namespace std::chrono_literals;
using syscope::test::BadInputCase;
using syscope::test::HostileTree;

namespace {

mode_t type_of(const std::string &path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & S_IFMT;
}

}  // namespace

TEST_CASE("the hostile tree holds one of each kind of file", "[bad-input]") {
  HostileTree tree;
  for (const char *device : {"null", "full", "zero"}) CHECK(type_of(tree.path(device)) == S_IFCHR);
  CHECK(type_of(tree.path("fifo")) == S_IFIFO);
  CHECK(type_of(tree.path("socket")) == S_IFSOCK);
  CHECK(type_of(tree.path("dir")) == S_IFDIR);
  CHECK(type_of(tree.path("dangling")) == S_IFLNK);
  CHECK(type_of(tree.path("sticky/foreign")) == S_IFLNK);
  CHECK(std::filesystem::file_size(tree.path("huge")) == (5u << 20) + 1);

  int fd = open(tree.path("fullfs/one-more").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);  // an inode is left: only the data blocks are gone
  CHECK(write(fd, "x", 1) == -1);
  CHECK(errno == ENOSPC);
  close(fd);
}

TEST_CASE("a snapshot sees every change in the tree", "[bad-input]") {
  HostileTree tree;
  auto before = tree.snapshot();
  CHECK(tree.snapshot() == before);

  SECTION("content") { std::ofstream(tree.path("target.json")) << "{}"; }
  SECTION("a device replaced by a regular file") {
    REQUIRE(unlink(tree.path("null").c_str()) == 0);
    std::ofstream(tree.path("null")) << "";
  }
  SECTION("a file left behind") { std::ofstream(tree.path("dir/.tmp")) << ""; }
  SECTION("a symlink retargeted") {
    REQUIRE(unlink(tree.path("link").c_str()) == 0);
    REQUIRE(symlink("null", tree.path("link").c_str()) == 0);
  }
  CHECK(tree.snapshot() != before);
}

TEST_CASE("run_for stops a command that hangs, with its group", "[bad-input]") {
  auto started = std::chrono::steady_clock::now();
  auto r = syscope::test::run_for({"/bin/sh", "-c", "sleep 30 & sleep 30"}, 300ms);
  CHECK(r.status == syscope::test::kTimedOut);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a bad-input table: refusals and what they leave", "[bad-input]") {
  syscope::test::check_bad_input({
      {.name = "a character device as a profile",
       .args = {"exec", "--profile", "{tree}/zero", "--", "/bin/true"},
       .status = 2,
       .message = "syscope: {tree}/zero: is a character device, not a regular file"},
  });
}
