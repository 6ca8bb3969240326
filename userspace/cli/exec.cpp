// SPDX-License-Identifier: Apache-2.0
// `syscope exec`: runs a command under a Docker-format profile compiled as Docker and runc would,
// to try a profile without a container. The filter goes on right before execve.
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/process/command_path.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/labels.hpp"

namespace syscope::cli {
namespace {

struct ExecOptions {
  std::string profile;
  bool no_runc_enosys = false;
  bool verbose = false;
  std::vector<std::string> command;
};

// "denies exit_group (SCMP_ACT_ERRNO), which every process needs to exit, and may deny ...".
std::string denial_text(const std::vector<seccomp::EssentialDenial> &denials) {
  std::string out;
  for (size_t i = 0; i < denials.size(); ++i) {
    const auto &d = denials[i];
    out += i == 0 ? "" : i + 1 == denials.size() ? ", and " : ", ";
    out += std::string(d.conditional ? "may deny " : "denies ") + d.name + " (" +
           seccomp::action_name(d.action) + (d.conditional ? " for some arguments" : "") + "), " +
           d.needed_for;
  }
  return out;
}

// The child's last steps: CMD under the filter, or one line on why not (the filter may deny
// more than execve: one unbuffered write is all that is left to try).
[[noreturn]] void exec_filtered(const std::string &path, std::vector<char *> &argv,
                                const std::string &cmd, const seccomp::CompiledFilter &filter) {
  seccomp::install_filter(filter);
  execv(path.c_str(), argv.data());
  int err = errno;
  std::fprintf(stderr, "syscope: %s: execve under the profile failed: %s\n", printable(cmd).c_str(),
               std::strerror(err));
  _exit(static_cast<int>(err == ENOENT ? Exit::not_found : Exit::cannot_execute));
}

// For a profile that denies an essential call: CMD runs in a child, so that when it dies of a
// signal one line can say why. Signals another process sends us are passed on to it (the
// terminal's reach it directly, as it shares our process group). Returns its exit status.
int run_watched(const std::string &path, std::vector<char *> &argv, const std::string &cmd,
                const seccomp::CompiledFilter &filter, const std::string &profile_path,
                const std::vector<seccomp::EssentialDenial> &denials) {
  process::SignalRouter signals;  // blocks them; the child gets the mask back before execve
  pid_t pid = fork();
  if (pid < 0) throw Error(Exit::environment, "fork: " + errno_text(errno));
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &signals.original_mask(), nullptr);
    try {
      exec_filtered(path, argv, cmd, filter);
    } catch (const Error &e) {
      std::fprintf(stderr, "syscope: %s\n", e.what());
      _exit(static_cast<int>(e.code));
    }
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // readable once it has exited
  for (bool exited = false; !exited;) {
    pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    // Without a pidfd (kernel < 5.3) SIGCHLD wakes us, and waitid below tells whether it was
    // the child's exit.
    if (poll(fds, pidfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
      throw Error(Exit::environment, "poll: " + errno_text(errno));
    signalfd_siginfo info;
    while (read(signals.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      if (info.ssi_signo != SIGCHLD && (info.ssi_code == SI_USER || info.ssi_code == SI_QUEUE))
        kill(pid, static_cast<int>(info.ssi_signo));
    siginfo_t done{};
    exited = waitid(P_PID, static_cast<id_t>(pid), &done, WEXITED | WNOHANG | WNOWAIT) == 0 &&
             done.si_pid == pid;
  }
  if (pidfd >= 0) close(pidfd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WTERMSIG(status);
  // Only a fault can come from a denied essential call (glibc's hlt after exit_group, a
  // handler returning into garbage, SIGSYS from a KILL or TRAP action); SIGTERM or SIGKILL
  // came from someone.
  bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGSYS || sig == SIGFPE ||
               sig == SIGTRAP;
  if (fault)
    std::fprintf(stderr, "syscope: %s was killed by %s; the profile %s: allow %s in %s\n",
                 printable(cmd).c_str(), syscalls::signal_name(static_cast<uint32_t>(sig)).c_str(),
                 denial_text(denials).c_str(), denials.size() == 1 ? "it" : "them",
                 profile_path.c_str());
  return 128 + sig;
}

void run_exec(const ExecOptions &opts) {
  std::vector<std::string> warnings;
  seccomp::Profile profile = seccomp::load_docker_profile(opts.profile, &warnings);
  seccomp::CompiledFilter filter;
  try {
    filter = seccomp::compile_profile(profile, {.runc_enosys = !opts.no_runc_enosys});
  } catch (const Error &e) {
    throw Error(e.code, opts.profile + ": " + e.what());
  }
  for (const auto &warning : warnings)
    std::fprintf(stderr, "syscope: warning: %s\n", warning.c_str());
  // At most ten names, then a count: a profile of made-up names must not flood the terminal.
  constexpr size_t kShownNames = 10;
  const auto &skipped = filter.skipped_names;
  for (size_t i = 0; i < skipped.size() && i < kShownNames; ++i)
    std::fprintf(stderr, "syscope: warning: unknown syscall \"%s\" in %s: skipped\n",
                 printable(skipped[i]).c_str(), opts.profile.c_str());
  if (skipped.size() > kShownNames)
    std::fprintf(stderr, "syscope: warning: %zu more unknown syscalls in %s: skipped\n",
                 skipped.size() - kShownNames, opts.profile.c_str());
  if (opts.verbose) {
    if (profile.default_errno_ret)
      std::fprintf(stderr,
                   "syscope: %s: defaultErrnoRet ignored, as Docker 20.10 ignores it: the "
                   "default action's errno is EPERM\n",
                   opts.profile.c_str());
    for (const auto &rule : filter.skipped_rules)
      std::fprintf(stderr, "syscope: %s: rule %s: skipped\n", opts.profile.c_str(),
                   printable(rule).c_str());
    std::fprintf(stderr, "syscope: filter: %zu instructions, %zu of them runc's ENOSYS stub\n",
                 filter.bpf.size() / sizeof(sock_filter), filter.stub_instructions);
  }

  // Resolved before the filter goes on, so that it sees no failed execve per PATH entry.
  const std::string &cmd = opts.command.front();
  std::string path = process::resolve_command(cmd);
  if (opts.verbose) std::fprintf(stderr, "syscope: exec %s\n", printable(path).c_str());

  std::vector<seccomp::EssentialDenial> denials = seccomp::essential_denials(profile);
  if (!denials.empty())
    std::fprintf(stderr, "syscope: warning: %s %s: %s may crash or hang\n", opts.profile.c_str(),
                 denial_text(denials).c_str(), printable(cmd).c_str());

  std::vector<char *> argv;
  for (const auto &arg : opts.command) argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);

  // A profile that lets CMD end normally: syscope becomes CMD, as before. Otherwise CMD runs as
  // our child, so its death can be explained.
  if (denials.empty()) exec_filtered(path, argv, cmd, filter);
  g_exit_status = run_watched(path, argv, cmd, filter, opts.profile, denials);
}

}  // namespace

void setup_exec(CLI::App &app) {
  auto opts = std::make_shared<ExecOptions>();
  CLI::App *sub = app.add_subcommand(
      "exec", "Run CMD under a Docker-format seccomp profile, compiled as Docker and runc would");
  sub->add_option("--profile", opts->profile, "Docker-format seccomp profile (JSON)")
      ->required()
      ->type_name("FILE");
  sub->add_flag("--no-runc-enosys", opts->no_runc_enosys,
                "Leave out runc's ENOSYS stub: numbers above the profile's highest get the "
                "default action too");
  sub->add_flag("-v,--verbose", opts->verbose,
                "Report rules includes/excludes left out and the filter's size");
  sub->add_option("command", opts->command, "The command and its arguments, after --")
      ->required()
      ->type_name("CMD [ARGS...]");
  // Everything from CMD on is CMD's, even when it looks like one of our flags (ls -l).
  sub->positionals_at_end();
  sub->footer(
      "The filter is installed right before execve, with no_new_privs set, so no root is "
      "needed.\nLike runc, when the default action is neither SCMP_ACT_ALLOW nor SCMP_ACT_LOG, "
      "syscalls numbered\nabove the highest one the profile names (per architecture) fail with "
      "ENOSYS instead of\nthe default action, so that programs fall back from calls newer than "
      "the profile\n(clone3 -> clone, faccessat2 -> faccessat). --no-runc-enosys turns that off.\n"
      "Unknown syscall names are warned about and skipped, as Docker does; so are unknown keys.\n"
      "A profile that denies exit_group, exit or rt_sigreturn is warned about, and CMD then runs\n"
      "as a child, so that a death it causes is explained. Exit status: CMD's (128+N for signal\n"
      "N); 2 for a bad profile, 126/127 when CMD cannot run.");
  sub->callback([opts] { run_exec(*opts); });
}

}  // namespace syscope::cli
