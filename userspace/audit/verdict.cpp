// SPDX-License-Identifier: Apache-2.0
// The audit's judgement: runtime configuration (SecurityOpt, Privileged, the daemon's default)
// and the kernel's per-process seccomp modes -> PASS, or FAIL with reasons and control ids.
// Pure functions of their inputs, so the unit tests need neither Docker nor /proc.
#include <algorithm>
#include <charconv>

#include "syscope/audit/audit.hpp"
#include "syscope/base/error.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::audit {
namespace {

// Calls whose refusal is what makes a profile a sandbox: escapes and host-wide control.
// Filtered by dangerous_calls() to those Docker's default refuses on this host.
constexpr const char *kEscapeCalls[] = {"unshare",
                                        "setns",
                                        "mount",
                                        "umount2",
                                        "pivot_root",
                                        "open_tree",
                                        "move_mount",
                                        "fsopen",
                                        "fsmount",
                                        "fsconfig",
                                        "init_module",
                                        "finit_module",
                                        "delete_module",
                                        "kexec_load",
                                        "kexec_file_load",
                                        "reboot",
                                        "bpf",
                                        "perf_event_open",
                                        "keyctl",
                                        "add_key",
                                        "request_key",
                                        "open_by_handle_at",
                                        "swapon",
                                        "swapoff",
                                        "iopl",
                                        "ioperm",
                                        "userfaultfd",
                                        "process_vm_writev",
                                        "ptrace",
                                        "syslog"};

bool denying_action(seccomp::Action action) {
  using seccomp::Action;
  return action == Action::errno_ || action == Action::kill_process ||
         action == Action::kill_thread || action == Action::trap;
}

std::string join(const std::vector<std::string> &items, const std::string &sep, size_t max = 0) {
  std::string out;
  size_t n = max && items.size() > max ? max : items.size();
  for (size_t i = 0; i < n; ++i) out += (i ? sep : "") + items[i];
  if (n < items.size()) out += sep + "... (" + std::to_string(items.size() - n) + " more)";
  return out;
}

std::string describe_processes(const std::vector<ProcessSeccomp> &procs) {
  std::vector<std::string> parts;
  for (const auto &p : procs) parts.push_back(std::to_string(p.pid) + " (" + p.comm + ")");
  return join(parts, ", ", 5);
}

Finding finding(std::string reason) { return {std::move(reason), kControls}; }

// Judges a custom profile (inline or the daemon's) into `view`.
void judge_profile(ConfigView &view, const seccomp::Profile &profile,
                   const std::set<std::string> &dangerous) {
  PermissiveCheck check = check_permissive(profile, dangerous);
  view.detail = "defaultAction " + seccomp::action_name(profile.default_action);
  if (check.permissive)
    view.detail += ", denies " + std::to_string(check.dangerous_total - check.open.size()) +
                   " of " + std::to_string(check.dangerous_total) + " dangerous calls";
  view.permissive = std::move(check);
}

}  // namespace

std::string_view setting_name(Setting s) {
  switch (s) {
    case Setting::default_profile: return "default";
    case Setting::custom: return "custom";
    case Setting::unconfined: return "unconfined";
    case Setting::unknown: break;
  }
  return "unknown";
}

DaemonSeccomp daemon_seccomp(const std::optional<docker::EngineInfo> &info,
                             const FileReader &file_reader) {
  DaemonSeccomp d;
  if (!info) return d;
  if (!info->seccomp_profile) {
    d.kind = DaemonSeccomp::Kind::unsupported;
    return d;
  }
  d.profile = *info->seccomp_profile;
  // Docker 20.10 says "default" for its built-in profile, 23+ may say "builtin".
  if (d.profile.empty() || d.profile == "default" || d.profile == "builtin") {
    d.kind = DaemonSeccomp::Kind::builtin;
    return d;
  }
  if (d.profile == "unconfined") {
    d.kind = DaemonSeccomp::Kind::unconfined;
    return d;
  }
  d.kind = DaemonSeccomp::Kind::custom;
  // The path is the daemon's; audit runs on the same host (it reads its cgroups), so try it.
  std::optional<std::string> text = file_reader ? file_reader(d.profile) : std::nullopt;
  if (!text) {
    d.parse_error = "cannot read " + d.profile;
    return d;
  }
  try {
    d.parsed = seccomp::parse_docker_profile(*text, d.profile);
  } catch (const Error &e) {
    d.parse_error = e.what();
  }
  return d;
}

const std::set<std::string> &dangerous_calls() {
  static const std::set<std::string> calls = [] {
    std::set<std::string> out;
    const auto &docker_default = seccomp::DockerDefault::for_this_host();
    uint32_t arch = seccomp::native_scmp_arch();
    for (const char *name : kEscapeCalls)
      if (seccomp::syscall_number(arch, name) && !docker_default.allows(name)) out.insert(name);
    return out;
  }();
  return calls;
}

PermissiveCheck check_permissive(const seccomp::Profile &profile,
                                 const std::set<std::string> &dangerous) {
  PermissiveCheck check;
  check.dangerous_total = dangerous.size();
  check.default_action = profile.default_action;
  check.permissive = profile.default_action == seccomp::Action::allow ||
                     profile.default_action == seccomp::Action::log;
  if (!check.permissive) return check;
  // Conditions judged for this host's arch and kernel and a container without added caps.
  seccomp::HostFacts host = seccomp::current_host();
  host.capabilities = 0;
  std::set<std::string> denied;
  for (const auto &rule : profile.syscalls) {
    if (!denying_action(rule.action) || !rule.args.empty()) continue;
    bool applies = true;
    try {
      applies = !seccomp::rule_ruled_out(rule, host);
    } catch (const Error &) {
      applies = false;  // a malformed minKernel: do not count the rule as a denial
    }
    if (applies) denied.insert(rule.names.begin(), rule.names.end());
  }
  for (const auto &name : dangerous)
    if (!denied.count(name)) check.open.push_back(name);
  return check;
}

ConfigView config_view(const docker::ContainerMetadata &container, const DaemonSeccomp &daemon,
                       const std::set<std::string> &dangerous) {
  ConfigView view;
  view.privileged = container.privileged;
  std::optional<std::string> option = docker::seccomp_option(container);
  if (container.privileged) {
    // Docker installs no seccomp filter for a privileged container, whatever SecurityOpt says.
    view.setting = Setting::unconfined;
    view.source = "privileged";
    return view;
  }
  if (option && *option == "unconfined") {
    view.setting = Setting::unconfined;
    for (const auto &opt : container.security_opt)  // the spelling as given: = or :
      if (opt.rfind("seccomp", 0) == 0 && opt.substr(8) == "unconfined") view.source = opt;
    return view;
  }
  if (option && *option != "builtin" && *option != "default") {
    view.setting = Setting::custom;
    view.source = "inline profile";
    try {
      judge_profile(view, seccomp::parse_docker_profile(*option, "inline seccomp profile"),
                    dangerous);
    } catch (const Error &e) {
      view.profile_error = e.what();
    }
    return view;
  }
  if (option) {  // seccomp=builtin: the built-in default even when the daemon's differs
    view.setting = Setting::default_profile;
    view.source = "seccomp=" + *option;
    return view;
  }
  view.source = "daemon default";
  switch (daemon.kind) {
    case DaemonSeccomp::Kind::builtin:
    case DaemonSeccomp::Kind::unknown:  // GET /info failed: Docker's usual default
      view.setting = Setting::default_profile;
      if (daemon.kind == DaemonSeccomp::Kind::unknown) view.detail = "daemon default not known";
      break;
    case DaemonSeccomp::Kind::unconfined:
      view.setting = Setting::unconfined;
      view.source = "daemon default (profile=unconfined)";
      break;
    case DaemonSeccomp::Kind::unsupported:
      view.setting = Setting::unconfined;
      view.source = "daemon without seccomp";
      break;
    case DaemonSeccomp::Kind::custom:
      view.setting = Setting::custom;
      view.source = "daemon profile " + daemon.profile;
      if (daemon.parsed)
        judge_profile(view, *daemon.parsed, dangerous);
      else
        view.profile_error = daemon.parse_error;
      break;
  }
  return view;
}

std::optional<ProcessSeccomp> parse_proc_status(std::string_view status) {
  ProcessSeccomp p;
  bool seen_mode = false;
  auto number = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    int n = -1;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
  };
  while (!status.empty()) {
    size_t nl = status.find('\n');
    std::string_view line = status.substr(0, nl);
    status = nl == std::string_view::npos ? std::string_view{} : status.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon), value = line.substr(colon + 1);
    if (key == "Name") {
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      p.comm = std::string(value);
    } else if (key == "Seccomp") {
      p.mode = number(value);
      seen_mode = true;
    } else if (key == "Seccomp_filters") {
      p.filters = number(value);
    }
  }
  if (!seen_mode) return std::nullopt;
  return p;
}

ContainerAudit judge(const docker::ContainerMetadata &metadata, const ConfigView &config,
                     const KernelView &kernel) {
  ContainerAudit a;
  a.id = metadata.id;
  a.name = metadata.name;
  a.image = metadata.image;
  a.state = metadata.status;
  a.known_to_api = true;
  a.config = config;
  a.kernel = kernel;

  switch (config.setting) {
    case Setting::unconfined:
      if (config.privileged)
        a.findings.push_back(finding("privileged: Docker installs no seccomp filter for "
                                     "--privileged containers"));
      else if (config.source.rfind("seccomp", 0) == 0)
        a.findings.push_back(finding("seccomp disabled by --security-opt " + config.source));
      else if (config.source == "daemon without seccomp")
        a.findings.push_back(finding("the daemon reports no seccomp support: no filter"));
      else
        a.findings.push_back(finding("the daemon's default profile is unconfined (dockerd "
                                     "--seccomp-profile unconfined) and the container sets none"));
      break;
    case Setting::custom:
      if (config.permissive && config.permissive->effectively_unconfined()) {
        const PermissiveCheck &p = *config.permissive;
        bool none = p.open.size() == p.dangerous_total;
        a.findings.push_back(
            finding("effectively unconfined: " + config.source + " has defaultAction " +
                    seccomp::action_name(p.default_action) +
                    (none ? " and denies none of the " + std::to_string(p.dangerous_total) +
                                " dangerous calls Docker's default refuses"
                          : " and leaves " + std::to_string(p.open.size()) +
                                " of them allowed: " + join(p.open, ", ", 6))));
      }
      if (!config.profile_error.empty())
        a.notes.push_back("profile not judged (" + config.profile_error +
                          "): verdict from the kernel view");
      break;
    case Setting::default_profile:
    case Setting::unknown: break;
  }

  if (kernel.available) {
    std::vector<ProcessSeccomp> unfiltered, filtered;
    for (const auto &p : kernel.processes) (p.mode == 0 ? unfiltered : filtered).push_back(p);
    if (config.setting != Setting::unconfined && !unfiltered.empty())
      a.findings.push_back(finding(
          "config and kernel disagree: the config claims a " +
          std::string(setting_name(config.setting)) + " profile but " +
          std::to_string(unfiltered.size()) + " of " + std::to_string(kernel.processes.size()) +
          " processes run without seccomp (Seccomp: 0): " + describe_processes(unfiltered)));
    if (config.setting == Setting::unconfined && unfiltered.empty() && !filtered.empty())
      a.notes.push_back("the kernel shows filters on every process although the config has "
                        "none: installed by the workload itself");
    if (metadata.running && kernel.processes.empty())
      a.notes.push_back("no process found in cgroup " + kernel.cgroup);
  } else if (metadata.running) {
    a.notes.push_back("kernel view unavailable: " + kernel.error);
  }
  a.pass = a.findings.empty();
  return a;
}

ContainerAudit judge_cgroup_only(const container::ContainerRef &ref, const KernelView &kernel,
                                 bool api_reachable) {
  ContainerAudit a;
  a.id = ref.id;
  a.state = "running";
  a.runtime = std::string(container::runtime_name(ref.runtime));
  a.known_to_api = false;
  a.kernel = kernel;
  a.notes.push_back(api_reachable ? "in the cgroups but unknown to the Docker API (another "
                                    "runtime or daemon): judged from the kernel view"
                                  : "Docker API unreachable: judged from the kernel view");
  std::vector<ProcessSeccomp> unfiltered;
  for (const auto &p : kernel.processes)
    if (p.mode == 0) unfiltered.push_back(p);
  if (!unfiltered.empty())
    a.findings.push_back(finding(
        std::to_string(unfiltered.size()) + " of " + std::to_string(kernel.processes.size()) +
        " processes run without seccomp (Seccomp: 0): " + describe_processes(unfiltered)));
  a.pass = a.findings.empty();
  return a;
}

size_t Report::failed() const {
  return std::count_if(containers.begin(), containers.end(),
                       [](const ContainerAudit &c) { return !c.pass; });
}

}  // namespace syscope::audit
