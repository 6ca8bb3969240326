// SPDX-License-Identifier: Apache-2.0
// Creating, filling and removing a cgroup v2 directory. rmdir succeeds only once the cgroup is
// empty; a zombie may linger a moment after its parent reaped it, hence the short retry.
#include "syscope/containers/scoped_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "syscope/base/error.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::cgroup {

ScopedCgroup ScopedCgroup::create_beside_self(const std::string &prefix) {
  return create_under(own_cgroup2_dir(), prefix);
}

ScopedCgroup ScopedCgroup::create_under(const std::string &parent_dir, const std::string &prefix) {
  for (int n = 0; n < 1000; ++n) {
    std::string path =
        parent_dir + "/" + prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(n);
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
  if (path_.empty()) return;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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
