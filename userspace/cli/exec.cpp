// SPDX-License-Identifier: Apache-2.0
// `syscope exec`: runs a command under a Docker-format profile compiled as Docker and runc would,
// to try a profile without a container. The filter goes on right before execve.
#include <linux/filter.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/process/command_path.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::cli {
namespace {

struct ExecOptions {
  std::string profile;
  bool no_runc_enosys = false;
  bool verbose = false;
  std::vector<std::string> command;
};

void run_exec(const ExecOptions &opts) {
  seccomp::Profile profile = seccomp::load_docker_profile(opts.profile);
  seccomp::CompiledFilter filter;
  try {
    filter = seccomp::compile_profile(profile, {.runc_enosys = !opts.no_runc_enosys});
  } catch (const Error &e) {
    throw Error(e.code, opts.profile + ": " + e.what());
  }
  for (const auto &name : filter.skipped_names)
    std::fprintf(stderr, "syscope: warning: unknown syscall \"%s\" in %s: skipped\n", name.c_str(),
                 opts.profile.c_str());
  if (opts.verbose) {
    if (profile.default_errno_ret)
      std::fprintf(stderr,
                   "syscope: %s: defaultErrnoRet ignored, as Docker 20.10 ignores it: the "
                   "default action's errno is EPERM\n",
                   opts.profile.c_str());
    for (const auto &rule : filter.skipped_rules)
      std::fprintf(stderr, "syscope: %s: rule %s: skipped\n", opts.profile.c_str(), rule.c_str());
    std::fprintf(stderr, "syscope: filter: %zu instructions, %zu of them runc's ENOSYS stub\n",
                 filter.bpf.size() / sizeof(sock_filter), filter.stub_instructions);
  }

  // Resolved before the filter goes on, so that it sees no failed execve per PATH entry.
  const std::string &cmd = opts.command.front();
  std::string path = process::resolve_command(cmd);
  if (opts.verbose) std::fprintf(stderr, "syscope: exec %s\n", path.c_str());

  std::vector<char *> argv;
  for (const auto &arg : opts.command) argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);

  // From here on every call is filtered: nothing but execve until CMD runs.
  seccomp::install_filter(filter);
  execv(path.c_str(), argv.data());
  int err = errno;
  // The filter may deny more than execve; one unbuffered write is all that is left to try.
  std::fprintf(stderr, "syscope: %s: execve under the profile failed: %s\n", cmd.c_str(),
               std::strerror(err));
  _exit(static_cast<int>(err == ENOENT ? Exit::not_found : Exit::cannot_execute));
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
      "Unknown syscall names are warned about and skipped, as Docker does. Exit status: CMD's;\n"
      "2 for a bad profile, 126/127 when CMD cannot run.");
  sub->callback([opts] { run_exec(*opts); });
}

}  // namespace syscope::cli
