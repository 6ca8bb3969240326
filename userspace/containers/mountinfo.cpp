// SPDX-License-Identifier: Apache-2.0
// mountinfo format: proc(5). "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw"
// The optional fields end at " - ", after which come fstype, source and super options.
#include "syscope/containers/mountinfo.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "syscope/base/error.hpp"

namespace syscope::cgroup {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
bool is_octal(char c) { return c >= '0' && c <= '7'; }

std::string unescape_octal(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
        is_octal(s[i + 3])) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> find_cgroup2_mount(std::istream &mountinfo) {
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::vector<std::string> before_dash;
    std::string field;
    while (fields >> field && field != "-") before_dash.push_back(field);
    std::string fstype;
    if (field != "-" || !(fields >> fstype) || before_dash.size() < 6) continue;
    if (fstype == "cgroup2") return unescape_octal(before_dash[4]);
  }
  return std::nullopt;
}

std::optional<std::string> cgroup2_path_of(std::istream &proc_cgroup) {
  std::string line;
  while (std::getline(proc_cgroup, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return std::nullopt;
}

std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  if (auto mount = find_cgroup2_mount(in)) return *mount;
  throw Error(
      Exit::environment,
      "no cgroup v2 hierarchy is mounted (looked for a cgroup2 entry in "
      "/proc/self/mountinfo); mount one, e.g. mount -t cgroup2 none /sys/fs/cgroup/unified");
}

std::string own_cgroup2_path() {
  std::ifstream in("/proc/self/cgroup");
  if (auto path = cgroup2_path_of(in)) return *path;
  throw Error(Exit::environment, "/proc/self/cgroup has no cgroup v2 (\"0::\") entry");
}

std::string own_cgroup2_dir() {
  std::string dir = cgroup2_mount() + own_cgroup2_path();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace syscope::cgroup
