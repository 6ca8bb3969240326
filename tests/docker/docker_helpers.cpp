// SPDX-License-Identifier: Apache-2.0
#include "docker_helpers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace syscope::test {

namespace {

std::string env_or_empty(const char *name) {
  const char *v = std::getenv(name);
  return v ? v : "";
}

bool executable(const std::string &path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string docker_host() {
  std::string host = env_or_empty("DOCKER_HOST");
  return host.empty() ? std::string(SYSCOPE_DOCKER_HOST) : host;
}

std::string docker_socket_path() {
  const std::string prefix = "unix://";
  std::string host = docker_host();
  if (host.compare(0, prefix.size(), prefix) == 0) return host.substr(prefix.size());
  return host.empty() || host[0] != '/' ? "" : host;
}

std::string docker_cli() {
  std::string cli = env_or_empty("SYSCOPE_DOCKER_CLI");
  if (!cli.empty()) return cli;
  if (executable("/usr/bin/docker")) return "/usr/bin/docker";
  std::istringstream path(env_or_empty("PATH"));
  std::string dir;
  while (std::getline(path, dir, ':'))
    if (!dir.empty() && executable(dir + "/docker")) return dir + "/docker";
  return "/usr/bin/docker";  // run() then fails with 127, which the test shows
}

RunResult docker(const std::vector<std::string> &args) {
  std::vector<std::string> argv{docker_cli(), "-H", docker_host()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

RunResult docker_run(const std::vector<std::string> &args) {
  std::vector<std::string> argv{"run", "--network", "none"};
  argv.insert(argv.end(), args.begin(), args.end());
  return docker(argv);
}

RunResult docker_run_sleeping(const std::string &name, const std::vector<std::string> &options) {
  std::vector<std::string> args{"-d", "--name", name};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {kBusyboxImage, "sleep", "300"});
  return docker_run(args);
}

std::string docker_inspect(const std::string &target, const std::string &go_template) {
  RunResult r = docker("inspect", "-f", go_template, target);
  if (r.status != 0) throw std::runtime_error("docker inspect " + target + " failed: " + r.err);
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

std::string container_name(const std::string &stem) {
  return "syscope-" + stem + "-" + std::to_string(getpid());
}

ContainerGuard::ContainerGuard(std::string name) : name_(std::move(name)) {
  docker("rm", "-f", name_);
}

ContainerGuard::~ContainerGuard() {
  try {
    docker("rm", "-f", name_);
  } catch (...) {
    // A destructor must not throw; a container left behind is removed by the next guard or by
    // scripts/docker-env stop.
  }
}

Background::Background(std::vector<std::string> argv, std::string log)
    : pid_(spawn_logged(std::move(argv), log)), log_(std::move(log)) {}

Background::Background(Background &&other) noexcept
    : pid_(other.pid_), log_(std::move(other.log_)) {
  other.pid_ = -1;
}

Background::~Background() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool Background::wait_for(const std::string &text, double seconds) const {
  for (int i = 0; i < seconds * 50; ++i) {
    if (read_file(log_).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Background::wait(double seconds) {
  for (int i = 0; i < seconds * 50 && pid_ > 0; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

int Background::interrupt(double seconds) {
  if (pid_ > 0) kill(pid_, SIGINT);
  return wait(seconds);
}

std::string Background::log() const { return read_file(log_); }

}  // namespace syscope::test
