// SPDX-License-Identifier: Apache-2.0
#include "syscope/containers/cgroup_cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_owner.hpp"

namespace syscope::cgroup {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> child_cgroups(const std::string &dir) {
  std::vector<std::string> children;
  DIR *d = opendir(dir.c_str());
  if (!d) return children;
  while (auto *entry = readdir(d)) {
    std::string name = entry->d_name;
    if (entry->d_type == DT_DIR && name != "." && name != "..") children.push_back(name);
  }
  closedir(d);
  return children;
}

// Every pid in the cgroup and below.
void collect_pids(const std::string &dir, std::vector<pid_t> &pids) {
  std::ifstream procs(dir + "/cgroup.procs");
  pid_t pid;
  while (procs >> pid) pids.push_back(pid);
  for (const auto &child : child_cgroups(dir)) collect_pids(dir + "/" + child, pids);
}

bool write_text(const std::string &path, const std::string &text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

}  // namespace

bool cgroup_populated(const std::string &dir) {
  std::ifstream events(dir + "/cgroup.events");
  std::string key, value;
  while (events >> key >> value)
    if (key == "populated") return value != "0";
  return false;  // gone (or no cgroup.events): nothing runs there
}

CgroupKill kill_cgroup(const std::string &dir, std::chrono::milliseconds timeout) {
  std::vector<pid_t> pids;
  collect_pids(dir, pids);
  auto deadline = Clock::now() + timeout;
  // cgroup.kill (Linux 5.14) kills the whole subtree at once, forks in flight included; before
  // it, killing pid by pid until none is left reaches a fork's child on a later round.
  bool whole = write_text(dir + "/cgroup.kill", "1");
  int events = open((dir + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC);
  for (;;) {
    if (!cgroup_populated(dir)) break;
    if (Clock::now() >= deadline) break;
    if (!whole) {
      std::vector<pid_t> now;
      collect_pids(dir, now);
      for (pid_t pid : now) kill(pid, SIGKILL);
    }
    // cgroup.events wakes a poller (POLLPRI) when "populated" changes; the timeout covers a
    // change between our read and the poll.
    struct pollfd pfd = {events, POLLPRI, 0};
    if (events >= 0)
      poll(&pfd, 1, 20);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (events >= 0) close(events);
  return {pids.size(), !cgroup_populated(dir)};
}

bool remove_cgroup_tree(const std::string &dir) {
  for (const auto &child : child_cgroups(dir)) remove_cgroup_tree(dir + "/" + child);
  // rmdir fails with EBUSY while an exited task is still being released.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

StraySweep remove_stray_cgroups(const std::string &parent_dir) {
  StraySweep sweep;
  for (const auto &name : child_cgroups(parent_dir)) {
    auto owner = owner_of_cgroup(name);
    if (!owner || owner_alive(*owner)) continue;
    std::string dir = parent_dir + "/" + name;
    if (cgroup_populated(dir)) {
      if (!owner->start_ticks) {
        sweep.left.push_back(name + " (still has processes; its name has no start time to prove "
                                    "its syscope gone)");
        continue;
      }
      auto killed = kill_cgroup(dir, std::chrono::seconds(5));
      sweep.killed += killed.processes;
      if (!killed.emptied) {
        sweep.left.push_back(name + " (its processes did not die within 5 s)");
        continue;
      }
    }
    if (remove_cgroup_tree(dir))
      sweep.removed.push_back(name);
    else
      sweep.left.push_back(name + " (rmdir: " + errno_text(errno) + ")");
  }
  return sweep;
}

}  // namespace syscope::cgroup
