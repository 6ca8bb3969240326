// SPDX-License-Identifier: Apache-2.0
// A forked child held at a gate before it executes CMD, so the parent can first move it into
// a cgroup: CMD's first instruction already runs inside it.
#pragma once
#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace syscope::process {

class HeldChild {
 public:
  // Forks. The child restores `child_sigmask` and default signal dispositions, then blocks on
  // the gate; released, its only remaining call is execv(path, argv). If we die first, it exits.
  HeldChild(const std::string &path, const std::vector<std::string> &argv,
            const sigset_t &child_sigmask);
  ~HeldChild();  // a child never released is killed and reaped
  HeldChild(const HeldChild &) = delete;
  HeldChild &operator=(const HeldChild &) = delete;

  pid_t pid() const { return pid_; }
  // Opens the gate and waits until CMD's image runs. If execv failed, reaps the child and
  // throws Error(Exit::not_found / cannot_execute) with the reason.
  void release();

 private:
  pid_t pid_ = -1;
  int gate_fd_ = -1;        // write end: closing it releases the child
  int exec_error_fd_ = -1;  // read end: EOF on successful exec (CLOEXEC), else the errno
  std::string path_;
};

}  // namespace syscope::process
