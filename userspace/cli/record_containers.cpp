// SPDX-License-Identifier: Apache-2.0
// syscope record --container NAME_OR_ID...: the kernel side records every cgroup from the moment
// recording starts; containers are tied to their cgroups by the cgroup_mkdir events' paths, so
// one that starts later and lives 50 ms is still profiled from its first syscall.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "record_options.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_follower.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/syscall_recorder.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/record/container_tracker.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/runtime_gap.hpp"

namespace syscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

using Target = container::ContainerFollower::Target;

struct RecordState {     // what record keeps beside each target
  bool adopted = false;  // already running when recording began
  bool api_warned = false;
};

bool is_writable_dir(const std::string &dir) { return access(dir.c_str(), W_OK | X_OK) == 0; }

void warn_once_by_id(const Target &target, RecordState &state) {
  if (!target.by_id_only || state.api_warned) return;
  std::fprintf(stderr, "syscope: warning: %s; recording %s by its id alone\n",
               target.api_error.c_str(), container::short_id(target.query).c_str());
  state.api_warned = true;
}

bool finished(Target &target, RecordState &state, container::ContainerFollower &follower,
              record::ContainerTracker &tracker, const std::string &mount,
              const std::function<void()> &catch_up) {
  if (!target.meta) {
    follower.look_up(target);
    warn_once_by_id(target, state);
    if (!target.meta) return false;
  }
  const auto *tracked = tracker.find(target.meta->id);
  if (!tracked) {
    // Not seen starting: already running (adopt it), or created and not started yet.
    if (!follower.look_up(target, true)) return false;  // known by id only: cannot tell
    if (!target.meta->running || target.meta->pid <= 0) return false;
    // Its cgroup_mkdir event precedes the start the API just reported: read the events once
    // more before deciding that it was running before we were.
    catch_up();
    if (tracker.find(target.meta->id)) return false;
    if (auto path = follower.running_cgroup_path(target); path && tracker.adopt(mount, *path))
      state.adopted = true;
    return false;
  }
  return tracked->removed;
}

std::string output_for(const RecordOptions &opts, const Target &target) {
  std::string name = target.meta ? target.meta->name : target.query;
  if (opts.containers.size() == 1)
    return opts.output.empty() ? "seccomp-" + name + ".json" : opts.output;
  return (opts.output.empty() ? std::string(".") : opts.output) + "/" + name + ".json";
}

}  // namespace

void run_record_containers(RecordOptions &opts) {
  auto store = bpf::bitmap_store_from_string(opts.bitmap_store);
  if (opts.containers.size() > 1 && !opts.output.empty() && !is_writable_dir(opts.output))
    throw Error(Exit::usage,
                "with several --container, -o must be a writable directory: " + opts.output);
  // Each profile's file is made, with its room reserved, as soon as its name is known: now when
  // -o names the one file, before the recording when the container is known already, else when
  // it is first seen. So a bad path or a full filesystem fails before the recording, not after.
  std::unique_ptr<util::AtomicFile> named_output;
  if (opts.containers.size() == 1 && !opts.output.empty())
    named_output = std::make_unique<util::AtomicFile>(opts.output, kProfileOutput);
  bpf::require_bpf_environment();
  std::string mount = cgroup::cgroup2_mount();
  bpf::route_libbpf_log(opts.verbose);
  resolve_record_args(opts, store);
  bpf::SyscallRecorder recorder(
      {.store = store, .track_denials = true, .record_args = opts.record_args});
  auto api = docker::DockerClient::from_environment(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  record::ContainerTracker tracker;
  container::ContainerFollower follower(api, opts.containers);
  auto &targets = follower.targets();
  std::vector<RecordState> states(targets.size());
  std::vector<std::unique_ptr<util::AtomicFile>> outputs(targets.size());
  if (named_output) outputs[0] = std::move(named_output);
  auto reserve_outputs = [&] {
    for (size_t i = 0; i < targets.size(); ++i)
      if (!outputs[i] && targets[i].meta)
        outputs[i] =
            std::make_unique<util::AtomicFile>(output_for(opts, targets[i]), kProfileOutput);
  };
  reserve_outputs();

  process::SignalRouter signals;
  std::fprintf(stderr, "syscope: recording; waiting for %s\n", join(opts.containers, ", ").c_str());
  auto started = Clock::now();
  auto wait_deadline = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(opts.wait_s));
  std::optional<Clock::time_point> deadline;
  if (opts.duration_s > 0)
    deadline = started + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(opts.duration_s));
  auto catch_up = [&] {
    recorder.drain();
    tracker.update(recorder);
  };
  auto all_finished = [&] {
    bool all = true;
    for (size_t i = 0; i < targets.size(); ++i) {
      auto &target = targets[i];
      bool done = finished(target, states[i], follower, tracker, mount, catch_up);
      reserve_outputs();
      if (done) continue;
      all = false;
      bool seen = target.meta && tracker.find(target.meta->id);
      if (!seen && Clock::now() > wait_deadline)
        throw Error(Exit::environment,
                    "container " + target.query +
                        (target.meta ? " exists but did not run" : " did not appear") + " within " +
                        std::to_string(static_cast<int>(opts.wait_s)) + " s");
    }
    return all;
  };
  process::serve_until(signals, recorder.poll_fd(), catch_up, all_finished, deadline);
  catch_up();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (opts.verbose)
    for (const auto &[id, life] : recorder.cgroups())
      std::fprintf(stderr, "syscope: cgroup %llu %s%s\n", static_cast<unsigned long long>(id),
                   life.path.c_str(), life.removed ? " (removed)" : "");

  int missing = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto &target = targets[i];
    const auto *tracked = target.meta ? tracker.find(target.meta->id) : nullptr;
    if (!tracked) {
      std::fprintf(stderr, "syscope: container %s never ran while recording: no profile\n",
                   target.query.c_str());
      ++missing;
      continue;
    }
    profile::CgroupCalls calls;
    for (uint64_t cgroup_id : tracked->cgroup_ids) {
      // cgroup storage is keyed by the directory: open it while it is still there.
      int fd = -1;
      auto it = recorder.cgroups().find(cgroup_id);
      std::string path =
          it != recorder.cgroups().end() ? it->second.path : tracked->ref.container_path;
      if (it == recorder.cgroups().end() || !it->second.removed)
        fd = open((mount + path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      calls.merge(recorder.calls_of(cgroup_id, fd));
      if (fd >= 0) close(fd);
    }
    if (opts.verbose) {
      static const char *set_names[] = {"setup without filter", "workload without filter",
                                        "runtime gap (filtered, before exec)",
                                        "workload (filtered)"};
      for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set)
        for (const auto &named : calls.sets[set].named())
          std::fprintf(stderr, "syscope: %s: %s: %s\n", target.query.c_str(), set_names[set],
                       join(named.names, " ").c_str());
    }
    auto composed = profile::compose_container_profile(calls, record::runtime_gap_names(),
                                                       seccomp::DockerDefault::for_this_host(),
                                                       argument_recording(opts, recorder.losses()));
    reserve_outputs();
    auto &output = *outputs[i];
    warn_if_large(record::write_profile(composed.built.profile, opts.format, output));
    if (states[i].adopted)
      composed.notes.push_back("it was already running when recording began: calls made before "
                               "then are not in the profile");
    print_container_summary(target.meta->name + " " + container::short_id(target.meta->id),
                            composed, seconds, output.path(), recorder.losses());
  }
  if (missing)
    throw Error(Exit::environment, std::to_string(missing) + " container(s) not recorded");
}

}  // namespace syscope::cli
