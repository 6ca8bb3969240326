// SPDX-License-Identifier: Apache-2.0
// One daemon per state dir and per pin directory: each is claimed with an flock()ed file that
// holds the owner's pid. The kernel drops the lock when the owner dies, kill -9 included, so a
// crashed daemon never blocks its successor and no stale lock file needs removing by hand.
#pragma once
#include <string>

namespace syscope::daemon {

class InstanceLock {
 public:
  // Takes the lock on `lock_file` (created 0600; a missing parent directory is made with
  // `parent_mode`: 0700 for the state dir, 0755 for /run/syscope, which the socket shares);
  // `what` names the resource in the error: Exit::environment "another syscope daemon (pid 123)
  // is using the state dir /var/lib/syscope".
  InstanceLock(const std::string &lock_file, const std::string &what, unsigned parent_mode = 0700);
  ~InstanceLock();
  InstanceLock(const InstanceLock &) = delete;
  InstanceLock &operator=(const InstanceLock &) = delete;

 private:
  int fd_ = -1;
};

// Where the lock of a pin directory lives: bpffs holds only BPF objects, so the lock file is
// under /run/syscope, named after the directory ("/sys/fs/bpf/syscope" ->
// pins-sys-fs-bpf-syscope.lock).
std::string pin_dir_lock_file(const std::string &pin_dir,
                              const std::string &run_dir = "/run/syscope");

}  // namespace syscope::daemon
