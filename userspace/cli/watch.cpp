// SPDX-License-Identifier: Apache-2.0
// syscope watch: live seccomp denials, with the container, the reason and the fix. Needs no
// SECCOMP_RET_LOG and no audit subsystem: the kernel side sees the verdicts itself.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "container_label.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/container_resolver.hpp"
#include "syscope/daemon/control_client.hpp"
#include "syscope/daemon/control_protocol.hpp"
#include "syscope/daemon/denial_wire.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/denial_watcher.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/watch/watch_report.hpp"
#include "would_deny_run.hpp"

namespace syscope::cli {
namespace {

struct WatchOptions {
  std::vector<std::string> containers;
  bool json = false;
  bool fail_on_denial = false;
  bool suggest = false;
  bool utc = false;
  bool verbose = false;
  double duration_s = 0;
  std::string docker_socket;
  bool daemon = false;
  std::string would_deny;  // a candidate profile: dry-run it instead of reporting denials
  std::string socket = ::syscope::daemon::default_socket_path();
};

// Names the denial's container, from the cgroup paths the kernel reported and the Docker API.
void label(watch::Denial &denial, container::ContainerResolver &resolver) {
  denial.container = container_label_of(resolver.resolve(denial.cgroup_id));
}

bool selected(const watch::Denial &denial, const std::vector<std::string> &wanted) {
  if (wanted.empty()) return true;
  if (!denial.container) return false;
  for (const auto &w : wanted)
    if (container::container_matches(w, denial.container->name, denial.container->id)) return true;
  return false;
}

void print(const std::vector<watch::Folded> &out, const WatchOptions &opts) {
  for (const auto &item : out) {
    if (opts.json)
      std::printf("%s\n", item.denial ? watch::format_json(*item.denial).c_str()
                                      : watch::format_json(*item.repeats).c_str());
    else
      for (const auto &line : watch::BurstFolder::text_lines({item}, {opts.utc}))
        std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

uint64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What watch prints, the same whether the denials come from its own programs or the daemon's.
class DenialPrinter {
 public:
  explicit DenialPrinter(const WatchOptions &opts) : opts_(opts) {}
  void add(const watch::Denial &denial) {
    if (!selected(denial, opts_.containers)) return;
    summary_.add(denial);
    print(folder_.add(denial), opts_);
    if (opts_.suggest)
      if (auto fix = suggest_(denial))
        std::printf("%s", opts_.json ? (watch::format_json(*fix) + "\n").c_str()
                                     : watch::format_text(*fix).c_str());
  }
  void tick() { print(folder_.tick(wall_now_ns()), opts_); }
  void finish() {
    print(folder_.flush(), opts_);
    if (opts_.json)
      std::printf("%s\n", nlohmann::ordered_json{{"summary", summary_.json()}}.dump().c_str());
    else
      std::printf("%s", summary_.text({opts_.utc}).c_str());
    if (opts_.fail_on_denial && summary_.total() > 0)
      g_exit_status = static_cast<int>(Exit::findings);
  }

 private:
  const WatchOptions &opts_;
  watch::BurstFolder folder_;
  watch::DenialSummary summary_;
  watch::SuggestOnce suggest_;
};

std::optional<std::chrono::steady_clock::time_point> deadline_of(const WatchOptions &opts) {
  return process::deadline_after(opts.duration_s);
}

void announce(const WatchOptions &opts, const std::string &source) {
  std::fprintf(
      stderr, "syscope: watching for seccomp denials%s%s (Ctrl-C to stop)\n", source.c_str(),
      opts.duration_s > 0 ? (" for " + std::to_string(opts.duration_s) + " s").c_str() : "");
}

void run_watch(const WatchOptions &opts) {
  bpf::require_bpf_environment();
  bpf::route_libbpf_log(opts.verbose);
  auto resolver = container::ContainerResolver::create(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  std::vector<watch::Denial> pending;
  bpf::DenialWatcher watcher([&pending](watch::Denial &&d) { pending.push_back(std::move(d)); },
                             [&resolver](uint64_t id, const std::string &path, bool removed) {
                               if (!removed) resolver.note_path(id, path);
                             });
  process::SignalRouter signals;
  DenialPrinter printer(opts);
  announce(opts, "");
  auto handle = [&] {
    watcher.drain();
    for (auto &denial : pending) {
      label(denial, resolver);
      printer.add(denial);
    }
    pending.clear();
    printer.tick();
  };
  process::serve_until(
      signals, watcher.poll_fd(), handle, [] { return false; }, deadline_of(opts));
  handle();
  printer.finish();
  auto losses = watcher.losses();
  if (losses.any())
    std::fprintf(stderr, "syscope: kernel counted losses: %s\n", losses.describe().c_str());
}

// The daemon's denials, subscribed to over its socket: no programs loaded here, no privileges
// needed beyond the socket's.
void run_watch_daemon(const WatchOptions &opts) {
  daemon::ControlClient client(opts.socket);
  auto answer = client.request({{"request", "subscribe"}, {"topics", {"denials"}}});
  if (!answer.value("ok", false))
    throw Error(Exit::usage, "the daemon says: " + answer.value("error", answer.dump()));
  process::SignalRouter signals;
  DenialPrinter printer(opts);
  announce(opts, " through the daemon at " + opts.socket);
  auto handle = [&] {
    while (auto event = client.next_event(std::chrono::milliseconds(0)))
      if (event->value("event", "") == "denial")
        printer.add(daemon::denial_from_wire(event->at("denial")));
    printer.tick();
  };
  process::serve_until(
      signals, client.fd(), handle, [] { return false; }, deadline_of(opts));
  handle();
  printer.finish();
  if (client.dropped_events())
    std::fprintf(stderr, "syscope: %llu denial events were dropped unread\n",
                 static_cast<unsigned long long>(client.dropped_events()));
}

}  // namespace

void setup_watch(CLI::App &app) {
  auto opts = std::make_shared<WatchOptions>();
  auto *cmd = app.add_subcommand(
      "watch", "Report seccomp denials live: which container, process, syscall, arguments, errno "
               "or signal, why Docker's default blocks it, and (--suggest) the rule that would "
               "allow it. Until Ctrl-C or --duration.");
  cmd->add_option("-c,--container", opts->containers,
                  "Only this container (name or id prefix; repeatable); default: everything, "
                  "host processes included");
  cmd->add_flag("--json", opts->json, "One JSON object per line");
  cmd->add_flag("--fail-on-denial", opts->fail_on_denial, "Exit 1 when any denial was seen");
  cmd->add_flag("--suggest", opts->suggest,
                "Print the smallest profile rule that would allow each denied call");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--docker-socket", opts->docker_socket,
                  "Docker API socket (default: $DOCKER_HOST, else /var/run/docker.sock)");
  cmd->add_flag("--utc", opts->utc, "Times in UTC instead of local time");
  cmd->add_flag("-v,--verbose", opts->verbose, "Show libbpf's log");
  cmd->add_flag("--daemon", opts->daemon,
                "Take the denials from the running syscope daemon instead of loading programs");
  cmd->add_option("--socket", opts->socket, "The daemon's control socket (with --daemon)")
      ->capture_default_str();
  cmd->add_option("--would-deny", opts->would_deny,
                  "Dry-run this candidate profile (Docker format) on the containers' live calls: "
                  "report each call it would refuse and the rule to add; nothing is enforced "
                  "(with --daemon: the daemon judges)")
      ->excludes("--suggest");
  cmd->callback([opts] {
    WouldDenyOptions dry{opts->would_deny,     opts->containers, opts->json,
                         opts->fail_on_denial, opts->verbose,    opts->duration_s,
                         opts->docker_socket,  opts->socket};
    if (!opts->would_deny.empty() && opts->daemon)
      run_would_deny_daemon(dry);
    else if (!opts->would_deny.empty())
      run_would_deny(dry);
    else if (opts->daemon)
      run_watch_daemon(*opts);
    else
      run_watch(*opts);
  });
}

}  // namespace syscope::cli
