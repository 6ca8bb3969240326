// SPDX-License-Identifier: Apache-2.0
// `syscope lint` against every kind of bad path and pathological file: the exact status and
// stderr of each, nothing in the hostile tree changed, and the files built to make the work
// explode (merge-key chains, a billion laughs, cycles, a stray comma) done well inside a timeout
// that is itself far below what they took before (seconds to minutes, or for ever).
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bad_input.hpp"

using namespace std::chrono_literals;
using syscope::test::BadInputCase;
using syscope::test::check_bad_input;
using syscope::test::kTimedOut;
using syscope::test::run_for;
using syscope::test::syscope_bin;
using syscope::test::TempDir;

namespace {

const std::string kFixtures = std::string(SYSCOPE_SOURCE_DIR) + "/tests/fixtures/lint/";

BadInputCase refused(std::string name, const std::string &entry, const std::string &why) {
  return {name, {"lint", "{tree}/" + entry}, 2, "syscope: lint: {tree}/" + entry + ": " + why};
}

// A fixture that is fine to read but hard to check: its exit status, and no stderr at all.
BadInputCase fixture(std::string name, const std::string &file, int status) {
  return {name, {"lint", kFixtures + file}, status, "", {}, 0};
}

}  // namespace

TEST_CASE("lint: hostile paths are refused in one line each, exit 2", "[bad-input][lint]") {
  check_bad_input({
      refused("device like /dev/null", "null", "is a character device, not a regular file\n"),
      refused("device like /dev/full", "full", "is a character device, not a regular file\n"),
      refused("device like /dev/zero", "zero", "is a character device, not a regular file\n"),
      refused("FIFO nobody writes", "fifo", "is a FIFO, not a regular file\n"),
      refused("socket", "socket", "is a socket, not a regular file\n"),
      refused("dangling symlink", "dangling", "cannot read: No such file or directory\n"),
      refused("5 MiB + 1 byte", "huge", "larger than 4 MiB (5242881 bytes): not read\n"),
      // A regular file lint has no checker for, named explicitly: a note, not an error.
      {"symlink to a file of no kind lint checks",
       {"lint", "{tree}/link"},
       0,
       "syscope: lint: {tree}/link: not a Compose, Kubernetes, CI, shell, Makefile or Dockerfile "
       "file: skipped\n"},
  });
}

TEST_CASE("lint DIR: a directory of hostile entries is walked without opening them",
          "[bad-input][lint]") {
  // Devices, the FIFO, the socket and the links of the tree have no name lint checks (no
  // compose.yml, no *.sh): the walk passes them by without opening any, and says nothing.
  check_bad_input({
      {"the whole hostile tree", {"lint", "{tree}"}, 0, "", {}, 0},
      {"an empty directory", {"lint", "{tree}/dir"}, 0, "", {}, 0},
      {"a full filesystem", {"lint", "{tree}/fullfs"}, 0, "", {}, 0},
  });

  // The same kinds of entry named like files lint checks: one line each, never opened (a FIFO's
  // open would wait, a device's can act on it), and the regular file beside them still checked.
  TempDir dir;
  REQUIRE(mkfifo(dir.file("compose.yml").c_str(), 0600) == 0);
  REQUIRE(mknod(dir.file("run.sh").c_str(), S_IFCHR | 0600, makedev(1, 5)) == 0);  // like zero
  std::filesystem::create_symlink("nowhere", dir.file("deploy.yaml"));
  std::filesystem::create_symlink("loop.yml", dir.file("loop.yml"));
  std::filesystem::create_directory_symlink(".", dir.file("again"));
  std::ofstream(dir.file("Dockerfile")) << "FROM x\nRUN docker run --privileged y\n";
  auto r = run_for({syscope_bin(), "lint", dir.str()}, 10s);
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: lint: " + dir.file("compose.yml") + ": is a FIFO, not a regular file\n" +
                     "syscope: lint: " + dir.file("deploy.yaml") +
                     ": cannot read: No such file or directory\n" + "syscope: lint: " +
                     dir.file("loop.yml") + ": cannot read: Too many levels of symbolic links\n" +
                     "syscope: lint: " + dir.file("run.sh") +
                     ": is a character device, not a regular file\n");
  CHECK(r.out.ends_with("1 file checked: 1 error, 0 warnings; 4 could not be checked\n"));
  struct stat st {};
  REQUIRE(stat(dir.file("run.sh").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
}

TEST_CASE("lint: pathological YAML finishes at once with its findings or one line",
          "[bad-input][lint]") {
  // Before: the merge chain took 27 s, the CI billion laughs had not ended after 120 s, the cycle
  // died of SIGSEGV. 5 s is generous for what now takes milliseconds.
  check_bad_input(
      {
          fixture("merge-key chain, 9 levels of 8 aliases",
                  "hostile/docker-compose.merge-chain.yml", 1),
          fixture("billion laughs in Compose", "hostile/docker-compose.alias-bomb.yml", 1),
          fixture("billion laughs in CI YAML", "hostile/.gitlab-ci.yml", 1),
          fixture("anchors that contain their own alias", "hostile/docker-compose.alias-cycle.yml",
                  1),
          {"merge keys 100 deep",
           {"lint", kFixtures + "hostile/docker-compose.deep-merge.yml"},
           2,
           "syscope: lint: " + kFixtures +
               "hostile/docker-compose.deep-merge.yml: YAML nested deeper than 64 levels (through "
               "aliases or merge keys): not checked past that depth\n"},
          {"truncated YAML",
           {"lint", kFixtures + "bad/malformed.yaml"},
           2,
           "syscope: lint: " + kFixtures +
               "bad/malformed.yaml:7:1: malformed YAML: end of sequence flow not found\n"},
          fixture("Helm template", "helm/demo/templates/deployment.yaml", 1),
      },
      5s);
}

TEST_CASE("lint: a stray comma is malformed YAML, not an endless parse", "[bad-input][lint]") {
  // yaml-cpp's LoadAll made empty documents for ever on it, memory growing (the fuzzer's find).
  TempDir dir;
  std::ofstream(dir.file("docker-compose.yml")) << "services: {}\n---\n,\n";
  auto r = run_for({syscope_bin(), "lint", dir.file("docker-compose.yml")}, 5s);
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: lint: " + dir.file("docker-compose.yml") +
                     ":3:1: malformed YAML: unexpected `,`\n");
  CHECK(r.status != kTimedOut);
}
