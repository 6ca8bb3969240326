// SPDX-License-Identifier: Apache-2.0
// syscope record [-o FILE] [--format docker|oci] -- CMD [ARGS...]: runs CMD in a fresh cgroup v2
// child, records every syscall it and its descendants enter, and writes a minimal profile. When
// CMD starts containers (`syscope record -- docker run ...`), the profile is the container's.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "command_cgroup.hpp"
#include "record_options.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/containers/scoped_cgroup.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/syscall_recorder.hpp"
#include "syscope/process/command_path.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/record/container_tracker.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/runtime_gap.hpp"

namespace syscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string default_output(const std::string &command) {
  auto slash = command.rfind('/');
  return "seccomp-" + (slash == std::string::npos ? command : command.substr(slash + 1)) + ".json";
}

// The containers CMD started: wait until each has exited (its cgroup is removed), then write the
// profile of the first and, if there are more, say so. CMD's own calls are the CLI's, not the
// container's, and are left out.
void write_started_container_profile(RecordOptions &opts, bpf::SyscallRecorder &recorder,
                                     record::ContainerTracker &tracker,
                                     const process::SignalRouter &signals, util::AtomicFile &output,
                                     Clock::time_point started) {
  auto all_removed = [&tracker] {
    for (const auto &[id, container] : tracker.containers())
      if (!container.removed) return false;
    return true;
  };
  process::serve_until(
      signals, recorder.poll_fd(),
      [&] {
        recorder.drain();
        tracker.update(recorder);
      },
      all_removed, std::nullopt);
  const auto &[id, container] = *tracker.containers().begin();
  profile::CgroupCalls calls;
  for (uint64_t cgroup_id : container.cgroup_ids) calls.merge(recorder.calls_of(cgroup_id, -1));
  auto composed = profile::compose_container_profile(calls, record::runtime_gap_names(),
                                                     seccomp::DockerDefault::for_this_host(),
                                                     argument_recording(opts, recorder.losses()));
  warn_if_large(record::write_profile(composed.built.profile, opts.format, output));
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (tracker.containers().size() > 1)
    std::fprintf(stderr,
                 "syscope: warning: CMD started %zu containers; this profile is %s's, use "
                 "record --container for the others\n",
                 tracker.containers().size(), container::short_id(id).c_str());
  print_container_summary("container " + container::short_id(id), composed, seconds,
                          output.is_stdout() ? "stdout" : opts.output, recorder.losses());
}

// Only a container CLI's run is taken to start the containers that appear meanwhile: any other
// CMD is profiled itself, whatever else starts on the host at the same time.
bool starts_containers(const std::string &path) {
  std::string name = path.substr(path.rfind('/') + 1);
  return name == "docker" || name == "podman" || name == "nerdctl";
}

void run_record_command(RecordOptions &opts) {
  if (opts.output.empty()) opts.output = default_output(opts.command[0]);
  auto store = bpf::bitmap_store_from_string(opts.bitmap_store);

  // Everything that can fail is checked before CMD runs: its path, the output file, the host.
  std::string path = process::resolve_command(opts.command[0]);
  util::AtomicFile output(opts.output, kProfileOutput);
  bpf::require_bpf_environment();           // needs no BPF fd: checks BTF and capabilities
  auto watcher = prepare_command_cgroup();  // forks: before libbpf opens anything
  if (!output.temp_path().empty()) watcher.discard(output.temp_path());
  bpf::route_libbpf_log(opts.verbose);
  resolve_record_args(opts, store);
  bpf::SyscallRecorder recorder(
      {.store = store, .track_denials = opts.track_denials, .record_args = opts.record_args});
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-record");
  watcher.guard(cg.path());
  recorder.record_cgroup(cg.id());
  record::ContainerTracker tracker;
  bool watch_containers = starts_containers(path);

  process::SignalRouter signals;
  auto started = Clock::now();
  int status = process::run_command_in(
      path, opts.command, [&cg](pid_t pid) { cg.add_process(pid); }, signals, recorder.poll_fd(),
      [&] {
        recorder.drain();
        if (!watch_containers) return;
        // A container CMD starts: its seccomp verdicts matter from its first moments on.
        tracker.update(recorder);
        if (!tracker.containers().empty()) recorder.track_denials();
      });
  if (watch_containers) tracker.update(recorder);
  g_exit_status = status;
  if (auto left = recorder.left_cgroup(cg.id()))
    std::fprintf(stderr, "syscope: warning: %s\n", bpf::describe(*left, "profile").c_str());
  if (!tracker.containers().empty()) {
    write_started_container_profile(opts, recorder, tracker, signals, output, started);
    return;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  auto calls = recorder.calls_of(cg.id(), cg.dir_fd());
  auto built = profile::allow_list_profile(calls.all());
  auto recording = argument_recording(opts, recorder.losses());
  std::vector<std::string> notes;
  if (recording.recorded) {
    profile::NarrowOptions narrow;
    narrow.complete = recording.complete;
    notes = profile::narrow_by_arguments(built.profile, calls, calls.all(), narrow).notes;
  }
  if (opts.verbose)
    std::fprintf(stderr, "syscope: bitmap store %s, cgroup %s (id %llu)\n",
                 bpf::to_string(recorder.store()), cg.path().c_str(),
                 static_cast<unsigned long long>(cg.id()));
  warn_if_large(record::write_profile(built.profile, opts.format, output));
  // After the write, with the summary (as for a container): a write that fails is one line.
  for (const auto &note : notes)
    std::fprintf(stderr, "syscope: %s: %s\n", opts.command[0].c_str(), note.c_str());
  print_record_summary(opts.command[0], built, seconds, output.is_stdout() ? "stdout" : opts.output,
                       recorder.losses());
}

}  // namespace

void warn_if_large(const std::optional<std::string> &size_warning) {
  if (size_warning) std::fprintf(stderr, "syscope: warning: %s\n", size_warning->c_str());
}

ArgsDecision decide_record_args(ArgsFlag flag, bpf::BitmapStore store,
                                bool kernel_has_cgroup_storage) {
  if (flag != ArgsFlag::by_default) return {flag == ArgsFlag::on, std::nullopt};
  if (store == bpf::BitmapStore::hash) return {false, "--bitmap-store hash keeps no arguments"};
  if (store == bpf::BitmapStore::automatic && !kernel_has_cgroup_storage)
    return {false, "this kernel has no cgroup storage (BPF_MAP_TYPE_CGRP_STORAGE, Linux 6.2+)"};
  return {true, std::nullopt};
}

void resolve_record_args(RecordOptions &opts, bpf::BitmapStore store) {
  // Probed only when the answer matters: a libbpf map probe, after the checks of the host.
  bool probe = opts.args == ArgsFlag::by_default && store == bpf::BitmapStore::automatic;
  auto decision = decide_record_args(opts.args, store, probe && bpf::kernel_has_cgroup_storage());
  opts.record_args = decision.record_args;
  if (decision.names_only_why)
    std::fprintf(stderr,
                 "syscope: note: %s: recording syscall names only, without argument rules\n",
                 decision.names_only_why->c_str());
}

profile::ArgumentRecording argument_recording(const RecordOptions &opts,
                                              const bpf::LossCounters &losses) {
  return {opts.record_args, losses.values[SYSCOPE_CNT_RINGBUF_FULL] == 0};
}

std::string join(const std::vector<std::string> &items, const char *sep) {
  std::string text;
  for (const auto &item : items) text += (text.empty() ? "" : sep) + item;
  return text;
}

void print_record_summary(const std::string &label, const profile::BuiltProfile &built,
                          double seconds, const std::string &written_to,
                          const bpf::LossCounters &losses) {
  if (!built.unnamed.empty())
    std::fprintf(stderr,
                 "syscope: warning: libseccomp has no name for syscall %s: a Docker profile can "
                 "only list names, so the profile denies %s\n",
                 join(built.unnamed, ", ").c_str(), built.unnamed.size() == 1 ? "it" : "them");
  std::string essentials =
      built.added_essentials.empty()
          ? ""
          : "; also allows " + join(built.added_essentials, ", ") + " (every process needs them)";
  std::fprintf(stderr, "syscope: %s: %zu syscalls (%s) in %.2f s -> %s%s%s%s\n", label.c_str(),
               built.syscall_count, join(built.architectures, ", ").c_str(), seconds,
               written_to.c_str(), essentials.c_str(),
               losses.any() ? "; kernel counted losses (all cgroups): " : "",
               losses.describe().c_str());
}

void print_container_summary(const std::string &label, const profile::ContainerProfile &composed,
                             double seconds, const std::string &written_to,
                             const bpf::LossCounters &losses) {
  auto comparison = seccomp::DockerDefault::for_this_host().compare(composed.built.profile);
  for (const auto &note : composed.notes)
    std::fprintf(stderr, "syscope: %s: %s\n", label.c_str(), note.c_str());
  for (const auto &note : comparison.notes)
    std::fprintf(stderr, "syscope: %s: %s\n", label.c_str(), note.c_str());
  print_record_summary(label + " (" +
                           (composed.recorded_under_filter ? "recorded under a seccomp filter"
                                                           : "recorded without a filter") +
                           "; " + comparison.summary + ")",
                       composed.built, seconds, written_to, losses);
}

void setup_record(CLI::App &app) {
  auto opts = std::make_shared<RecordOptions>();
  auto *cmd = app.add_subcommand(
      "record",
      "Record the syscalls of CMD (run in a fresh cgroup, with its descendants; exits with CMD's "
      "status) or of running/future containers (--container), and write minimal seccomp profiles.");
  cmd->add_option("-o,--output", opts->output,
                  "Profile file (default seccomp-<CMD or container>.json; - for stdout); with "
                  "several --container, a directory");
  cmd->add_option("--format", opts->format, "Profile format: docker, or oci (linux.seccomp)")
      ->check(CLI::IsMember({"docker", "oci"}));
  cmd->add_option("-c,--container", opts->containers,
                  "Container name or id to record, from its first syscall (repeatable)");
  cmd->add_option("--duration", opts->duration_s,
                  "Stop after this many seconds (default: when the containers exit)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--wait", opts->wait_s,
                  "Seconds to wait for a container that does not exist yet (default 60)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--docker-socket", opts->docker_socket,
                  "Docker API socket (default: $DOCKER_HOST, else /var/run/docker.sock)");
  cmd->add_option("--bitmap-store", opts->bitmap_store,
                  "Kernel map of per-cgroup bitmaps: auto, cgroup-storage (kernel >= 6.2), hash")
      ->check(CLI::IsMember({"auto", "cgroup-storage", "hash"}));
  cmd->add_flag("-v,--verbose", opts->verbose, "Show libbpf's log and recording details");
  cmd->add_flag("--denials", opts->track_denials,
                "Also detect calls a seccomp filter CMD runs under refused (watches sys_exit); "
                "on by itself for containers");
  auto *args = cmd->add_flag_callback(
      "--args", [opts] { opts->args = ArgsFlag::on; },
      "Argument-aware profile (the default; this flag makes it required, failing where the kernel "
      "cannot): also record the values of socket's family and type, clone's namespace flags, "
      "ioctl's request and the other tracked arguments, and allow those calls only with the "
      "values used");
  auto *no_args = cmd->add_flag_callback(
      "--no-args", [opts] { opts->args = ArgsFlag::off; },
      "Names-only profile: record no argument values");
  args->excludes(no_args);
  cmd->add_option("command", opts->command, "CMD [ARGS...], after --");
  cmd->positionals_at_end();
  cmd->callback([opts] {
    if (!opts->containers.empty() && !opts->command.empty())
      throw Error(Exit::usage, "record: give either --container or -- CMD, not both");
    if (!opts->containers.empty())
      run_record_containers(*opts);
    else if (!opts->command.empty())
      run_record_command(*opts);
    else
      throw Error(Exit::usage, "record: nothing to record (-- CMD [ARGS...] or --container NAME)");
  });
}

}  // namespace syscope::cli
