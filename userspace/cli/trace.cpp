// SPDX-License-Identifier: Apache-2.0
// syscope trace -o FILE (-- CMD | --container NAME...): every syscall of the selected cgroups
// into a crash-safe trace file; `trace show` and `trace stats` read it back.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "syscope/bpf_environment.hpp"
#include "syscope/command_path.hpp"
#include "syscope/descendant_wait.hpp"
#include "syscope/docker_client.hpp"
#include "syscope/error.hpp"
#include "syscope/mountinfo.hpp"
#include "syscope/scoped_cgroup.hpp"
#include "syscope/trace_file.hpp"
#include "syscope/trace_recorder.hpp"
#include "syscope/trace_show.hpp"
#include "syscope/trace_stats.hpp"

namespace syscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct TraceOptions {
  std::string output;
  std::vector<std::string> containers;
  double duration_s = 0;
  std::string max_size;  // "100M", "2G", bytes
  std::string docker_socket;
  bool verbose = false;
  std::vector<std::string> command;
};

uint64_t parse_size(const std::string &text) {
  if (text.empty()) return 0;
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (...) {
    throw Error(Exit::usage, "--max-size: not a size: " + text);
  }
  std::string unit = text.substr(used);
  double scale = unit.empty() || unit == "B" ? 1 : unit == "K" || unit == "KiB" ? 1024.0
                 : unit == "M" || unit == "MiB" ? 1024.0 * 1024 : unit == "G" || unit == "GiB" ? 1024.0 * 1024 * 1024 : -1;
  if (scale < 0 || value <= 0) throw Error(Exit::usage, "--max-size: not a size: " + text + " (e.g. 500M)");
  return static_cast<uint64_t>(value * scale);
}

int64_t clock_ns(clockid_t clock) {
  struct timespec ts {};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

trace::FileHeader make_header() {
  trace::FileHeader header;
  header.syscope_version = SYSCOPE_VERSION;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  header.hostname = host;
  struct utsname u {};
  uname(&u);
  header.kernel_release = u.release;
  header.machine = u.machine;
  header.boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
  header.created_wall_ns = static_cast<uint64_t>(clock_ns(CLOCK_REALTIME));
  return header;
}

nlohmann::json counters_json(const bpf::LossCounters &losses) {
  static const char *names[SYSCOPE_CNT_MAX] = {"ringbuf_full", "cgroup_full", "nr_range",
                                               "task_full", "denial_full", "user_read"};
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < SYSCOPE_CNT_MAX; ++i) j[names[i]] = losses.values[i];
  return j;
}

// Writes records as they come, a block at least once a second, the loss counters with every
// block; stops taking records once --max-size is reached (the file then ends with a note).
class TraceSession {
 public:
  TraceSession(const TraceOptions &opts, const trace::FileHeader &header)
      : recorder_([this](const void *data, size_t size) { take(data, size); }),
        writer_(opts.output, header, {parse_size(opts.max_size), true}) {}

  bpf::TraceRecorder &recorder() { return recorder_; }
  trace::TraceWriter &writer() { return writer_; }

  void pump() {
    recorder_.drain();
    if (Clock::now() - last_flush_ >= std::chrono::seconds(1)) flush();
  }
  void flush() {
    if (stopped_) return;
    writer_.add_json(trace::kRecordCounters, counters_json(recorder_.losses()));
    writer_.flush();
    last_flush_ = Clock::now();
  }
  // Takes what is left, writes the final counters and the end-of-trace marker.
  bpf::LossCounters finish() {
    recorder_.drain();
    auto losses = recorder_.losses();
    if (!stopped_) {
      writer_.add_json(trace::kRecordCounters, counters_json(losses));
      writer_.close();
    }
    return losses;
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
    writer_.add(hdr->type, data, size);
    ++records_;
    if (writer_.full()) {  // the writer keeps room for these last two records
      stopped_ = true;
      writer_.add_json(trace::kRecordNote, {{"text", "--max-size reached: recording stopped here"}});
      writer_.add_json(trace::kRecordCounters, counters_json(recorder_.losses()));
      writer_.close();
    }
  }

  bpf::TraceRecorder recorder_;  // first: the programs load before the file is created
  trace::TraceWriter writer_;
  Clock::time_point last_flush_ = Clock::now();
  uint64_t records_ = 0;
  uint64_t dropped_for_size_ = 0;
  bool stopped_ = false;
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
  bpf::require_bpf_environment();
  std::string parent = cgroup::cgroup2_mount() + cgroup::own_cgroup2_path();
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  bpf::route_libbpf_log(opts.verbose);
  TraceSession session(opts, make_header());
  auto cg = cgroup::ScopedCgroup::create_under(parent, "syscope-trace");
  session.recorder().trace_cgroup(cg.id());
  process::SignalRouter signals;
  auto started = Clock::now();
  int status = process::run_command_in(
      path, opts.command, [&cg](pid_t pid) { cg.add_process(pid); }, signals,
      session.recorder().poll_fd(), [&session] { session.pump(); });
  auto losses = session.finish();
  print_trace_summary(session, opts,
                      std::chrono::duration<double>(Clock::now() - started).count(), losses);
  g_exit_status = status;
}

// Running containers, named: their cgroups now (and new child cgroups, in the kernel).
void run_trace_containers(TraceOptions &opts) {
  bpf::require_bpf_environment();
  std::string mount = cgroup::cgroup2_mount();
  bpf::route_libbpf_log(opts.verbose);
  auto api = docker::DockerClient::from_environment(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  std::vector<docker::ContainerMetadata> targets;
  for (const auto &query : opts.containers) {
    auto found = api.inspect(query);
    if (!found.ok()) throw Error(Exit::environment, found.error);
    if (!found.value->running || found.value->pid <= 0)
      throw Error(Exit::environment, "container " + query + " is not running");
    targets.push_back(*found.value);
  }
  TraceSession session(opts, make_header());
  for (const auto &target : targets) {
    std::ifstream proc_cgroup("/proc/" + std::to_string(target.pid) + "/cgroup");
    auto path = cgroup::cgroup2_path_of(proc_cgroup);
    if (!path) throw Error(Exit::environment, "cannot find the cgroup of container " + target.name);
    struct stat st {};
    if (stat((mount + *path).c_str(), &st) != 0)
      throw Error(Exit::environment, "container " + target.name + " has gone");
    session.recorder().trace_cgroup(st.st_ino);
    session.writer().add_json(trace::kRecordContainer,
                              {{"cgroup_id", st.st_ino}, {"runtime", "docker"}, {"id", target.id},
                               {"name", target.name}, {"image", target.image}, {"labels", target.labels}});
  }
  process::SignalRouter signals;
  std::fprintf(stderr, "syscope: tracing %zu container(s) (Ctrl-C to stop)\n", targets.size());
  auto started = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (opts.duration_s > 0)
    deadline = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opts.duration_s));
  process::serve_until(signals, session.recorder().poll_fd(), [&session] { session.pump(); },
                       [] { return false; }, deadline);
  auto losses = session.finish();
  print_trace_summary(session, opts, std::chrono::duration<double>(Clock::now() - started).count(), losses);
}

}  // namespace

void setup_trace(CLI::App &app) {
  auto opts = std::make_shared<TraceOptions>();
  auto *cmd = app.add_subcommand(
      "trace", "Capture every syscall of CMD (run in a fresh cgroup) or of running containers into "
               "a crash-safe trace file; `trace show` / `trace stats` read it back.");
  cmd->add_option("-o,--output", opts->output, "Trace file to write");
  cmd->add_option("-c,--container", opts->containers, "Running container to trace (repeatable)");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds (containers)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-size", opts->max_size,
                  "Stop taking records (cleanly, with a note in the file) once it reaches this "
                  "size, e.g. 500M");
  cmd->add_option("--docker-socket", opts->docker_socket, "Docker API socket");
  cmd->add_flag("-v,--verbose", opts->verbose, "Show libbpf's log");
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
  show_cmd->add_option("--syscall", show->syscalls, "Only these syscalls (NAME,...)")->delimiter(',');
  show_cmd->add_option("--since", show->since,
                       "From this time: RFC 3339, a time of day (12:04:31.5), or +2.5s from the start");
  show_cmd->add_option("--until", show->until, "Up to this time (exclusive), same forms as --since");
  show_cmd->callback([show, show_path] { g_exit_status = trace::run_trace_show(*show_path, *show); });

  auto stats_path = std::make_shared<std::string>();
  auto stats_json = std::make_shared<bool>(false);
  auto *stats_cmd = cmd->add_subcommand("stats", "Counts per container, process and syscall; errors, denials, drops");
  stats_cmd->add_option("file", *stats_path, "Trace file")->required();
  stats_cmd->add_flag("--json", *stats_json, "One JSON document");
  stats_cmd->callback([stats_path, stats_json] { g_exit_status = trace::run_trace_stats(*stats_path, *stats_json); });

  cmd->callback([opts, cmd] {
    if (!cmd->get_subcommands().empty()) return;  // show / stats ran
    if (opts->output.empty()) throw Error(Exit::usage, "trace: -o FILE is required");
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
