// SPDX-License-Identifier: Apache-2.0
// A small process that makes CMD's cgroup go with syscope. PR_SET_PDEATHSIG cannot: a forked
// child does not inherit it, a set-user-ID exec or a credential change clears it, and it fires
// when the creating thread ends, not the process. The watcher holds a pidfd of syscope; when
// syscope dies without saying goodbye (SIGKILL), it kills every process in the cgroups it was
// handed (cgroup.kill: CMD and every descendant, wherever it was re-parented), waits until they
// are gone, removes the cgroups (and the temp files it was handed) and exits. When syscope ends
// normally it exits at once and kills nothing, so whatever syscope leaves running on purpose keeps
// running.
#pragma once
#include <string>

namespace syscope::cgroup {

class CgroupWatcher {
 public:
  // Forks the watcher. Call while this process has no other thread and before libbpf opens
  // anything: the watcher is a copy of it, and keeps only the pidfd and its end of a socket (no
  // BPF fd, no output file, stdio on /dev/null, cwd /). It is forked twice, so it is not our
  // child (waiting for every descendant never waits for it), and in a session of its own, so
  // Ctrl-C or a kill of our process group leaves it to do its job.
  CgroupWatcher();
  ~CgroupWatcher();  // normal end: the watcher exits without killing anything
  CgroupWatcher(const CgroupWatcher &) = delete;
  CgroupWatcher &operator=(const CgroupWatcher &) = delete;

  // From now on, if syscope dies, the cgroup at `dir` is killed and removed. Exit::environment if
  // the watcher cannot be told (it is gone).
  void guard(const std::string &dir) const;
  // And the file at `path` (a temp file that only a finished run would have renamed) is removed.
  void discard(const std::string &path) const;

 private:
  void tell(const std::string &line) const;
  // Our end; the watcher reads "guard <dir>", "discard <file>" and "done", each ended by a NUL.
  int socket_ = -1;
};

}  // namespace syscope::cgroup
