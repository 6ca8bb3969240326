// SPDX-License-Identifier: Apache-2.0
// What integration tests share: running a command and capturing it, temp dirs, file reads.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "../common/temp_dir.hpp"

namespace syscope::test {

struct RunResult {
  int status = -1;  // exit status, or 128 + signal number when killed by a signal
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv (argv[0] is a path), waits for it; stdin is /dev/null.
RunResult run(const std::vector<std::string> &argv);

// run_for's status when the command did not end within its timeout (its group was killed).
constexpr int kTimedOut = -2;

// Like run(), but kills the command's process group once `timeout` has passed.
RunResult run_for(const std::vector<std::string> &argv, std::chrono::milliseconds timeout);

// Path of the syscope binary and of a test program built by the suite (tests/progs/<name>.c).
std::string syscope_bin();
// run() of `syscope ARGS...`.
RunResult run_syscope(const std::vector<std::string> &args);
std::string test_prog(const std::string &name);

std::string read_file(const std::filesystem::path &path);

// The same profile with every argument-checked ALLOW rule's names moved to the plain ALLOW
// rule: the names-only profile of the same recording (Docker JSON text in, text out).
std::string names_only_profile(const std::string &profile_json);
// The names a Docker-format profile allows outright (SCMP_ACT_ALLOW rules).
std::set<std::string> allowed_names(const std::filesystem::path &profile);

// Starts argv[0] (a path) with stdout and stderr to the file `log` and stdin untouched; returns
// its pid without waiting. The caller reaps it.
pid_t spawn_logged(std::vector<std::string> argv, const std::string &log);

}  // namespace syscope::test
