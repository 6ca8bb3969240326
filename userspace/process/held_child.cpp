// SPDX-License-Identifier: Apache-2.0
// Between fork and execv the child only does async-signal-safe work. Everything it does before
// the gate opens happens in the parent's cgroup and is not recorded; after it, only execv.
#include "syscope/process/held_child.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "syscope/base/error.hpp"

namespace syscope::process {

HeldChild::HeldChild(const std::string &path, const std::vector<std::string> &argv,
                     const sigset_t &child_sigmask)
    : path_(path) {
  int gate[2], exec_error[2];
  if (pipe2(gate, O_CLOEXEC) != 0) throw Error(Exit::environment, "pipe2: " + errno_text(errno));
  if (pipe2(exec_error, O_CLOEXEC) != 0) {
    close(gate[0]);
    close(gate[1]);
    throw Error(Exit::environment, "pipe2: " + errno_text(errno));
  }
  std::vector<char *> args;  // built before fork: no allocation in the child
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) {
    int err = errno;
    for (int fd : {gate[0], gate[1], exec_error[0], exec_error[1]}) close(fd);
    throw Error(Exit::environment, "fork: " + errno_text(err));
  }
  if (pid_ == 0) {
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &child_sigmask, nullptr);
    close(gate[1]);  // else the gate never sees EOF
    close(exec_error[0]);
    // A byte opens the gate; EOF without one means syscope died before releasing us (killed
    // while setting up): CMD must not run then, outside the cgroup or unwatched.
    char byte;
    ssize_t n;
    while ((n = read(gate[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) _exit(127);
    execv(path.c_str(), args.data());
    int err = errno;
    (void)!write(exec_error[1], &err, sizeof err);
    _exit(127);
  }
  close(gate[0]);
  close(exec_error[1]);
  gate_fd_ = gate[1];
  exec_error_fd_ = exec_error[0];
}

HeldChild::~HeldChild() {
  if (gate_fd_ >= 0) {  // never released: CMD must not run
    kill(pid_, SIGKILL);
    close(gate_fd_);
    waitpid(pid_, nullptr, 0);
  }
  if (exec_error_fd_ >= 0) close(exec_error_fd_);
}

void HeldChild::release() {
  (void)!write(gate_fd_, "g", 1);  // a pipe's first byte: cannot block
  close(gate_fd_);
  gate_fd_ = -1;
  int err = 0;
  ssize_t n;
  while ((n = read(exec_error_fd_, &err, sizeof err)) < 0 && errno == EINTR) {
  }
  close(exec_error_fd_);
  exec_error_fd_ = -1;
  if (n <= 0) return;  // EOF: the CLOEXEC pipe closed in a successful execv
  waitpid(pid_, nullptr, 0);
  Exit code = (err == ENOENT || err == ENOTDIR) ? Exit::not_found : Exit::cannot_execute;
  throw Error(code, path_ + ": " + errno_text(err));
}

}  // namespace syscope::process
