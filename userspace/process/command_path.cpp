// SPDX-License-Identifier: Apache-2.0
#include "syscope/process/command_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "syscope/base/error.hpp"

namespace syscope::process {
namespace {

bool is_executable_file(const std::string &path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string resolve_command(const std::string &name) {
  if (name.empty()) throw Error(Exit::not_found, "empty command name");
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name)) return name;
    struct stat st {};
    if (stat(name.c_str(), &st) != 0) throw Error(Exit::not_found, name + ": " + errno_text(errno));
    throw Error(Exit::cannot_execute,
                name + ": " + (S_ISDIR(st.st_mode) ? "is a directory" : "permission denied"));
  }
  const char *env_path = std::getenv("PATH");
  std::string dirs =
      env_path ? env_path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  bool found_unexecutable = false;
  // Split by hand: getline drops a trailing empty entry ("/bin:", or PATH=""), which execvp(3)
  // searches as the current directory like any other empty entry.
  for (size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = dirs.find(':', start);
    std::string dir = dirs.substr(start, end == std::string::npos ? end : end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    if (access(candidate.c_str(), F_OK) == 0) found_unexecutable = true;
  }
  if (found_unexecutable) throw Error(Exit::cannot_execute, name + ": permission denied");
  throw Error(Exit::not_found, name + ": command not found");
}

}  // namespace syscope::process
