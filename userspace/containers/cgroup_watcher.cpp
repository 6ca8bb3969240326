// SPDX-License-Identifier: Apache-2.0
#include "syscope/containers/cgroup_watcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_cleanup.hpp"

namespace syscope::cgroup {
namespace {

constexpr int kPidFd = 3;   // the watcher's fds after it closed everything else
constexpr int kSocket = 4;  // (kPidFd is -1 when the kernel has no pidfd_open, before 5.3)

// Moves the two fds the watcher keeps to 3 and 4, stdio to /dev/null, closes every other fd.
void keep_only(int pidfd, int socket) {
  int high_pidfd = pidfd >= 0 ? fcntl(pidfd, F_DUPFD, 100) : -1;
  int high_socket = fcntl(socket, F_DUPFD, 100);
  if (high_pidfd >= 0) dup2(high_pidfd, kPidFd);
  dup2(high_socket, kSocket);
  int null = open("/dev/null", O_RDWR);
  for (int fd : {0, 1, 2}) dup2(null, fd);
  syscall(SYS_close_range, kSocket + 1, ~0U, 0);
  if (high_pidfd < 0) close(kPidFd);
}

[[noreturn]] void watch(int pidfd, int socket) {
  try {
    keep_only(pidfd, socket);
    if (chdir("/") != 0) {  // holds no mount busy
    }
    prctl(PR_SET_NAME, "syscope-watch");
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);

    // Everything syscope says, until its end of the socket closes: by its goodbye, or its death.
    std::string said;
    char buf[4096];
    for (;;) {
      ssize_t n = read(kSocket, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      said.append(buf, static_cast<size_t>(n));
    }
    std::vector<std::string> guarded, discarded;
    std::istringstream lines(said);
    std::string line;
    while (std::getline(lines, line, '\0')) {
      if (line == "done") _exit(0);
      if (line.rfind("guard ", 0) == 0) guarded.push_back(line.substr(6));
      if (line.rfind("discard ", 0) == 0) discarded.push_back(line.substr(8));
    }
    // EOF without a goodbye: syscope died. The pidfd turns readable once it has really exited.
    struct pollfd pfd = {kPidFd, POLLIN, 0};
    while (fcntl(kPidFd, F_GETFD) >= 0 && poll(&pfd, 1, -1) < 0 && errno == EINTR) {
    }
    for (const auto &dir : guarded) {
      if (kill_cgroup(dir, std::chrono::seconds(10)).emptied) remove_cgroup_tree(dir);
    }
    for (const auto &file : discarded) {
      struct stat st {};
      if (lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) unlink(file.c_str());
    }
  } catch (...) {
  }
  _exit(0);
}

}  // namespace

CgroupWatcher::CgroupWatcher() {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));  // close-on-exec
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    int err = errno;
    if (pidfd >= 0) close(pidfd);
    throw Error(Exit::environment, "socketpair: " + errno_text(err));
  }
  // Were we a subreaper, the watcher would come back to us as our child when the middle process
  // exits, and waiting for every descendant would wait for it: not one for that moment.
  int subreaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
  if (subreaper) prctl(PR_SET_CHILD_SUBREAPER, 0);
  pid_t middle = fork();
  if (middle == 0) {
    setsid();
    if (fork() == 0) watch(pidfd, pair[1]);
    _exit(0);
  }
  int err = errno;
  close(pair[1]);
  if (pidfd >= 0) close(pidfd);
  if (middle < 0) {
    if (subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
    close(pair[0]);
    throw Error(Exit::environment, "fork: " + errno_text(err));
  }
  while (waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
  socket_ = pair[0];
}

CgroupWatcher::~CgroupWatcher() {
  static const char kDone[] = "done";  // with its NUL
  (void)!send(socket_, kDone, sizeof kDone, MSG_NOSIGNAL);
  close(socket_);
}

void CgroupWatcher::guard(const std::string &dir) const { tell("guard " + dir); }

void CgroupWatcher::discard(const std::string &path) const {
  tell("discard " + std::filesystem::absolute(path).string());  // the watcher's cwd is /
}

void CgroupWatcher::tell(const std::string &line) const {
  std::string text = line + '\0';  // a path may hold a newline, never a NUL
  if (send(socket_, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
    throw Error(Exit::environment,
                "cannot tell the cgroup watcher \"" + line + "\": " + errno_text(errno));
}

}  // namespace syscope::cgroup
