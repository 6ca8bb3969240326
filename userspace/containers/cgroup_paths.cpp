// SPDX-License-Identifier: Apache-2.0
// cgroup v2 id -> path: a kernfs file handle (what bpftool and systemd do), else a walk of the
// hierarchy comparing inode numbers. Since Linux 5.5 a kernfs node id is 64 bits and, on 64-bit
// hosts, equal to the inode number; kernfs exports it as a handle of type FILEID_KERNFS.
#include "syscope/containers/cgroup_paths.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::cgroup {
namespace {

constexpr int FILEID_KERNFS = 0xfe;  // include/linux/exportfs.h, not in the uapi headers

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::optional<uint64_t> inode_of(const std::string &abs_path) {
  struct stat st;
  if (stat(abs_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

std::string child_path(const std::string &parent, const char *name) {
  return parent == "/" ? std::string("/") + name : parent + "/" + name;
}

}  // namespace

CgroupPaths::CgroupPaths(std::string mount) : CgroupPaths(std::move(mount), Options{}) {}

CgroupPaths::CgroupPaths(std::string mount, Options options)
    : mount_(strip_trailing_slashes(std::move(mount))), options_(options) {
  if (!options_.use_handles) handles_ = Handles::refused;
}

CgroupPaths::~CgroupPaths() {
  if (mount_fd_ >= 0) close(mount_fd_);
}

CgroupPaths::CgroupPaths(CgroupPaths &&other) noexcept
    : mount_(std::move(other.mount_)),
      options_(other.options_),
      mount_fd_(std::exchange(other.mount_fd_, -1)),
      handles_(other.handles_),
      walked_(std::move(other.walked_)) {}

std::optional<std::string> CgroupPaths::path_of(uint64_t id) {
  if (handles_ != Handles::refused) {
    bool definitive = false;
    auto path = by_handle(id, definitive);
    if (path || definitive) return path;
  }
  return by_walk(id);
}

std::optional<uint64_t> CgroupPaths::id_of(const std::string &path) const {
  return inode_of(path == "/" || path.empty() ? mount_ : mount_ + path);
}

// definitive: the answer (found or gone) needs no walk to confirm it.
std::optional<std::string> CgroupPaths::by_handle(uint64_t id, bool &definitive) {
  if (mount_fd_ < 0) {
    mount_fd_ = open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mount_fd_ < 0) {
      handles_ = Handles::refused;
      return std::nullopt;
    }
  }
  // Until a handle has worked once, ESTALE could mean this kernel encodes handles differently,
  // so the first call proves the method on the root, whose id is the mount's inode.
  if (handles_ == Handles::untried) {
    handles_ = Handles::work;
    auto root = inode_of(mount_);
    bool unused = false;
    if (!root || by_handle(*root, unused) != "/") {
      handles_ = Handles::refused;
      return std::nullopt;
    }
  }

  alignas(struct file_handle) unsigned char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
  auto *fh = reinterpret_cast<struct file_handle *>(buf);
  fh->handle_bytes = sizeof(uint64_t);
  fh->handle_type = FILEID_KERNFS;
  std::memcpy(fh->f_handle, &id, sizeof id);
  int fd = open_by_handle_at(mount_fd_, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ESTALE) {
      definitive = true;  // no kernfs node has this id: the cgroup is gone
    } else if (errno == EPERM || errno == EACCES || errno == EOPNOTSUPP || errno == EINVAL ||
               errno == ENOSYS) {
      handles_ = Handles::refused;  // no CAP_DAC_READ_SEARCH, or no kernfs export: walk
    }
    return std::nullopt;
  }
  struct stat st;
  char target[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_ino) == id)
    n = readlink(link.c_str(), target, sizeof target - 1);
  close(fd);
  if (n < 0) return std::nullopt;
  std::string path(target, static_cast<size_t>(n));
  static constexpr std::string_view deleted = " (deleted)";
  if (path.size() >= deleted.size() &&
      path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
    definitive = true;  // removed while we looked
    return std::nullopt;
  }
  if (path == mount_) {
    definitive = true;
    return "/";
  }
  if (path.size() > mount_.size() && path.compare(0, mount_.size(), mount_) == 0 &&
      path[mount_.size()] == '/') {
    definitive = true;
    return path.substr(mount_.size());
  }
  return std::nullopt;  // reachable by another path than our mount: let the walk decide
}

std::optional<std::string> CgroupPaths::by_walk(uint64_t id) {
  if (auto it = walked_.find(id); it != walked_.end()) {
    if (id_of(it->second) == id) return it->second;
    walked_.erase(it);  // renamed or removed since: look again
  }
  // One full walk refreshes every entry; cgroup trees hold hundreds of directories, not more.
  walked_.clear();
  auto root = inode_of(mount_);
  if (!root) return std::nullopt;
  walked_[*root] = "/";
  std::vector<std::string> pending{"/"};
  while (!pending.empty()) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    DIR *d = opendir(dir == "/" ? mount_.c_str() : (mount_ + dir).c_str());
    if (!d) continue;  // removed meanwhile, or not readable: its subtree stays unknown
    while (struct dirent *e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      uint64_t ino = e->d_ino;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        is_dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        ino = st.st_ino;
      }
      if (!is_dir) continue;
      std::string child = child_path(dir, e->d_name);
      walked_[ino] = child;
      pending.push_back(std::move(child));
    }
    closedir(d);
  }
  if (auto it = walked_.find(id); it != walked_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> cgroup_path_of_pid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  if (!in) return std::nullopt;
  return cgroup2_path_of(in);
}

void walk_cgroup_tree(const std::string &mount,
                      const std::function<bool(const std::string &path, uint64_t id)> &visit) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root(mount);
  constexpr auto skip_denied = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, skip_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    struct stat st {};
    if (stat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile
    if (!visit("/" + it->path().lexically_relative(root).string(), st.st_ino))
      it.disable_recursion_pending();
  }
  if (ec)
    throw Error(Exit::environment,
                "cannot walk the cgroup hierarchy " + mount + ": " + ec.message());
}

}  // namespace syscope::cgroup
