// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "syscope/base/error.hpp"

namespace syscope::daemon {
namespace {

std::string read_owner(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : "";
}

}  // namespace

InstanceLock::InstanceLock(const std::string &lock_file, const std::string &what,
                           unsigned parent_mode) {
  std::error_code ec;
  auto parent = std::filesystem::path(lock_file).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (!ec) chmod(parent.c_str(), parent_mode);
  }
  fd_ = open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0)
    throw Error(Exit::environment,
                "cannot create " + lock_file + " (to claim " + what + "): " + errno_text(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string owner = read_owner(fd_);
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(Exit::environment, "another syscope daemon" +
                                         (owner.empty() ? "" : " (pid " + owner + ")") +
                                         " is using " + what + "; stop it first");
    throw Error(Exit::environment, "cannot lock " + lock_file + ": " + errno_text(err));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message of a second daemon is poorer.
  }
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) close(fd_);  // the file stays: removing it would race a successor's open
}

std::string pin_dir_lock_file(const std::string &pin_dir, const std::string &run_dir) {
  std::string name;
  for (char c : std::filesystem::path(pin_dir).lexically_normal().string()) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_';
    if (plain)
      name += c;
    else if (!name.empty() && name.back() != '-')
      name += '-';
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return run_dir + "/pins-" + (name.empty() ? "root" : name) + ".lock";
}

}  // namespace syscope::daemon
