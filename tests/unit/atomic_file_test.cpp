// SPDX-License-Identifier: Apache-2.0
// AtomicFile: the target appears complete or not at all, no temp file is left behind, and a
// bad output path fails early with Exit::usage.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>

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
