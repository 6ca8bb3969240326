// SPDX-License-Identifier: Apache-2.0
// AtomicFile: the target appears complete or not at all, no temp file is left behind, and a
// bad output path fails early with Exit::usage.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "../common/temp_dir.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"

using namespace syscope;
using syscope::util::AtomicFile;
namespace fs = std::filesystem;

namespace {

using syscope::test::TempDir;

std::set<std::string> entries(const std::string &dir) {
  std::set<std::string> names;
  for (const auto &e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  REQUIRE(out);
}

Exit error_code_of(const std::string &path) {
  try {
    AtomicFile file(path);
  } catch (const Error &e) {
    return e.code;
  }
  FAIL("no error for output path " << path);
  return Exit::ok;
}

}  // namespace

TEST_CASE("commit writes the full content and leaves no temp file", "[atomic_file]") {
  TempDir dir;
  std::string target = dir.str() + "/profile.json";
  // Bigger than one page and with NUL bytes: everything must arrive.
  std::string contents(100000, 'x');
  contents[10] = '\0';
  contents += "\nend\n";
  {
    AtomicFile file(target);
    CHECK(file.path() == target);
    CHECK_FALSE(file.is_stdout());
    // The temp file exists beside the target from the start; the target does not yet.
    auto before = entries(dir.str());
    REQUIRE(before.size() == 1);
    CHECK(before.begin()->rfind(".profile.json.", 0) == 0);
    CHECK_FALSE(fs::exists(target));
    file.commit(contents);
  }
  CHECK(entries(dir.str()) == std::set<std::string>{"profile.json"});
  CHECK(read_text(target) == contents);
  struct stat st {};
  REQUIRE(stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);  // readable by others, unlike mkostemp's 0600
}

TEST_CASE("destroying without commit leaves neither file nor temp file", "[atomic_file]") {
  TempDir dir;
  { AtomicFile file(dir.str() + "/profile.json"); }
  CHECK(entries(dir.str()).empty());
}

TEST_CASE("an existing target is replaced by rename, not rewritten", "[atomic_file]") {
  TempDir dir;
  std::string target = dir.str() + "/profile.json";
  write_text(target, "old contents\n");
  std::ifstream old_reader(target);  // keeps the old inode open
  struct stat old_st {};
  REQUIRE(stat(target.c_str(), &old_st) == 0);
  {
    AtomicFile file(target);
    CHECK(read_text(target) == "old contents\n");  // untouched until commit
    file.commit("new\n");
  }
  CHECK(read_text(target) == "new\n");
  CHECK(entries(dir.str()) == std::set<std::string>{"profile.json"});
  struct stat new_st {};
  REQUIRE(stat(target.c_str(), &new_st) == 0);
  CHECK(new_st.st_ino != old_st.st_ino);
  // A reader of the old file still sees all of it, never a mix.
  std::stringstream old_text;
  old_text << old_reader.rdbuf();
  CHECK(old_text.str() == "old contents\n");
}

TEST_CASE("an unusable output path throws Exit::usage up front", "[atomic_file]") {
  TempDir dir;
  CHECK(error_code_of(dir.str() + "/missing/profile.json") == Exit::usage);
  CHECK(error_code_of(dir.str()) == Exit::usage);        // an existing directory
  CHECK(error_code_of(dir.str() + "/") == Exit::usage);  // a path ending in '/'
  fs::create_directory(dir.str() + "/sub");
  CHECK(error_code_of(dir.str() + "/sub") == Exit::usage);
  CHECK(entries(dir.str()) == std::set<std::string>{"sub"});
  CHECK(entries(dir.str() + "/sub").empty());
}

TEST_CASE("the path - is stdout and creates nothing", "[atomic_file]") {
  AtomicFile file("-");
  CHECK(file.is_stdout());
  CHECK(file.path() == "-");
}

// Atomic replacement is for regular files only: what else sits at the output path is written
// in place, followed, or refused, and never unlinked or renamed over.
TEST_CASE("a character device is written in place, never replaced", "[atomic_file]") {
  struct stat before {};
  REQUIRE(stat("/dev/null", &before) == 0);
  AtomicFile out("/dev/null");
  out.commit("{}\n");
  struct stat after {};
  REQUIRE(stat("/dev/null", &after) == 0);
  CHECK(S_ISCHR(after.st_mode));
  CHECK(after.st_rdev == before.st_rdev);
  CHECK(after.st_ino == before.st_ino);
  // A full device says so instead of pretending.
  AtomicFile full("/dev/full");
  try {
    full.commit("{}\n");
    FAIL("writing /dev/full succeeded");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()).find("No space left on device") != std::string::npos);
  }
}

TEST_CASE("a FIFO is written when someone reads it, refused at once when nobody does",
          "[atomic_file]") {
  TempDir dir;
  std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  try {
    AtomicFile nobody(fifo);
    FAIL("a FIFO without a reader was accepted");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()) == "output path " + fifo + " is a FIFO that nobody reads");
  }
  int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  {
    AtomicFile out(fifo);
    out.commit("profile\n");
  }
  char buf[32] = {};
  CHECK(read(reader, buf, sizeof buf) == 8);
  CHECK(std::string(buf) == "profile\n");
  close(reader);
  struct stat st {};
  REQUIRE(lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK(entries(dir.str()) == std::set<std::string>{"fifo"});
}

TEST_CASE("a symlink is followed: its target is replaced, the link stays", "[atomic_file]") {
  TempDir dir;
  fs::create_directory(dir / "real");
  write_text(dir.file("real/p.json"), "old");
  fs::create_symlink("real/p.json", dir / "link.json");
  {
    AtomicFile out(dir.file("link.json"));
    out.commit("new");
  }
  CHECK(fs::is_symlink(dir / "link.json"));
  CHECK(read_text(dir.file("real/p.json")) == "new");
  CHECK(entries(dir.file("real")) == std::set<std::string>{"p.json"});  // temp file beside it
  // A link to nothing: there is no telling what to create.
  fs::create_symlink("real/missing.json", dir / "dangling.json");
  CHECK_THROWS_AS(AtomicFile(dir.file("dangling.json")), Error);
  CHECK(fs::is_symlink(dir / "dangling.json"));
}

TEST_CASE("a symlink someone else left in a sticky world-writable directory is not followed",
          "[atomic_file]") {
  if (geteuid() != 0) return;  // making a link owned by another user takes root
  TempDir dir;
  fs::create_directory(dir / "shared");
  REQUIRE(chmod(dir.file("shared").c_str(), 01777) == 0);  // as /tmp
  REQUIRE(chown(dir.file("shared").c_str(), 0, 0) == 0);
  write_text(dir.file("secret"), "keep");
  fs::create_symlink(dir.file("secret"), dir / "shared" / "p.json");
  REQUIRE(lchown(dir.file("shared/p.json").c_str(), 4242, 4242) == 0);  // not us, not the dir's
  try {
    AtomicFile out(dir.file("shared/p.json"));
    FAIL("followed another user's link in a sticky directory");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()).find("fs.protected_symlinks") != std::string::npos);
  }
  CHECK(read_text(dir.file("secret")) == "keep");
  CHECK(fs::is_symlink(dir / "shared" / "p.json"));
  // Our own link there is followed, as the kernel would.
  REQUIRE(lchown(dir.file("shared/p.json").c_str(), 0, 0) == 0);
  AtomicFile ours(dir.file("shared/p.json"));
  ours.commit("ours");
  CHECK(read_text(dir.file("secret")) == "ours");
}

TEST_CASE("a socket at the output path is refused and left alone", "[atomic_file]") {
  TempDir dir;
  std::string path = dir.file("sock");
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  try {
    AtomicFile out(path);
    FAIL("a socket was accepted as output");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()).find("neither a regular file") != std::string::npos);
  }
  close(fd);
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
}

// A profile's file (issue 12, item 6): its room is taken when the file is created, before the
// work, and a final write that fails anyway leaves a copy where the error says.
TEST_CASE("reserved room: the temp file holds it from the start, the target is cut to size",
          "[atomic_file]") {
  TempDir dir;
  std::string target = dir.file("p.json");
  AtomicFile file(target, {64 * 1024, true});
  REQUIRE_FALSE(file.temp_path().empty());
  struct stat st {};
  REQUIRE(stat(file.temp_path().c_str(), &st) == 0);
  CHECK(st.st_size == 64 * 1024);
  CHECK(st.st_blocks * 512 >= 64 * 1024);  // allocated, not a hole
  file.commit("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n");
  CHECK(read_text(target) == "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n");
  CHECK(entries(dir.str()) == std::set<std::string>{"p.json"});
}

TEST_CASE("a final write that fails leaves a copy in $TMPDIR and names it", "[atomic_file]") {
  TempDir tmp;
  const char *was = getenv("TMPDIR");
  std::string saved = was ? was : "";
  setenv("TMPDIR", tmp.str().c_str(), 1);
  std::string message;
  try {
    AtomicFile full("/dev/full", {64 * 1024, true});  // a device: no reservation, written in place
    full.commit("the profile\n");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    message = e.what();
  }
  if (was)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
  INFO(message);
  auto copies = entries(tmp.str());
  REQUIRE(copies.size() == 1);
  std::string copy = tmp.str() + "/" + *copies.begin();
  CHECK(copies.begin()->rfind("syscope-", 0) == 0);
  CHECK(read_text(copy) == "the profile\n");
  CHECK(message ==
        "cannot write /dev/full: No space left on device; saved to " + copy + " instead");
  // Without the option the error is the same line, and nothing is saved.
  try {
    AtomicFile("/dev/full").commit("x");
  } catch (const Error &e) {
    CHECK(std::string(e.what()) == "cannot write /dev/full: No space left on device");
  }
}
