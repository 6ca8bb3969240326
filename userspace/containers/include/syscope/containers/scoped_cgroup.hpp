// SPDX-License-Identifier: Apache-2.0
// A cgroup v2 directory syscope creates for a recorded command, removed when it goes away.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace syscope::cgroup {

class ScopedCgroup {
 public:
  // Creates "<parent>/<prefix>-<pid>-<start>-<n>" (owned_cgroup_name) under the cgroup2 mount;
  // Exit::environment on failure.
  static ScopedCgroup create_under(const std::string &parent_dir, const std::string &prefix);
  // The same under this process's own cgroup (own_cgroup2_dir()): where a command that syscope
  // runs (record -- CMD, trace -- CMD) gets a cgroup of its own.
  static ScopedCgroup create_beside_self(const std::string &prefix);
  ~ScopedCgroup();
  ScopedCgroup(ScopedCgroup &&other) noexcept;
  ScopedCgroup(const ScopedCgroup &) = delete;
  ScopedCgroup &operator=(const ScopedCgroup &) = delete;
  ScopedCgroup &operator=(ScopedCgroup &&) = delete;

  // Moves a process (all its threads) in; Exit::environment on failure.
  void add_process(pid_t pid) const;

  uint64_t id() const { return id_; }     // cgroup v2 id: the directory's inode number
  int dir_fd() const { return dir_fd_; }  // O_DIRECTORY fd, the key of cgroup storage maps
  const std::string &path() const { return path_; }

 private:
  ScopedCgroup(std::string path, int dir_fd, uint64_t id)
      : path_(std::move(path)), dir_fd_(dir_fd), id_(id) {}
  std::string path_;
  int dir_fd_ = -1;
  uint64_t id_ = 0;
};

}  // namespace syscope::cgroup
