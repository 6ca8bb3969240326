// SPDX-License-Identifier: Apache-2.0
// read_regular_file: only regular files, never past the limit, and a FIFO's open never waits.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "../common/temp_dir.hpp"
#include "syscope/base/read_file.hpp"

using syscope::read_regular_file;
using syscope::test::TempDir;

TEST_CASE("a regular file is read whole up to the limit, refused past it", "[read_file]") {
  TempDir dir;
  std::ofstream(dir.file("p.json")) << std::string(100, 'x');
  CHECK(read_regular_file(dir.file("p.json"), 100).text == std::string(100, 'x'));
  auto big = read_regular_file(dir.file("p.json"), 99);
  CHECK(big.text.empty());
  CHECK(big.error == "larger than 99 bytes (100 bytes): not read");
  auto head = read_regular_file(dir.file("p.json"), 10, /*head_only=*/true);
  CHECK(head.error.empty());
  CHECK(head.text == std::string(10, 'x'));
  CHECK(read_regular_file(dir.file("missing"), 10).error ==
        "cannot read: No such file or directory");
}

TEST_CASE("devices, FIFOs and directories are refused without reading them", "[read_file]") {
  TempDir dir;
  // /dev/zero would never end; a FIFO without a writer would block the open forever.
  CHECK(read_regular_file("/dev/zero", 4u << 20).error ==
        "is a character device, not a regular file");
  REQUIRE(mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  CHECK(read_regular_file(dir.file("fifo"), 4u << 20).error == "is a FIFO, not a regular file");
  CHECK(read_regular_file(dir.str(), 4u << 20).error == "is a directory, not a regular file");
  CHECK(syscope::size_text(4u << 20) == "4 MiB");
}

TEST_CASE("a unix socket, which open(2) refuses with ENXIO, is named for what it is",
          "[read_file]") {
  TempDir dir;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, dir.file("sock").c_str(), sizeof addr.sun_path - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  close(fd);
  CHECK(read_regular_file(dir.file("sock"), 100).error == "is a socket, not a regular file");
}
