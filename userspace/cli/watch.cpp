// SPDX-License-Identifier: Apache-2.0
// syscope watch: live seccomp denials, with the container, the reason and the fix. Needs no
// SECCOMP_RET_LOG and no audit subsystem: the kernel side sees the verdicts itself.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/container_resolver.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/denial_watcher.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/watch/watch_report.hpp"

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
};

// Names the denial's container, from the cgroup paths the kernel reported and the Docker API.
void label(watch::Denial &denial, container::ContainerResolver &resolver) {
  const auto &info = resolver.resolve(denial.cgroup_id);
  if (!info.is_container()) return;
  watch::ContainerLabel label;
  label.runtime = std::string(container::runtime_name(info.container->runtime));
  label.id = info.container->id;
  if (info.metadata) {
    label.name = info.metadata->name;
    label.image = info.metadata->image;
  }
  denial.container = label;
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
  watch::BurstFolder folder;
  watch::DenialSummary summary;
  watch::SuggestOnce suggest;
  std::fprintf(stderr, "syscope: watching for seccomp denials%s (Ctrl-C to stop)\n",
               opts.duration_s > 0 ? (" for " + std::to_string(opts.duration_s) + " s").c_str()
                                   : "");

  auto handle = [&] {
    watcher.drain();
    for (auto &denial : pending) {
      label(denial, resolver);
      if (!selected(denial, opts.containers)) continue;
      summary.add(denial);
      print(folder.add(denial), opts);
      if (opts.suggest)
        if (auto fix = suggest(denial))
          std::printf("%s", opts.json ? (watch::format_json(*fix) + "\n").c_str()
                                      : watch::format_text(*fix).c_str());
    }
    pending.clear();
    print(folder.tick(wall_now_ns()), opts);
  };
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (opts.duration_s > 0)
    deadline = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(opts.duration_s));
  process::serve_until(
      signals, watcher.poll_fd(), handle, [] { return false; }, deadline);
  handle();
  print(folder.flush(), opts);
  if (opts.json)
    std::printf("%s\n", nlohmann::ordered_json{{"summary", summary.json()}}.dump().c_str());
  else
    std::printf("%s", summary.text({opts.utc}).c_str());
  auto losses = watcher.losses();
  if (losses.any())
    std::fprintf(stderr, "syscope: kernel counted losses: %s\n", losses.describe().c_str());
  if (opts.fail_on_denial && summary.total() > 0) g_exit_status = static_cast<int>(Exit::findings);
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
  cmd->callback([opts] { run_watch(*opts); });
}

}  // namespace syscope::cli
