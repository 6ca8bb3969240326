// SPDX-License-Identifier: Apache-2.0
// syscope record [-o FILE] [--format docker] -- CMD [ARGS...]: runs CMD in a fresh cgroup v2
// child, records every syscall it and its descendants enter, and writes a minimal profile.
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "syscope/atomic_file.hpp"
#include "syscope/bpf_environment.hpp"
#include "syscope/command_path.hpp"
#include "syscope/descendant_wait.hpp"
#include "syscope/error.hpp"
#include "syscope/held_child.hpp"
#include "syscope/mountinfo.hpp"
#include "syscope/profile_builder.hpp"
#include "syscope/profile_json.hpp"
#include "syscope/scoped_cgroup.hpp"
#include "syscope/seccomp_filter.hpp"
#include "syscope/syscall_recorder.hpp"

namespace syscope::cli {
namespace {

struct RecordOptions {
  std::string output;
  std::string format = "docker";
  std::string bitmap_store = "auto";
  bool verbose = false;
  std::vector<std::string> command;
};

std::string default_output(const std::string &command) {
  auto slash = command.rfind('/');
  return "seccomp-" + (slash == std::string::npos ? command : command.substr(slash + 1)) + ".json";
}

std::string join(const std::vector<std::string> &items, const char *sep) {
  std::string text;
  for (const auto &item : items) text += (text.empty() ? "" : sep) + item;
  return text;
}

void run_record(RecordOptions &opts) {
  if (opts.command.empty()) throw Error(Exit::usage, "record: no command given (syscope record -- CMD [ARGS...])");
  if (opts.output.empty()) opts.output = default_output(opts.command[0]);
  auto store = bpf::bitmap_store_from_string(opts.bitmap_store);

  // Everything that can fail is checked before CMD runs: its path, the output file, the host.
  std::string path = process::resolve_command(opts.command[0]);
  util::AtomicFile output(opts.output);
  bpf::require_bpf_environment();
  std::string parent = cgroup::cgroup2_mount() + cgroup::own_cgroup2_path();
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  bpf::route_libbpf_log(opts.verbose);
  bpf::SyscallRecorder recorder({.store = store});
  auto cg = cgroup::ScopedCgroup::create_under(parent, "syscope-record");

  // Descendants that outlive their parents are re-parented to us, so "all have exited" is
  // simply waitpid() reporting ECHILD.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw Error(Exit::environment, "prctl(PR_SET_CHILD_SUBREAPER): " + errno_text(errno));
  process::SignalRouter signals;
  process::HeldChild child(path, opts.command, signals.original_mask());
  cg.add_process(child.pid());
  auto started = std::chrono::steady_clock::now();
  child.release();

  int status = process::wait_for_descendants(child.pid(), signals, recorder.poll_fd(),
                                              [&recorder] { recorder.drain(); });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  auto built = profile::allow_list_profile(recorder.calls_of(cg.id(), cg.dir_fd()).all());
  auto losses = recorder.losses();
  if (opts.verbose)
    std::fprintf(stderr, "syscope: bitmap store %s, cgroup %s (id %llu)\n", bpf::to_string(recorder.store()),
                 cg.path().c_str(), static_cast<unsigned long long>(cg.id()));
  seccomp::compile_profile(built.profile);  // never write a profile libseccomp rejects
  output.commit(seccomp::to_docker_json(built.profile));

  if (!built.unnamed.empty())
    std::fprintf(stderr,
                 "syscope: warning: libseccomp has no name for syscall %s: a Docker profile can "
                 "only list names, so the profile denies %s\n",
                 join(built.unnamed, ", ").c_str(), built.unnamed.size() == 1 ? "it" : "them");
  std::fprintf(stderr, "syscope: %zu syscalls (%s) in %.2f s -> %s%s%s\n", built.syscall_count,
               join(built.architectures, ", ").c_str(), seconds,
               output.is_stdout() ? "stdout" : opts.output.c_str(),
               losses.any() ? "; kernel counted losses: " : "", losses.describe().c_str());
  g_exit_status = status;
}

}  // namespace

void setup_record(CLI::App &app) {
  auto opts = std::make_shared<RecordOptions>();
  auto *cmd = app.add_subcommand(
      "record", "Run CMD in a fresh cgroup, record every syscall it and its descendants make, and "
                "write a minimal seccomp profile. Exits with CMD's exit status.");
  cmd->add_option("-o,--output", opts->output,
                  "Profile file to write (default: seccomp-<CMD>.json; - for stdout)");
  cmd->add_option("--format", opts->format, "Profile format")->check(CLI::IsMember({"docker"}));
  cmd->add_option("--bitmap-store", opts->bitmap_store,
                  "Kernel map holding per-cgroup bitmaps: auto, cgroup-storage (kernel >= 6.2) or hash")
      ->check(CLI::IsMember({"auto", "cgroup-storage", "hash"}));
  cmd->add_flag("-v,--verbose", opts->verbose, "Show libbpf's log and recording details");
  cmd->add_option("command", opts->command, "CMD [ARGS...], after --")->required();
  cmd->positionals_at_end();
  cmd->callback([opts] { run_record(*opts); });
}

}  // namespace syscope::cli
