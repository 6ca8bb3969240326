// SPDX-License-Identifier: Apache-2.0
// Waiting for a command and every descendant it leaves behind, while serving an event fd and
// passing on the signals a user sends to us.
#pragma once
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace syscope::process {

// Both loops below also run on_events at least this often, whether or not `event_fd` woke them:
// a producer that batches its wake-ups (trace's ring buffer, bpf/trace.bpf.c) is drained on this
// timer, so a trickle of records is never held back for long.
inline constexpr std::chrono::milliseconds kServeTick{100};

// Blocks SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGQUIT and reads them from a signalfd; restores
// the mask when it goes away. Children get original_mask() back before they exec.
class SignalRouter {
 public:
  SignalRouter();
  ~SignalRouter();
  SignalRouter(const SignalRouter &) = delete;
  SignalRouter &operator=(const SignalRouter &) = delete;
  const sigset_t &original_mask() const { return original_; }
  int fd() const { return fd_; }

 private:
  sigset_t original_{};
  int fd_ = -1;
};

// Returns `main_child`'s exit status (128 + signal if it was killed) once it and every other
// descendant are gone (we must be their subreaper). `on_events` runs whenever `event_fd` is
// readable and at least every kServeTick. A termination signal sent to us by another process
// (kill) is forwarded to the child; one from the terminal already reached the child's process
// group and is not repeated.
int wait_for_descendants(pid_t main_child, const SignalRouter &signals, int event_fd,
                         const std::function<void()> &on_events);

// Runs `path` with `argv` in a cgroup from its first instruction (the child
// waits at a gate until `place(pid)` has moved it) and waits for it and all its descendants
// (we become their subreaper), serving `event_fd` meanwhile. Returns its exit status.
int run_command_in(const std::string &path, const std::vector<std::string> &argv,
                   const std::function<void(pid_t)> &place, const SignalRouter &signals,
                   int event_fd, const std::function<void()> &on_events);

enum class ServeEnd { done, signal, deadline };

// Serves `event_fd` (on_events, also at least every kServeTick) until done() holds, a
// termination signal arrives (SIGINT, SIGTERM, SIGHUP, SIGQUIT; children are reaped on the way)
// or the deadline passes.
// now + `seconds` on the steady clock; nullopt for 0 or less (no deadline): --duration's meaning.
std::optional<std::chrono::steady_clock::time_point> deadline_after(double seconds);

ServeEnd serve_until(const SignalRouter &signals, int event_fd,
                     const std::function<void()> &on_events, const std::function<bool()> &done,
                     std::optional<std::chrono::steady_clock::time_point> deadline);

}  // namespace syscope::process
