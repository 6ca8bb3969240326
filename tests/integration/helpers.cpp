// SPDX-License-Identifier: Apache-2.0
#include "helpers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile_json.hpp"

namespace syscope::test {

namespace {

// run() and run_for(): with a timeout, the command gets its own process group, so that the
// timeout kills what it started too.
RunResult run_until(const std::vector<std::string> &argv,
                    std::optional<std::chrono::milliseconds> timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC))
    throw std::runtime_error("pipe2 failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (timeout) setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (timeout) setpgid(pid, pid);
  close(out_pipe[1]);
  close(err_pipe[1]);
  RunResult result;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string *sinks[2] = {&result.out, &result.err};
  auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::hours(24));
  bool timed_out = false;
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, n);
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto &entry : fds)
    if (entry.fd >= 0) close(entry.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = timed_out           ? kTimedOut
                  : WIFEXITED(status) ? WEXITSTATUS(status)
                                      : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

RunResult run(const std::vector<std::string> &argv) { return run_until(argv, std::nullopt); }

RunResult run_for(const std::vector<std::string> &argv, std::chrono::milliseconds timeout) {
  return run_until(argv, timeout);
}

std::string syscope_bin() { return SYSCOPE_BIN; }
std::string test_prog(const std::string &name) {
  return std::string(SYSCOPE_PROGS_DIR) + "/" + name;
}

RunResult run_syscope(const std::vector<std::string> &args) {
  std::vector<std::string> argv{syscope_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string names_only_profile(const std::string &profile_json) {
  auto profile = nlohmann::json::parse(profile_json);
  nlohmann::json kept = nlohmann::json::array();
  std::set<std::string> narrowed;
  for (auto &rule : profile["syscalls"]) {
    if (rule["action"] == "SCMP_ACT_ALLOW" && rule.contains("args")) {
      for (const auto &name : rule["names"]) narrowed.insert(name.get<std::string>());
      continue;
    }
    kept.push_back(rule);
  }
  for (auto &rule : kept)
    if (rule["action"] == "SCMP_ACT_ALLOW" && !rule.contains("args")) {
      for (const auto &name : narrowed) rule["names"].push_back(name);
      break;
    }
  profile["syscalls"] = kept;
  return profile.dump(2);
}

std::set<std::string> allowed_names(const std::filesystem::path &profile) {
  std::set<std::string> names;
  for (const auto &rule : seccomp::load_docker_profile(profile.string()).syscalls)
    if (rule.action == seccomp::Action::allow) names.insert(rule.names.begin(), rule.names.end());
  return names;
}

pid_t spawn_logged(std::vector<std::string> argv, const std::string &log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char *> args;
    for (auto &a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace syscope::test
