// SPDX-License-Identifier: Apache-2.0
// Creating, filling and removing a cgroup v2 directory, named after its owner (cgroup_owner.hpp).
#include "syscope/containers/scoped_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_cleanup.hpp"
#include "syscope/containers/cgroup_owner.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::cgroup {

ScopedCgroup ScopedCgroup::create_beside_self(const std::string &prefix) {
  return create_under(own_cgroup2_dir(), prefix);
}

ScopedCgroup ScopedCgroup::create_under(const std::string &parent_dir, const std::string &prefix) {
  for (int n = 0; n < 1000; ++n) {
    std::string path = parent_dir + "/" + owned_cgroup_name(prefix, n);
    if (mkdir(path.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      throw Error(Exit::environment, "cannot create cgroup " + path + ": " + errno_text(errno));
    }
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0) {
      int err = errno;
      if (fd >= 0) close(fd);
      rmdir(path.c_str());
      throw Error(Exit::environment, "cannot open cgroup " + path + ": " + errno_text(err));
    }
    return ScopedCgroup(path, fd, st.st_ino);
  }
  throw Error(Exit::environment, "cannot find a free cgroup name under " + parent_dir);
}

ScopedCgroup::ScopedCgroup(ScopedCgroup &&other) noexcept
    : path_(std::move(other.path_)), dir_fd_(other.dir_fd_), id_(other.id_) {
  other.dir_fd_ = -1;
  other.path_.clear();
}

ScopedCgroup::~ScopedCgroup() {
  if (dir_fd_ >= 0) close(dir_fd_);
  // Child cgroups CMD made go too. One that still holds processes (CMD's descendants, if we end
  // by an error before they are gone) stays, and is swept by a later run once its owner is gone.
  if (!path_.empty()) remove_cgroup_tree(path_);
}

void ScopedCgroup::add_process(pid_t pid) const {
  int fd = openat(dir_fd_, "cgroup.procs", O_WRONLY | O_CLOEXEC);
  std::string text = std::to_string(pid);
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int err = errno;
  if (fd >= 0) close(fd);
  if (!ok)
    throw Error(Exit::environment,
                "cannot move process " + text + " into cgroup " + path_ + ": " + errno_text(err));
}

}  // namespace syscope::cgroup
