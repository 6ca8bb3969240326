// SPDX-License-Identifier: Apache-2.0
#include "control_socket_path.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "syscope/base/error.hpp"

namespace syscope::daemon {

namespace {

std::string serving_message(const std::string &path) {
  return "another syscope daemon is serving " + path;
}

}  // namespace

sockaddr_un unix_address(const std::string &path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  return addr;
}

void check_socket_path(const std::string &path, const std::string &temp_path) {
  if (path.empty()) throw Error(Exit::usage, "the control socket path is empty");
  // sun_path holds 108 bytes with its NUL; the temporary name we bind first must fit too.
  size_t room = sizeof(sockaddr_un::sun_path) - 1 - (temp_path.size() - path.size());
  if (temp_path.size() >= sizeof(sockaddr_un::sun_path))
    throw Error(Exit::usage, "control socket path longer than " + std::to_string(room) +
                                 " bytes (a unix socket address is short): " + path);
}

void make_parent_directories(const std::string &path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::vector<std::filesystem::path> missing;
  for (auto dir = parent; !dir.empty() && !std::filesystem::exists(dir); dir = dir.parent_path()) {
    missing.push_back(dir);
    if (dir == dir.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (mkdir(it->c_str(), 0755) != 0 && errno != EEXIST)
      throw Error(Exit::environment, "cannot create " + it->string() + ": " + errno_text(errno));
    chmod(it->c_str(), 0755);  // mkdir's mode passed through the umask
  }
}

int lock_socket_path(const std::string &path) {
  std::string lock_path = path + ".lock";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw Error(Exit::environment, "cannot open " + lock_path + ": " + errno_text(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) throw Error(Exit::environment, serving_message(path));
    throw Error(Exit::environment, "cannot lock " + lock_path + ": " + errno_text(err));
  }
  return fd;
}

void remove_stale_socket(const std::string &path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw Error(Exit::environment, "cannot inspect " + path + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode))
    throw Error(Exit::usage, path + " exists and is not a socket (not replacing it)");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw Error(Exit::environment, "control socket: socket: " + errno_text(errno));
  sockaddr_un addr = unix_address(path);
  int rc = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  int err = errno;
  close(fd);
  // Connected, or a full backlog (EAGAIN): someone is listening there.
  if (rc == 0 || err == EAGAIN) throw Error(Exit::environment, serving_message(path));
  if (err != ECONNREFUSED)
    throw Error(Exit::environment, "cannot probe " + path + ": " + errno_text(err));
  // Refused: its server is gone (killed before it could unlink). Ours now.
  if (unlink(path.c_str()) != 0 && errno != ENOENT)
    throw Error(Exit::environment,
                "cannot replace the stale socket " + path + ": " + errno_text(errno));
}

}  // namespace syscope::daemon
