// SPDX-License-Identifier: Apache-2.0
// syscope daemon [--config FILE] [--state-dir DIR] [--socket PATH] ...: the always-on agent
// (daemon/daemon.hpp); --uninstall removes what a daemon that did not stop cleanly left.
#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/daemon/daemon.hpp"
#include "syscope/daemon/daemon_config.hpp"
#include "syscope/daemon/metrics_server.hpp"
#include "syscope/kernel/loss_counters.hpp"

namespace syscope::cli {
namespace {

struct DaemonFlags {
  std::string config_file, state_dir, socket, socket_group, pin_dir, keep_removed, docker_socket;
  std::string podman_socket, self_profile, metrics, metrics_keep_exited;
  bool keep_attached = false, no_pin = false, uninstall = false, verbose = false, args = false;
  bool no_args = false;
  bool no_confine = false;
  uint32_t ring_mib = 0;
  std::vector<std::string> dry_run;  // CONTAINER=PROFILE
};

// The file first, then each flag given on the command line over it.
daemon::DaemonConfig effective_config(const DaemonFlags &flags, CLI::App &cmd) {
  daemon::DaemonConfig config;
  if (!flags.config_file.empty()) daemon::apply_config_file(config, flags.config_file);
  if (cmd.count("--state-dir")) config.state_dir = flags.state_dir;
  if (cmd.count("--socket")) config.socket = flags.socket;
  if (cmd.count("--socket-group")) config.socket_group = flags.socket_group;
  if (cmd.count("--pin-dir")) config.pin_dir = flags.pin_dir;
  if (flags.no_pin) config.pin_dir.clear();
  if (cmd.count("--keep-removed"))
    config.keep_removed = daemon::parse_duration(flags.keep_removed, "--keep-removed");
  if (cmd.count("--docker-socket")) config.docker_socket = flags.docker_socket;
  if (cmd.count("--podman-socket")) config.podman_socket = flags.podman_socket;
  if (cmd.count("--ring-mib")) {
    if (flags.ring_mib & (flags.ring_mib - 1))
      throw Error(Exit::usage, "--ring-mib must be a power of two");
    config.ring_mib = flags.ring_mib;
  }
  if (cmd.count("--metrics")) {
    daemon::metrics::parse_metrics_address(flags.metrics, "--metrics");  // exit 2 before a load
    config.metrics = flags.metrics;
  }
  if (cmd.count("--metrics-keep-exited"))
    config.metrics_keep_exited =
        daemon::parse_duration(flags.metrics_keep_exited, "--metrics-keep-exited");
  if (flags.keep_attached) config.keep_attached = true;
  if (flags.args) config.args = true;
  if (flags.no_args) config.args = false;
  if (flags.no_confine) config.confine = false;
  if (cmd.count("--self-profile")) config.self_profile = flags.self_profile;
  for (const auto &d : flags.dry_run) config.dry_run.push_back(daemon::parse_dry_run_flag(d));
  if (flags.verbose) config.verbose = true;
  return config;
}

}  // namespace

void setup_daemon(CLI::App &app) {
  auto flags = std::make_shared<DaemonFlags>();
  auto *cmd = app.add_subcommand(
      "daemon", "Run the always-on agent: profiles for every container and image, denials and "
                "unconfined-container alerts as they happen, traces and flight recorders; JSON "
                "log lines on stdout, a control socket for status, profile get, watch --daemon "
                "and trace --daemon");
  cmd->add_option("--config", flags->config_file, "YAML file with the same settings as the flags");
  cmd->add_option("--state-dir", flags->state_dir, "Profiles and state (default /var/lib/syscope)");
  cmd->add_option("--socket", flags->socket,
                  "Control socket (default /run/syscope/syscope.sock, mode 0600)");
  cmd->add_option("--socket-group", flags->socket_group,
                  "Also let this group use the socket (mode 0660)");
  cmd->add_option("--pin-dir", flags->pin_dir,
                  "bpffs directory for the pinned maps and links (default /sys/fs/bpf/syscope)");
  cmd->add_flag("--no-pin", flags->no_pin, "Pin nothing: a restart starts the kernel side afresh");
  cmd->add_flag("--args", flags->args,
                "Argument-aware profiles (the default, as record's; the config's args: true)")
      ->excludes(cmd->add_flag("--no-args", flags->no_args,
                               "Names-only profiles (the config's args: false)"));
  cmd->add_option("--dry-run", flags->dry_run,
                  "CONTAINER=PROFILE: judge the container's live calls against a candidate "
                  "profile without enforcing it, as watch --would-deny (repeatable; the "
                  "config's dry_run list also takes images)");
  cmd->add_flag("--no-confine", flags->no_confine,
                "Keep every capability and run without the daemon's own seccomp profile (to "
                "record that profile, or to debug; the config's confine: false)");
  cmd->add_option("--self-profile", flags->self_profile,
                  "Confine the daemon with this profile instead of the built-in one (a host "
                  "whose libc makes calls the built-in lacks: see its self_denial lines)");
  cmd->add_flag("--keep-attached", flags->keep_attached,
                "On SIGTERM leave the programs attached and pinned (for an upgrade or restart)");
  cmd->add_option("--keep-removed", flags->keep_removed,
                  "Keep profiles of removed containers this long (default 7d; 12h, 30m, 45s)");
  cmd->add_option("--docker-socket", flags->docker_socket,
                  "Docker API socket (default: $DOCKER_HOST, else /var/run/docker.sock)");
  cmd->add_option("--podman-socket", flags->podman_socket,
                  "podman's API socket, used when it exists (default /run/podman/podman.sock)");
  cmd->add_option("--ring-mib", flags->ring_mib,
                  "Kernel ring buffer in MiB, a power of two (default 4): what a downtime keeps")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--metrics", flags->metrics,
                  "[HOST:]PORT: serve Prometheus metrics at http://HOST:PORT/metrics (a bare "
                  "port listens on 127.0.0.1 only)");
  cmd->add_option("--metrics-keep-exited", flags->metrics_keep_exited,
                  "Keep a gone container's series on /metrics this long (default 5m)");
  cmd->add_flag("--uninstall", flags->uninstall,
                "Remove what a crashed or --keep-attached daemon left pinned, then exit");
  cmd->add_flag("-v,--verbose", flags->verbose, "Log every file written");
  cmd->callback([flags, cmd] {
    auto config = effective_config(*flags, *cmd);
    if (flags->uninstall) {
      auto removed = daemon::uninstall_daemon(config);
      for (const auto &line : removed) std::fprintf(stderr, "syscope: removed %s\n", line.c_str());
      if (removed.empty())
        std::fprintf(stderr, "syscope: nothing pinned under %s\n", config.pin_dir.c_str());
      return;
    }
    bpf::route_libbpf_log(config.verbose);
    daemon::run_daemon(config);
  });
}

}  // namespace syscope::cli
