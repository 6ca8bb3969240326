// SPDX-License-Identifier: Apache-2.0
// `syscope audit`: each container's seccomp state as the runtime configured it and as the kernel
// shows it (/proc/<pid>/status, no BPF), judged against CIS Docker 5.21/5.22 and DISA STIG
// DKER-EE-002070. The verdict is a pure function of those inputs; collecting them is separate.
#pragma once
#include <sys/types.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/seccomp/profile.hpp"

namespace syscope::audit {

// The control every finding cites: "the default seccomp profile must not be disabled". The CIS
// Docker Benchmark numbers it 5.21 in older editions and 5.22 in newer ones; the STIG's rule is
// DKER-EE-002070 (V-95659, NIST 800-53 CM-7).
inline const std::vector<std::string> kControls = {"CIS-5.21", "CIS-5.22", "DKER-EE-002070"};

// ---------------------------------------------------------------------------------------------
// Runtime configuration

// The daemon's default profile, from GET /info SecurityOptions "name=seccomp,profile=...".
struct DaemonSeccomp {
  enum class Kind {
    builtin,      // profile=default or builtin: Docker's built-in default profile
    unconfined,   // dockerd --seccomp-profile unconfined: containers get no filter by default
    custom,       // dockerd --seccomp-profile <path>
    unsupported,  // no seccomp entry: a daemon (or kernel) without seccomp support
    unknown,      // GET /info failed
  };
  Kind kind = Kind::unknown;
  std::string profile;                     // profile= as the daemon reports it
  std::optional<seccomp::Profile> parsed;  // custom: the file, when this host can read it
  std::string parse_error;                 // custom: why it was not read or parsed
};

// file_reader: the text of a file, nullopt when unreadable (tests pass a fake).
using FileReader = std::function<std::optional<std::string>(const std::string &path)>;
DaemonSeccomp daemon_seccomp(const std::optional<docker::EngineInfo> &info,
                             const FileReader &file_reader);

// How an allow-by-default profile fares against the calls it must deny to be a real profile.
struct PermissiveCheck {
  seccomp::Action default_action = seccomp::Action::errno_;
  bool permissive = false;        // defaultAction SCMP_ACT_ALLOW or SCMP_ACT_LOG
  std::vector<std::string> open;  // dangerous calls it leaves allowed (sorted)
  size_t dangerous_total = 0;     // size of the dangerous set on this host
  // Permissive and leaves at least one dangerous call allowed: judged "effectively unconfined".
  bool effectively_unconfined() const { return permissive && !open.empty(); }
};

// The calls an allow-by-default profile must deny: those of a fixed list of escape and host
// control calls (namespaces, mounts, modules, kexec/reboot, keyring, BPF/perf, open_by_handle_at,
// swap, raw I/O, userfaultfd, cross-process memory) that exist on this arch and that Docker's
// default profile refuses on this host (so ptrace, which it allows on kernels >= 4.8, is not one).
const std::set<std::string> &dangerous_calls();

// A call counts as denied when a rule with action ERRNO, KILL*, TRAP names it with no argument
// conditions and its includes/excludes hold on this host.
PermissiveCheck check_permissive(const seccomp::Profile &profile,
                                 const std::set<std::string> &dangerous);

enum class Setting { default_profile, custom, unconfined, unknown };
std::string_view setting_name(Setting s);  // "default", "custom", "unconfined", "unknown"

struct ConfigView {
  Setting setting = Setting::unknown;
  std::string source;  // "daemon default", "seccomp:unconfined", "privileged", "inline profile"
  std::string detail;  // e.g. "defaultAction SCMP_ACT_ALLOW, denies 0 of 28 dangerous calls"
  bool privileged = false;
  std::optional<PermissiveCheck> permissive;  // for custom profiles that could be parsed
  std::string profile_error;                  // inline/daemon profile that could not be parsed
};

ConfigView config_view(const docker::ContainerMetadata &container, const DaemonSeccomp &daemon,
                       const std::set<std::string> &dangerous);

// ---------------------------------------------------------------------------------------------
// Kernel view

struct ProcessSeccomp {
  pid_t pid = 0;
  std::string comm;
  int mode = -1;     // Seccomp: 0 none, 1 strict, 2 filter, 3 dead; lowest of its threads
  int filters = -1;  // Seccomp_filters (kernel >= 5.9; -1 when absent); lowest of its threads
};

// Name, Seccomp and Seccomp_filters of one /proc/<pid>/status text; nullopt without a Seccomp
// line (CONFIG_SECCOMP off).
std::optional<ProcessSeccomp> parse_proc_status(std::string_view status);

struct KernelView {
  bool available = false;                 // the cgroup was found and read
  std::string cgroup;                     // path relative to the cgroup2 mount
  std::string error;                      // why not available
  std::vector<ProcessSeccomp> processes;  // by pid
};

// Every process in the cgroup directory (absolute) and the cgroups below it, with its mode.
KernelView read_kernel_view(const std::string &mount, const std::string &cgroup_path);

// Containers found in the cgroup2 hierarchy: one ContainerRef per container cgroup, by id.
std::vector<container::ContainerRef> scan_container_cgroups(const std::string &mount);

// ---------------------------------------------------------------------------------------------
// Verdict

struct Finding {
  std::string reason;
  std::vector<std::string> controls;
};

struct ContainerAudit {
  std::string id;    // 64 hex
  std::string name;  // Docker name; empty when the API does not know the container
  std::string image;
  std::string state;  // Docker's State.Status, or "running (cgroup)" for cgroup-only rows
  std::string runtime = "docker";
  bool known_to_api = false;
  std::optional<ConfigView> config;  // nullopt for cgroup-only rows
  KernelView kernel;
  bool pass = true;
  std::vector<Finding> findings;
  std::vector<std::string> notes;
};

// The verdict for a container the API knows (metadata) or only the cgroups show (ref).
ContainerAudit judge(const docker::ContainerMetadata &metadata, const ConfigView &config,
                     const KernelView &kernel);
ContainerAudit judge_cgroup_only(const container::ContainerRef &ref, const KernelView &kernel,
                                 bool api_reachable);

struct Report {
  std::vector<ContainerAudit> containers;
  std::vector<std::string> warnings;  // also printed to stderr as they happen
  bool api_reachable = false;
  bool cgroups_readable = false;
  std::string docker_socket;
  std::optional<DaemonSeccomp> daemon;
  size_t failed() const;
};

// ---------------------------------------------------------------------------------------------
// Collection and output

struct Options {
  bool all = false;                          // also stopped containers (from the API)
  std::optional<std::string> docker_socket;  // else DOCKER_HOST, else /var/run/docker.sock
};

// Asks the Docker API and walks the cgroup2 hierarchy. Warnings go to `warn` as they arise.
// Throws Error(environment) when neither the API nor the cgroups can be read.
Report collect(const Options &options, const std::function<void(const std::string &)> &warn);

std::string render_table(const Report &report);
std::string render_json(const Report &report);  // one document, trailing newline
// One container's verdict as render_json() shows it (the daemon's alerts and audit request too).
nlohmann::ordered_json to_json(const ContainerAudit &audit);

}  // namespace syscope::audit
