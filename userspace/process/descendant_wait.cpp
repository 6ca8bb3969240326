// SPDX-License-Identifier: Apache-2.0
#include "syscope/process/descendant_wait.hpp"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "syscope/base/error.hpp"
#include "syscope/process/held_child.hpp"

namespace syscope::process {
namespace {

sigset_t routed_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  return set;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(Fd &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// An epoll set with the signalfd and, if there is one (>= 0), the event fd, by their fds.
Fd watch_both(int signal_fd, int event_fd) {
  Fd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (epoll.get() < 0) throw Error(Exit::environment, "epoll_create1: " + errno_text(errno));
  for (int fd : {signal_fd, event_fd}) {
    struct epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (fd >= 0 && epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      throw Error(Exit::environment, "epoll_ctl: " + errno_text(errno));
  }
  return epoll;
}

}  // namespace

SignalRouter::SignalRouter() {
  sigset_t set = routed_signals();
  if (sigprocmask(SIG_BLOCK, &set, &original_) != 0)
    throw Error(Exit::environment, "sigprocmask: " + errno_text(errno));
  fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) {
    int err = errno;
    sigprocmask(SIG_SETMASK, &original_, nullptr);
    throw Error(Exit::environment, "signalfd: " + errno_text(err));
  }
}

SignalRouter::~SignalRouter() {
  close(fd_);
  sigprocmask(SIG_SETMASK, &original_, nullptr);
}

int wait_for_descendants(pid_t main_child, const SignalRouter &signals, int event_fd,
                         const std::function<void()> &on_events) {
  Fd epoll = watch_both(signals.fd(), event_fd);

  int main_status = -1;
  bool main_alive = true;
  // A deadline rather than a plain epoll timeout: SIGCHLD and other wake-ups must not keep
  // postponing the tick.
  auto next_tick = std::chrono::steady_clock::now() + kServeTick;
  for (;;) {
    // Reap first: the child may have exited before the signalfd existed to tell us.
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
      if (pid < 0 && errno == EINTR) continue;
      if (pid < 0 && errno == ECHILD) return main_status < 0 ? 0 : main_status;
      if (pid <= 0) break;
      if (pid == main_child && (WIFEXITED(status) || WIFSIGNALED(status))) {
        main_alive = false;
        main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    auto left = next_tick - std::chrono::steady_clock::now();
    int timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    struct epoll_event ready[2];
    int n = epoll_wait(epoll.get(), ready, 2, std::max(timeout_ms, 0));
    if (n < 0 && errno != EINTR) throw Error(Exit::environment, "epoll_wait: " + errno_text(errno));
    bool readable = std::any_of(ready, ready + std::max(n, 0),
                                [&](const epoll_event &e) { return e.data.fd == event_fd; });
    if (readable || std::chrono::steady_clock::now() >= next_tick) {
      on_events();
      next_tick = std::chrono::steady_clock::now() + kServeTick;
    }
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.fd == event_fd) continue;
      struct signalfd_siginfo info;
      while (read(signals.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        bool sent_by_process = info.ssi_code == SI_USER || info.ssi_code == SI_QUEUE;
        if (info.ssi_signo != SIGCHLD && sent_by_process && main_alive)
          kill(main_child, static_cast<int>(info.ssi_signo));
      }
    }
  }
}

int run_command_in(const std::string &path, const std::vector<std::string> &argv,
                   const std::function<void(pid_t)> &place, const SignalRouter &signals,
                   int event_fd, const std::function<void()> &on_events) {
  // Descendants that outlive their parents are re-parented to us, so "all have exited" is
  // simply waitpid() reporting ECHILD.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw Error(Exit::environment, "prctl(PR_SET_CHILD_SUBREAPER): " + errno_text(errno));
  HeldChild child(path, argv, signals.original_mask());
  place(child.pid());
  child.release();
  return wait_for_descendants(child.pid(), signals, event_fd, on_events);
}

ServeEnd serve_until(const SignalRouter &signals, int event_fd,
                     const std::function<void()> &on_events, const std::function<bool()> &done,
                     std::optional<std::chrono::steady_clock::time_point> deadline) {
  Fd epoll = watch_both(signals.fd(), event_fd);
  for (;;) {
    on_events();
    if (done()) return ServeEnd::done;
    auto now = std::chrono::steady_clock::now();
    if (deadline && now >= *deadline) return ServeEnd::deadline;
    // Wake at least every tick: done() may depend on more than events (an API's answer), and
    // on_events drains what did not wake us.
    int timeout_ms = static_cast<int>(kServeTick.count());
    if (deadline)
      timeout_ms = std::min<int>(
          timeout_ms,
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now).count() + 1);
    struct epoll_event ready[2];
    int n = epoll_wait(epoll.get(), ready, 2, timeout_ms);
    if (n < 0 && errno != EINTR) throw Error(Exit::environment, "epoll_wait: " + errno_text(errno));
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.fd != signals.fd()) continue;
      struct signalfd_siginfo info;
      bool stop = false;
      while (read(signals.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGCHLD)
          while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
          }
        else
          stop = true;
      }
      if (stop) {
        on_events();
        return ServeEnd::signal;
      }
    }
  }
}

std::optional<std::chrono::steady_clock::time_point> deadline_after(double seconds) {
  if (seconds <= 0) return std::nullopt;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(seconds));
}

}  // namespace syscope::process
