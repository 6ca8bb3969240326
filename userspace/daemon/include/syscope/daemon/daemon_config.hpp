// SPDX-License-Identifier: Apache-2.0
// What `syscope daemon` runs with: defaults, overridden by a YAML file (--config, the same keys
// as the flags), overridden by the flags given. Reading the file is strict: an unknown key or a
// value of the wrong type is exit 2 with the key's name, never a daemon running on a typo.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syscope::daemon {

// One dry-run setting: the containers it names have their live calls judged against `profile`
// (a candidate, not enforced; watch --would-deny's semantics). Exactly one of container (a name
// or id prefix, as docker takes them) and image (the reference given to run, "nginx:1.25").
struct DryRunSetting {
  std::string container, image;
  std::string profile;  // path of a Docker-format profile
  std::string where;    // "dry_run[1]" or "--dry-run web=cand.json": for messages
};

struct DaemonConfig {
  std::string state_dir = "/var/lib/syscope";
  std::string socket = "/run/syscope/syscope.sock";
  std::optional<std::string> socket_group;  // group allowed on the socket (mode 0660)
  // Under bpffs: maps, links and the ring buffer, so a restart (or kill -9) keeps what the
  // kernel gathered meanwhile. Empty: nothing pinned, persistence off.
  std::string pin_dir = "/sys/fs/bpf/syscope";
  bool keep_attached = false;  // SIGTERM leaves the programs attached and pinned (upgrades)
  // Profiles of removed containers are kept this long, then deleted.
  std::chrono::seconds keep_removed{7 * 24 * 3600};
  std::optional<std::string> docker_socket;  // default: $DOCKER_HOST, else /var/run/docker.sock
  std::string podman_socket = "/run/podman/podman.sock";  // used when it exists
  uint32_t ring_mib = 4;  // the kernel->daemon ring buffer (also what survives a downtime)
  // Flight recorder caps (io.syscope.flight-recorder=<seconds> containers).
  uint32_t flight_mib_per_container = 8;
  uint32_t flight_mib_total = 64;
  std::chrono::milliseconds flush_interval{2000};  // profiles written at most this late
  bool verbose = false;
  // Argument-aware profiles, as record's default: the kernel keeps the values of the tracked
  // (syscall, argument) pairs per cgroup, and profiles allow those calls only with them.
  // args: false (--no-args) makes names-only profiles.
  bool args = true;
  // Once loaded, the daemon keeps only the capabilities it needs and runs under its own seccomp
  // profile (daemon/self_confinement.hpp). Off only to record that profile, or to debug.
  bool confine = true;
  std::string self_profile;  // the profile it confines itself with; empty: the built-in one
  // Candidate profiles tried on live containers without enforcing them (at most
  // SYSCOPE_DRY_CANDIDATES distinct profiles).
  std::vector<DryRunSetting> dry_run;
  // Prometheus /metrics listener, "[HOST:]PORT" as given (validated when read; a bare port is
  // 127.0.0.1:PORT). Unset: no listener.
  std::optional<std::string> metrics;
  // How long a gone container's series stay on /metrics.
  std::chrono::seconds metrics_keep_exited{300};
};

// Applies the YAML file's keys (state_dir, socket, socket_group, pin_dir, keep_attached,
// keep_removed [seconds, or "7d", "12h", "30m", "45s"], docker_socket, podman_socket, ring_mib,
// flight_mib_per_container, flight_mib_total, flush_interval_ms, args, confine, self_profile,
// dry_run [a list of {container: NAME, profile: FILE} or {image: REF, profile: FILE}], metrics
// ["[HOST:]PORT"], metrics_keep_exited [a duration as keep_removed]) onto `config`. Exit::usage
// naming the file and key for a file that cannot be read, bad YAML, an unknown key or a bad value.
void apply_config_file(DaemonConfig &config, const std::string &path);
// Also used by the flag: "7d" -> 604800 s. Exit::usage on garbage, zero allowed.
std::chrono::seconds parse_duration(const std::string &text, const std::string &what);
// The flag's form, "CONTAINER=PROFILE" (a container name or id prefix). Exit::usage on others.
DryRunSetting parse_dry_run_flag(const std::string &text);

}  // namespace syscope::daemon
