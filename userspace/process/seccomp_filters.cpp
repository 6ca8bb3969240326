// SPDX-License-Identifier: Apache-2.0
// PTRACE_SEIZE + PTRACE_INTERRUPT, then PTRACE_SECCOMP_GET_FILTER per index, then detach: the
// tracee stops only as long as the reads take, and a signal that came meanwhile is delivered.
#include "syscope/process/seccomp_filters.hpp"

#include <sys/ptrace.h>  // glibc >= 2.26 has PTRACE_SECCOMP_GET_FILTER, PTRACE_EVENT_STOP
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"

namespace syscope::process {
namespace {

// glibc's <sys/ptrace.h> takes an enum __ptrace_request; the uapi constants are plain ints.
long pt(int request, pid_t pid, unsigned long addr, void *data) {
  return ptrace(static_cast<__ptrace_request>(request), pid, addr, data);
}

std::string task_label(pid_t pid) { return "task " + std::to_string(pid); }

[[noreturn]] void fail(pid_t pid, const std::string &what) {
  throw Error(Exit::environment, task_label(pid) + ": " + what);
}

// Detaches on every way out; `signal` is what the stop held back (0: nothing).
struct Seized {
  pid_t pid;
  int signal = 0;
  ~Seized() { pt(PTRACE_DETACH, pid, 0, reinterpret_cast<void *>(static_cast<long>(signal))); }
};

// Waits for the stop PTRACE_INTERRUPT asked for; returns the signal to hand back on detach.
int wait_for_stop(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    int status = 0;
    pid_t got = waitpid(pid, &status, __WALL | WNOHANG);
    if (got == pid) {
      if (WIFEXITED(status) || WIFSIGNALED(status)) fail(pid, "exited while being stopped");
      if (!WIFSTOPPED(status)) continue;
      // PTRACE_EVENT_STOP: the interrupt (or a group stop); anything else is a signal the
      // task was about to receive, stopped for us first: it is handed back on detach.
      if ((status >> 16) == PTRACE_EVENT_STOP) return 0;
      return WSTOPSIG(status);
    }
    if (got < 0 && errno != EINTR) fail(pid, "waitpid: " + errno_text(errno));
    if (std::chrono::steady_clock::now() > deadline)
      fail(pid, "did not stop within 5 s after PTRACE_INTERRUPT (in uninterruptible sleep?)");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

TaskSeccomp task_seccomp(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  FileText status = read_regular_file(path, 64 * 1024);
  if (!status.error.empty()) fail(pid, "cannot read " + path + ": " + status.error);
  TaskSeccomp out;
  std::istringstream lines(status.text);
  std::string line;
  while (std::getline(lines, line)) {
    auto value = [&](const char *key) -> const char * {
      const std::string k = key;
      return line.compare(0, k.size(), k) == 0 ? line.c_str() + k.size() : nullptr;
    };
    if (const char *v = value("Seccomp:")) out.mode = std::atoi(v);
    if (const char *v = value("Seccomp_filters:")) out.filters = std::atoi(v);
    if (const char *v = value("TracerPid:")) out.tracer = std::atoi(v);
    if (const char *v = value("CapEff:")) out.cap_eff = std::strtoull(v, nullptr, 16);
    if (const char *v = value("CapBnd:")) out.cap_bnd = std::strtoull(v, nullptr, 16);
  }
  return out;
}

std::vector<std::vector<sock_filter>> read_seccomp_filters(pid_t pid) {
  const TaskSeccomp state = task_seccomp(pid);
  if (state.mode == 0) return {};
  if (state.mode != 2) fail(pid, "runs in seccomp strict mode (no filters to read)");
  if (state.tracer != 0) fail(pid, "already traced by pid " + std::to_string(state.tracer));
  if (pt(PTRACE_SEIZE, pid, 0, nullptr) != 0) {
    const int err = errno;
    if (err == ESRCH) fail(pid, "gone");
    if (err == EPERM && task_seccomp(pid).tracer != 0)
      fail(pid, "already traced by pid " + std::to_string(task_seccomp(pid).tracer));
    fail(pid,
         "PTRACE_SEIZE refused: " + errno_text(err) +
             (err == EPERM ? " (needs root or CAP_SYS_PTRACE; see kernel.yama.ptrace_scope)" : ""));
  }
  Seized seized{pid};
  if (pt(PTRACE_INTERRUPT, pid, 0, nullptr) != 0)
    fail(pid, "PTRACE_INTERRUPT: " + errno_text(errno));
  seized.signal = wait_for_stop(pid);

  std::vector<std::vector<sock_filter>> filters;
  for (unsigned long index = 0;; ++index) {
    long count = pt(PTRACE_SECCOMP_GET_FILTER, pid, index, nullptr);
    if (count < 0 && errno == ENOENT) break;  // past the oldest filter
    if (count < 0) {
      const int err = errno;
      if (err == EACCES)
        fail(pid, "PTRACE_SECCOMP_GET_FILTER refused: needs CAP_SYS_ADMIN and a caller not under "
                  "seccomp itself (run syscope verify as root, unconfined)");
      if (err == EINVAL && index == 0)
        fail(pid, "PTRACE_SECCOMP_GET_FILTER: not supported by this kernel "
                  "(CONFIG_CHECKPOINT_RESTORE) or the task has no filter");
      fail(pid, "PTRACE_SECCOMP_GET_FILTER " + std::to_string(index) + ": " + errno_text(err));
    }
    std::vector<sock_filter> program(static_cast<size_t>(count));
    long again = pt(PTRACE_SECCOMP_GET_FILTER, pid, index, program.data());
    if (again != count)
      fail(pid, "PTRACE_SECCOMP_GET_FILTER " + std::to_string(index) + " changed size");
    filters.push_back(std::move(program));
  }
  return filters;
}

}  // namespace syscope::process
