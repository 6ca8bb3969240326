// SPDX-License-Identifier: Apache-2.0
// Mounting bpffs where pins can outlive us. Comparing mount-namespace inodes with pid 1's is how
// we tell the host's namespace from a private one (pid 1 of a container's pid namespace is in
// the container's mount namespace too, which is just as private).
#include "syscope/kernel/bpffs.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "syscope/base/error.hpp"

namespace syscope::bpf {
namespace {

constexpr unsigned long kBpfFsMagic = 0xcafe4a11;  // BPF_FS_MAGIC, linux/magic.h

// Linux 6.18 gives the initial namespaces static inode numbers (uapi linux/nsfs.h,
// MNT_NS_INIT_INO): a direct answer, also where /proc/1/ns/mnt is not ours to read (pid 1
// non-dumpable, or run by another user).
constexpr ino_t kMntNsInitIno = 0xEFFFFFF8u;

bool in_host_mount_namespace(std::string &why) {
  struct stat self {
  }, init{};
  if (stat("/proc/self/ns/mnt", &self) != 0) {
    why = "cannot read /proc/self/ns/mnt (" + errno_text(errno) + ")";
    return false;
  }
  if (self.st_ino == kMntNsInitIno) return true;
  if (stat("/proc/1/ns/mnt", &init) != 0) {
    why = "cannot tell whether this is the host's mount namespace (/proc/1/ns/mnt: " +
          errno_text(errno) + ")";
    return false;
  }
  if (self.st_ino != init.st_ino || self.st_dev != init.st_dev) {
    why = "not in the host's mount namespace";
    return false;
  }
  return true;
}

}  // namespace

bool is_bpffs(const std::string &dir) {
  struct statfs fs {};
  return statfs(dir.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == kBpfFsMagic;
}

BpffsStatus ensure_bpffs(const std::string &dir) {
  BpffsStatus status;
  std::string why;
  if (!in_host_mount_namespace(why)) {
    status.note = why + ": persistence is off (pins would vanish with this namespace)";
    return status;
  }
  if (is_bpffs(dir)) {
    status.persistent = true;
    status.note = "bpffs already mounted at " + dir;
    return status;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") != 0) {
    status.note =
        "cannot mount bpffs at " + dir + " (" + errno_text(errno) + "): persistence is off";
    return status;
  }
  status.persistent = status.mounted_now = true;
  status.note = "mounted bpffs at " + dir;
  return status;
}

}  // namespace syscope::bpf
