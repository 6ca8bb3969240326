// SPDX-License-Identifier: Apache-2.0
// Taking a unix socket path for a server: its checks, its lock, a stale socket's removal.
// Private to the daemon layer (control_server.cpp is the only user).
#pragma once
#include <sys/un.h>

#include <string>

namespace syscope::daemon {

// Exit::usage when path is empty or it, or temp_path, does not fit in sockaddr_un.
void check_socket_path(const std::string &path, const std::string &temp_path);
// Creates the missing parent directories of path with mode 0755 (whatever the umask).
void make_parent_directories(const std::string &path);
// flock()s <path>.lock and returns its fd; Exit::environment "another syscope daemon is
// serving <path>" when another process holds it. Two servers starting at once cannot both
// see a stale socket and both replace it.
int lock_socket_path(const std::string &path);
// Nothing at path, or a socket nobody listens on (removed): fine. A socket a server answers
// on: Exit::environment "another syscope daemon is serving <path>". Anything else:
// Exit::usage, and it is left alone.
void remove_stale_socket(const std::string &path);
sockaddr_un unix_address(const std::string &path);

}  // namespace syscope::daemon
