// SPDX-License-Identifier: Apache-2.0
// cgroup v2 id -> path relative to the cgroup2 mount. The id (bpf_get_current_cgroup_id()) is
// the kernfs node id, which is also the inode number of the cgroup's directory.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace syscope::cgroup {

class CgroupPaths {
 public:
  struct Options {
    // open_by_handle_at() on a kernfs handle: one call, but needs CAP_DAC_READ_SEARCH. Off, or
    // when refused, the hierarchy is walked instead (any filesystem, no privileges).
    bool use_handles = true;
  };

  // mount: the cgroup2 mount point (cgroup2_mount()); any directory when use_handles is off.
  explicit CgroupPaths(std::string mount);
  CgroupPaths(std::string mount, Options options);
  ~CgroupPaths();
  CgroupPaths(CgroupPaths &&other) noexcept;
  CgroupPaths(const CgroupPaths &) = delete;
  CgroupPaths &operator=(const CgroupPaths &) = delete;
  CgroupPaths &operator=(CgroupPaths &&) = delete;

  // "/" for the root, "/system.slice/docker-<id>.scope" below it; nullopt when no cgroup has
  // this id (any more). Not thread-safe.
  std::optional<std::string> path_of(uint64_t id);

  // The id of the cgroup at a path relative to the mount; nullopt when there is none.
  std::optional<uint64_t> id_of(const std::string &path) const;

  const std::string &mount() const { return mount_; }

 private:
  enum class Handles { untried, work, refused };

  std::optional<std::string> by_handle(uint64_t id, bool &definitive);
  std::optional<std::string> by_walk(uint64_t id);

  std::string mount_;
  Options options_;
  int mount_fd_ = -1;
  Handles handles_ = Handles::untried;
  // Every directory the last walk saw, so that resolving many ids costs one walk, not many.
  std::unordered_map<uint64_t, std::string> walked_;
};

// Every cgroup directory below `mount` (the mount itself excluded), parents first, with its path
// relative to the mount and its id (the directory's inode); `visit` returns false to skip what
// lies below a directory. Unreadable directories are skipped; a walk that cannot start is
// Exit::environment.
void walk_cgroup_tree(const std::string &mount,
                      const std::function<bool(const std::string &path, uint64_t id)> &visit);

// The cgroup v2 path of a process ("0::" line of /proc/<pid>/cgroup); nullopt once it is gone.
std::optional<std::string> cgroup_path_of_pid(pid_t pid);

}  // namespace syscope::cgroup
