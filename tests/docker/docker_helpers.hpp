// SPDX-License-Identifier: Apache-2.0
// What container tests share: the docker CLI against the private dockerd of scripts/docker-env
// (never a system Docker), the locally built test images, and containers removed on scope exit.
#pragma once
#include <sys/types.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "helpers.hpp"

namespace syscope::test {

// Built by scripts/docker-env from Debian packages; no registry is ever contacted.
// busybox: every applet (sh, ls, cat, sleep, unshare, chroot, nc, httpd, ...) as a symlink to a
// binary outside PATH, no `busybox` command. threaded: Debian minbase + python3-minimal.
inline constexpr const char *kBusyboxImage = "syscope-test/busybox";
inline constexpr const char *kThreadedImage = "syscope-test/threaded";

// The engine to talk to: $DOCKER_HOST if set, else the private socket of this build
// (SYSCOPE_DOCKER_HOST, e.g. "unix:///.../build/docker-env/docker.sock").
std::string docker_host();
// The socket path of docker_host() without "unix://" (empty for a non-unix host), for code
// that talks to the Engine API itself.
std::string docker_socket_path();
// The docker CLI: $SYSCOPE_DOCKER_CLI, else Debian's /usr/bin/docker, else `docker` in PATH.
std::string docker_cli();

// `docker -H <docker_host()> ARGS...`, captured (stdin is /dev/null).
RunResult docker(const std::vector<std::string> &args);
// docker("ps", "-a") as well as docker({"ps", "-a"}) or docker(vector).
template <
    typename... Args,
    std::enable_if_t<(sizeof...(Args) > 0) && (std::is_convertible_v<Args &&, std::string> && ...),
                     int> = 0>
RunResult docker(Args &&...args) {
  return docker(std::vector<std::string>{std::string(std::forward<Args>(args))...});
}

// `docker run --network none ARGS...`: options, image, command. Every test container has no
// network.
RunResult docker_run(const std::vector<std::string> &args);

// `docker run -d --network none --name NAME OPTIONS... syscope-test/busybox sleep 300`: a
// container that stays up while a test looks at it.
RunResult docker_run_sleeping(const std::string &name, const std::vector<std::string> &options);

// `docker inspect -f TEMPLATE TARGET`, stdout without the trailing newline; throws on failure.
std::string docker_inspect(const std::string &target, const std::string &go_template);

// A container name unique to this test process: "syscope-<stem>-<pid>".
std::string container_name(const std::string &stem);

// Removes the named container (`docker rm -f`) when constructed, in case an earlier run left it
// behind, and again when it goes out of scope.
class ContainerGuard {
 public:
  explicit ContainerGuard(std::string name);
  ~ContainerGuard();
  ContainerGuard(const ContainerGuard &) = delete;
  ContainerGuard &operator=(const ContainerGuard &) = delete;
  const std::string &name() const { return name_; }

 private:
  std::string name_;
};

// A command running in the background (syscope record/watch), stdout and stderr in one file.
class Background {
 public:
  Background(std::vector<std::string> argv, std::string log);
  ~Background();  // kills it if it still runs
  Background(const Background &) = delete;
  Background &operator=(const Background &) = delete;
  Background(Background &&other) noexcept;
  // Waits until the log holds `text` (syscope says "recording"/"watching" once attached).
  bool wait_for(const std::string &text, double seconds = 20) const;
  // Its exit status (128 + signal if killed), or -1 if it did not end within `seconds`.
  int wait(double seconds = 60);
  // Sends SIGINT, as Ctrl-C would, and waits.
  int interrupt(double seconds = 30);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_;
};

}  // namespace syscope::test
