// SPDX-License-Identifier: Apache-2.0
// resolve_command searches like execvp(3) and sorts failures the way shells do: 127 for
// "not found", 126 for "found but cannot be executed".
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "../common/temp_dir.hpp"
#include "syscope/base/error.hpp"
#include "syscope/process/command_path.hpp"

using namespace syscope;
using syscope::process::resolve_command;
namespace fs = std::filesystem;

namespace {

using syscope::test::TempDir;

// Sets (or, with nullopt, unsets) $PATH for one test and restores what was there.
struct PathGuard {
  std::optional<std::string> saved;
  explicit PathGuard(const std::optional<std::string> &value) {
    if (const char *old = getenv("PATH")) saved = old;
    if (value)
      setenv("PATH", value->c_str(), 1);
    else
      unsetenv("PATH");
  }
  ~PathGuard() {
    if (saved)
      setenv("PATH", saved->c_str(), 1);
    else
      unsetenv("PATH");
  }
  PathGuard(const PathGuard &) = delete;
  PathGuard &operator=(const PathGuard &) = delete;
};

// Changes the working directory for one test and changes it back.
struct CwdGuard {
  fs::path saved = fs::current_path();
  explicit CwdGuard(const std::string &dir) { fs::current_path(dir); }
  ~CwdGuard() {
    std::error_code ec;
    fs::current_path(saved, ec);
  }
  CwdGuard(const CwdGuard &) = delete;
  CwdGuard &operator=(const CwdGuard &) = delete;
};

void make_file(const std::string &path, mode_t mode) {
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

Exit error_code_of(const std::string &name) {
  try {
    std::string resolved = resolve_command(name);
    FAIL(name << " resolved to " << resolved);
  } catch (const Error &e) {
    return e.code;
  }
  return Exit::ok;
}

bool is_absolute_executable(const std::string &path) {
  struct stat st {};
  return !path.empty() && path[0] == '/' && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

}  // namespace

TEST_CASE("sh resolves through PATH to an absolute executable", "[command_path]") {
  PathGuard path("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  std::string sh = resolve_command("sh");
  CHECK(is_absolute_executable(sh));
  CHECK(fs::path(sh).filename() == "sh");
}

TEST_CASE("without PATH the default path is searched", "[command_path]") {
  PathGuard path(std::nullopt);
  CHECK(is_absolute_executable(resolve_command("sh")));
}

TEST_CASE("a name with a slash is taken as is", "[command_path]") {
  TempDir dir;
  make_file(dir.str() + "/tool", 0755);
  make_file(dir.str() + "/data", 0644);
  CHECK(resolve_command(dir.str() + "/tool") == dir.str() + "/tool");
  CHECK(error_code_of(dir.str() + "/missing") == Exit::not_found);
  CHECK(error_code_of(dir.str() + "/missing/tool") == Exit::not_found);
  CHECK(error_code_of(dir.str() + "/data") == Exit::cannot_execute);
  CHECK(error_code_of(dir.str()) == Exit::cannot_execute);  // a directory
  CHECK(error_code_of(dir.str() + "/") == Exit::cannot_execute);
  {
    // Not looked up in PATH even when PATH has a match.
    fs::create_directory(dir.str() + "/empty");
    CwdGuard cwd(dir.str() + "/empty");
    PathGuard path(dir.str());
    CHECK(error_code_of("./tool") == Exit::not_found);
  }
}

TEST_CASE("a non-executable file in a PATH directory cannot be executed", "[command_path]") {
  TempDir dir;
  make_file(dir.str() + "/syscope-test-cmd", 0644);
  PathGuard path(dir.str() + ":/usr/bin:/bin");
  CHECK(error_code_of("syscope-test-cmd") == Exit::cannot_execute);
}

TEST_CASE("PATH is searched in order: an executable later wins over a non-executable",
          "[command_path]") {
  TempDir dir;
  fs::create_directory(dir.str() + "/a");
  fs::create_directory(dir.str() + "/b");
  fs::create_directory(dir.str() + "/c");
  make_file(dir.str() + "/a/cmd", 0644);
  make_file(dir.str() + "/b/cmd", 0755);
  make_file(dir.str() + "/c/cmd", 0755);
  PathGuard path(dir.str() + "/a:" + dir.str() + "/b:" + dir.str() + "/c");
  CHECK(resolve_command("cmd") == dir.str() + "/b/cmd");
}

TEST_CASE("a name found nowhere is Exit::not_found", "[command_path]") {
  TempDir dir;
  PathGuard path(dir.str());
  CHECK(error_code_of("syscope-no-such-command") == Exit::not_found);
  CHECK(error_code_of("") == Exit::not_found);
}

TEST_CASE("empty PATH entries mean the current directory, as for execvp", "[command_path]") {
  TempDir dir;
  make_file(dir.str() + "/here-cmd", 0755);
  CwdGuard cwd(dir.str());
  {
    PathGuard path("/nonexistent::/also-nonexistent");
    CHECK(resolve_command("here-cmd") == "./here-cmd");
  }
  {
    PathGuard path("/nonexistent:");  // a trailing colon is an empty entry too
    CHECK(resolve_command("here-cmd") == "./here-cmd");
  }
  {
    PathGuard path(":/nonexistent");
    CHECK(resolve_command("here-cmd") == "./here-cmd");
  }
  {
    PathGuard path("");  // set but empty: one empty entry
    CHECK(resolve_command("here-cmd") == "./here-cmd");
  }
}
