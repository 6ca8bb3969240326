// SPDX-License-Identifier: Apache-2.0
// syscope trace -o FILE (-- CMD | --container NAME...): every syscall of the selected cgroups
// into a crash-safe trace file; `trace show` and `trace stats` read it back.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "command_cgroup.hpp"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/containers/container_follower.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/containers/scoped_cgroup.hpp"
#include "syscope/daemon/control_protocol.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/trace_recorder.hpp"
#include "syscope/process/command_path.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/trace/trace_file.hpp"
#include "syscope/trace/trace_show.hpp"
#include "syscope/trace/trace_stats.hpp"

namespace syscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct TraceOptions {
  std::string output;
  std::vector<std::string> containers;
  double duration_s = 0;
  double wait_s = 60;
  std::string max_size;  // "100M", "2G", bytes
  std::string docker_socket;
  bool verbose = false;
  std::vector<std::string> command;
  std::string daemon_container;  // --daemon CONTAINER
  std::string socket = ::syscope::daemon::default_socket_path();
};


// A block reaches the file within a second of its first record, however few records come: a
// record waits in the ring buffer up to one tick (the kernel side does not wake us for a trickle;
// the wait loop drains the ring every process::kServeTick), in the writer up to this long, and
// up to one more tick until pump() sees that; the rest of the second is slack for a late tick.
constexpr auto kMaxBlockAge = std::chrono::seconds(1) - 3 * process::kServeTick;

// Writes records as they come, a block within a second of its first record (kMaxBlockAge), the
// loss counters with every block; stops taking records once --max-size is reached (the file then
// ends with a note).
class TraceSession {
 public:
  // A write that fails (a full disk) ends the run at once, unless CMD runs: then the trace stops
  // with a warning and the error is thrown by rethrow_write_error() once CMD has ended, so
  // syscope neither kills the workload for want of disk nor leaves it running on its own.
  enum class OnWriteError { end_run, wait_for_command };
  TraceSession(const TraceOptions &opts, const trace::FileHeader &header,
               OnWriteError on_write_error = OnWriteError::end_run)
      : recorder_([this](const void *data, size_t size) { take(data, size); }),
        writer_(opts.output, header,
                {opts.max_size.empty() ? 0 : parse_max_size(opts.max_size), true}),
        on_write_error_(on_write_error) {}

  bpf::TraceRecorder &recorder() { return recorder_; }
  // Called for every cgroup v2 directory created while tracing (id, path), before any record of
  // it; returns false to drop that cgroup's records from the file.
  std::function<bool(uint64_t, const std::string &)> on_cgroup_created;
  trace::TraceWriter &writer() { return writer_; }

  // Called when the ring buffer wakes us and on every tick of the wait loop.
  void pump() {
    recorder_.drain();
    if (stopped_) return;
    auto age = writer_.pending_age();
    if (age && *age >= kMaxBlockAge)
      flush();
    else if (!age)
      writing([&] { writer_.flush(); });  // nothing waits: only the fdatasync that may be due
  }
  void flush() {
    if (stopped_) return;
    writing([&] {
      writer_.add_json(trace::kRecordCounters, bpf::to_json(recorder_.losses()));
      writer_.flush();
    });
  }
  // Takes what is left, writes the final counters and the end-of-trace marker.
  bpf::LossCounters finish() {
    recorder_.drain();
    auto losses = recorder_.losses();
    if (!stopped_)
      writing([&] {
        writer_.add_json(trace::kRecordCounters, bpf::to_json(losses));
        writer_.close();
      });
    return losses;
  }
  void rethrow_write_error() const {
    if (write_error_) throw *write_error_;
  }
  uint64_t records() const { return records_; }
  uint64_t dropped_for_size() const { return dropped_for_size_; }

 private:
  void take(const void *data, size_t size) {
    if (stopped_) {
      ++dropped_for_size_;
      return;
    }
    const auto *hdr = static_cast<const syscope_event_hdr *>(data);
    if (hdr->type == SYSCOPE_EV_CGROUP_MKDIR && size >= sizeof(syscope_cgroup_event) &&
        on_cgroup_created) {
      const auto *ev = static_cast<const syscope_cgroup_event *>(data);
      if (!on_cgroup_created(ev->cgroup_id,
                             std::string(ev->path, strnlen(ev->path, sizeof ev->path))))
        dropped_cgroups_.insert(ev->cgroup_id);
    }
    if (!dropped_cgroups_.empty() && size >= sizeof(syscope_event_hdr) + sizeof(uint64_t) &&
        hdr->type != SYSCOPE_EV_CGROUP_MKDIR && hdr->type != SYSCOPE_EV_CGROUP_RMDIR) {
      // Every trace record carries its cgroup id right after the header.
      uint64_t cgroup_id;
      std::memcpy(&cgroup_id, static_cast<const char *>(data) + sizeof(syscope_event_hdr),
                  sizeof cgroup_id);
      if (dropped_cgroups_.count(cgroup_id)) return;
    }
    writing([&] {
      writer_.add(hdr->type, data, size);
      ++records_;
      if (writer_.full()) {  // the writer keeps room for these last two records
        stopped_ = true;
        writer_.add_json(trace::kRecordNote,
                         {{"text", "--max-size reached: recording stopped here"}});
        writer_.add_json(trace::kRecordCounters, bpf::to_json(recorder_.losses()));
        writer_.close();
      }
    });
  }

  template <typename Write> void writing(Write write) {
    try {
      write();
    } catch (const Error &e) {
      if (on_write_error_ == OnWriteError::end_run) throw;
      stopped_ = true;
      write_error_ = e;
      std::fprintf(stderr,
                   "syscope: warning: the trace stopped (%s): CMD runs on untraced, and syscope "
                   "waits for it to end\n",
                   e.what());
    }
  }

  bpf::TraceRecorder recorder_;  // first: the programs load before the file is created
  trace::TraceWriter writer_;
  uint64_t records_ = 0;
  uint64_t dropped_for_size_ = 0;
  bool stopped_ = false;
  OnWriteError on_write_error_;
  std::optional<Error> write_error_;
  std::set<uint64_t> dropped_cgroups_;  // cgroups traced for a moment, found not to be wanted
};

void print_trace_summary(const TraceSession &session, const TraceOptions &opts, double seconds,
                         const bpf::LossCounters &losses) {
  std::fprintf(stderr, "syscope: %llu records in %.2f s -> %s%s%s%s\n",
               static_cast<unsigned long long>(session.records()), seconds, opts.output.c_str(),
               session.dropped_for_size() ? " (stopped at --max-size; later records not kept)" : "",
               losses.any() ? "; kernel counted losses: " : "", losses.describe().c_str());
}

void run_trace_command(TraceOptions &opts) {
  std::string path = process::resolve_command(opts.command[0]);
  bpf::require_bpf_environment();           // needs no BPF fd: checks BTF and capabilities
  auto watcher = prepare_command_cgroup();  // forks: before libbpf opens anything
  bpf::route_libbpf_log(opts.verbose);
  TraceSession session(opts, trace::local_file_header(),
                       TraceSession::OnWriteError::wait_for_command);
  auto cg = cgroup::ScopedCgroup::create_beside_self("syscope-trace");
  watcher.guard(cg.path());
  session.recorder().trace_cgroup(cg.id());
  process::SignalRouter signals;
  auto started = Clock::now();
  int status = process::run_command_in(
      path, opts.command, [&cg](pid_t pid) { cg.add_process(pid); }, signals,
      session.recorder().poll_fd(), [&session] { session.pump(); });
  auto losses = session.finish();
  if (auto left = session.recorder().left_cgroup(cg.id()))
    std::fprintf(stderr, "syscope: warning: %s\n", bpf::describe(*left, "trace").c_str());
  session.rethrow_write_error();
  print_trace_summary(session, opts, std::chrono::duration<double>(Clock::now() - started).count(),
                      losses);
  g_exit_status = status;
}

// Named containers: running ones from their cgroup now; ones that do not run yet from the
// moment their cgroup appears (the kernel's cgroup_mkdir event, within milliseconds: runc's
// first setup calls may come before). Their new child cgroups follow in the kernel.
void run_trace_containers(TraceOptions &opts) {
  bpf::require_bpf_environment();
  std::string mount = cgroup::cgroup2_mount();
  bpf::route_libbpf_log(opts.verbose);
  auto api = docker::DockerClient::from_environment(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  TraceSession session(opts, trace::local_file_header());
  container::ContainerFollower follower(api, opts.containers);
  auto &targets = follower.targets();
  std::vector<bool> traced(targets.size(), false);
  auto index_of = [&](const container::ContainerFollower::Target *t) {
    return static_cast<size_t>(t - targets.data());
  };
  std::map<std::string, uint64_t> created;  // container id -> its cgroup, from mkdir events
  // Docker's default parent cgroup (cgroupfs driver), when it exists: its new children are
  // traced from their creation on, so a container that starts later loses no syscall.
  bool watching_parent = false;
  struct stat parent_st {};
  if (stat((mount + "/docker").c_str(), &parent_st) == 0) {
    session.recorder().trace_cgroup(parent_st.st_ino);
    watching_parent = true;
  }

  auto start_tracing = [&](size_t i, uint64_t cgroup_id) {
    session.recorder().trace_cgroup(cgroup_id);
    const auto &m = *targets[i].meta;
    session.writer().add_json(trace::kRecordContainer, {{"cgroup_id", cgroup_id},
                                                        {"runtime", "docker"},
                                                        {"id", m.id},
                                                        {"name", m.name},
                                                        {"image", m.image},
                                                        {"labels", m.labels}});
    traced[i] = true;
    std::fprintf(stderr, "syscope: tracing %s (%s)\n", m.name.c_str(),
                 container::short_id(m.id).c_str());
  };
  // A container that does not run yet is traced from its first syscall: the kernel selects every
  // new child of the runtime's parent cgroup (e.g. /docker) as it is created, and here, at its
  // cgroup_mkdir, each new container is asked about and kept or dropped (then untraced and its
  // records, which come after the mkdir, left out of the file).
  session.on_cgroup_created = [&](uint64_t cgroup_id, const std::string &path) {
    auto ref = container::container_from_cgroup_path(path);
    if (!ref) return !watching_parent;
    if (ref->path != ref->container_path)  // nested: kept with its container
      return std::any_of(targets.begin(), targets.end(), [&](const auto &t) {
        return traced[index_of(&t)] && t.meta && t.meta->id == ref->id;
      });
    created[ref->id] = cgroup_id;
    if (auto *target = follower.owner_of_new(*ref)) {
      // Already traced: found running by find_targets before this mkdir was read (dockerd
      // answers an inspect only once the start is done, and the mkdir waits in the ring
      // meanwhile). Either way its records are kept.
      if (!traced[index_of(target)]) start_tracing(index_of(target), cgroup_id);
      return true;
    }
    if (watching_parent) session.recorder().untrace_cgroup(cgroup_id);
    return !watching_parent;
  };
  auto find_targets = [&] {
    for (size_t i = 0; i < targets.size(); ++i) {
      auto &target = targets[i];
      if (traced[i]) continue;
      follower.look_up(target, /*refresh=*/target.meta.has_value());  // running yet?
      if (!target.meta) continue;
      if (auto it = created.find(target.meta->id); it != created.end()) {
        start_tracing(i, it->second);
      } else if (auto path = container::ContainerFollower::running_cgroup_path(target)) {
        struct stat st {};
        if (stat((mount + *path).c_str(), &st) == 0) start_tracing(i, st.st_ino);
      }
    }
  };
  find_targets();
  if (watching_parent && std::all_of(traced.begin(), traced.end(), [](bool t) { return t; }))
    session.recorder().untrace_cgroup(parent_st.st_ino);  // all running: no need to watch for more
  process::SignalRouter signals;
  std::fprintf(stderr,
               "syscope: recording a trace; waiting for %zu container(s) (Ctrl-C to stop)\n",
               targets.size());
  auto started = Clock::now();
  auto wait_deadline = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(opts.wait_s));
  std::optional<Clock::time_point> deadline;
  if (opts.duration_s > 0)
    deadline = started + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(opts.duration_s));
  auto last_lookup = Clock::now();
  process::serve_until(
      signals, session.recorder().poll_fd(), [&session] { session.pump(); },
      [&] {
        if (Clock::now() - last_lookup >= std::chrono::milliseconds(100)) {
          find_targets();
          last_lookup = Clock::now();
        }
        for (size_t i = 0; i < targets.size(); ++i)
          if (!traced[i] && Clock::now() > wait_deadline)
            throw Error(Exit::environment,
                        "container " + targets[i].query + " did not start within " +
                            std::to_string(static_cast<int>(opts.wait_s)) + " s");
        return false;
      },
      deadline);
  auto losses = session.finish();
  print_trace_summary(session, opts, std::chrono::duration<double>(Clock::now() - started).count(),
                      losses);
}

}  // namespace

void setup_trace(CLI::App &app) {
  auto opts = std::make_shared<TraceOptions>();
  auto *cmd = app.add_subcommand(
      "trace", "Capture every syscall of CMD (run in a fresh cgroup) or of running containers into "
               "a crash-safe trace file; `trace show` / `trace stats` read it back.");
  cmd->add_option("-o,--output", opts->output, "Trace file to write");
  cmd->add_option("-c,--container", opts->containers,
                  "Container to trace, running or about to start (repeatable)");
  cmd->add_option("--duration", opts->duration_s,
                  "Stop after this many seconds (containers; else Ctrl-C)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--wait", opts->wait_s,
                  "Seconds to wait for a named container that does not run yet (default 60)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-size", opts->max_size,
                  "Stop taking records (cleanly, with a note in the file) once it reaches this "
                  "size, e.g. 500M, 64k, 2GiB (binary units; default: no limit)");
  cmd->add_option("--docker-socket", opts->docker_socket, "Docker API socket");
  cmd->add_flag("-v,--verbose", opts->verbose, "Show libbpf's log");
  cmd->add_option("--daemon", opts->daemon_container,
                  "Trace this running container through the syscope daemon (its programs, "
                  "streamed over its socket); this side only writes the file");
  cmd->add_option("--socket", opts->socket, "The daemon's control socket (with --daemon)")
      ->capture_default_str();
  cmd->add_option("command", opts->command, "CMD [ARGS...], after --");
  cmd->positionals_at_end();

  auto show = std::make_shared<trace::ShowOptions>();
  auto show_path = std::make_shared<std::string>();
  auto *show_cmd = cmd->add_subcommand("show", "Print a trace file, strace-like, or as JSON lines");
  show_cmd->add_option("file", *show_path, "Trace file")->required();
  show_cmd->add_flag("--json", show->json, "One JSON object per record");
  show_cmd->add_flag("--utc", show->utc, "Times in UTC instead of local time");
  show_cmd->add_option("--container", show->containers,
                       "Only this container (name, id prefix, or host; repeatable)");
  show_cmd->add_option("--pid", show->pids, "Only this pid or tid (repeatable)");
  show_cmd->add_option("--syscall", show->syscalls, "Only these syscalls (NAME,...)")
      ->delimiter(',');
  show_cmd->add_option(
      "--since", show->since,
      "From this time: RFC 3339, a time of day (12:04:31.5), or +2.5s from the start");
  show_cmd->add_option("--until", show->until,
                       "Up to this time (exclusive), same forms as --since");
  auto show_strict = std::make_shared<bool>(false);
  show_cmd->add_flag("--strict", *show_strict,
                     "Exit 1 when the trace is incomplete (no end block, or damaged)");
  show_cmd->callback([show, show_path, show_strict] {
    g_exit_status = run_trace_show(*show_path, *show, *show_strict);
  });

  auto stats_path = std::make_shared<std::string>();
  auto stats_json = std::make_shared<bool>(false);
  auto *stats_cmd = cmd->add_subcommand(
      "stats", "Counts per container, process and syscall; errors, denials, drops");
  stats_cmd->add_option("file", *stats_path, "Trace file")->required();
  stats_cmd->add_flag("--json", *stats_json, "One JSON document");
  auto stats_strict = std::make_shared<bool>(false);
  stats_cmd->add_flag("--strict", *stats_strict,
                      "Exit 1 when the trace is incomplete (no end block, or damaged)");
  stats_cmd->callback([stats_path, stats_json, stats_strict] {
    g_exit_status = run_trace_stats(*stats_path, *stats_json, *stats_strict);
  });

  cmd->callback([opts, cmd] {
    if (!cmd->get_subcommands().empty()) return;  // show / stats ran
    if (opts->output.empty()) throw Error(Exit::usage, "trace: -o FILE is required");
    // A binary trace on stdout would mix with CMD's own output there: refused, not guessed.
    if (opts->output == "-")
      throw Error(Exit::usage, "trace: -o -: a trace is not written to stdout (CMD's output goes "
                               "there); give a file, and pipe it later if need be");
    if (!opts->max_size.empty()) parse_max_size(opts->max_size);  // before anything is loaded
    if (!opts->daemon_container.empty()) {
      if (!opts->containers.empty() || !opts->command.empty() || !opts->max_size.empty())
        throw Error(Exit::usage, "trace --daemon: takes no --container, --max-size or CMD");
      return run_trace_daemon(opts->daemon_container, opts->output, opts->duration_s, opts->socket);
    }
    if (!opts->containers.empty() && !opts->command.empty())
      throw Error(Exit::usage, "trace: give either --container or -- CMD, not both");
    if (!opts->containers.empty())
      run_trace_containers(*opts);
    else if (!opts->command.empty())
      run_trace_command(*opts);
    else
      throw Error(Exit::usage, "trace: nothing to trace (-- CMD [ARGS...] or --container NAME)");
  });
}

}  // namespace syscope::cli
