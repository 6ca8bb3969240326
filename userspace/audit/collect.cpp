// SPDX-License-Identifier: Apache-2.0
// Gathers what the audit judges: containers and settings from the Docker API, the daemon's
// default profile from GET /info, and every container cgroup's processes with their seccomp
// mode from cgroup.procs and /proc/<pid>/status (no BPF, so no CAP_BPF needed).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "syscope/audit/audit.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace fs = std::filesystem;

namespace syscope::audit {
namespace {

std::optional<std::string> slurp(const std::string &path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

// The lowest mode and filter count over a process's threads: one unfiltered thread is enough
// for the process to count as unfiltered. nullopt once the process is gone.
std::optional<ProcessSeccomp> process_seccomp(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  auto status = slurp(base + "/status");
  if (!status) return std::nullopt;
  auto p = parse_proc_status(*status);
  if (!p) return std::nullopt;
  p->pid = pid;
  std::error_code ec;
  for (const auto &task : fs::directory_iterator(base + "/task", ec)) {
    auto text = slurp(task.path().string() + "/status");
    if (!text) continue;
    auto t = parse_proc_status(*text);
    if (!t) continue;
    p->mode = std::min(p->mode, t->mode);
    if (t->filters >= 0)
      p->filters = p->filters < 0 ? t->filters : std::min(p->filters, t->filters);
  }
  return p;
}

void read_procs(const fs::path &dir, std::vector<pid_t> &pids) {
  std::ifstream in(dir / "cgroup.procs");
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
}

}  // namespace

KernelView read_kernel_view(const std::string &mount, const std::string &cgroup_path) {
  KernelView view;
  view.cgroup = cgroup_path;
  fs::path dir = fs::path(mount) / fs::path(cgroup_path).relative_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    view.error = "no cgroup " + dir.string();
    return view;
  }
  if (access((dir / "cgroup.procs").c_str(), R_OK) != 0) {
    view.error = "cannot read " + (dir / "cgroup.procs").string() + ": " + errno_text(errno);
    return view;
  }
  std::vector<pid_t> pids;
  read_procs(dir, pids);
  // Nested cgroups: systemd or docker-in-docker inside the container, runc's own sub-cgroups.
  constexpr auto skip_denied = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(dir, skip_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) read_procs(it->path(), pids);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  for (pid_t pid : pids)
    if (auto p = process_seccomp(pid)) view.processes.push_back(std::move(*p));
  view.available = true;
  return view;
}

std::vector<container::ContainerRef> scan_container_cgroups(const std::string &mount) {
  std::map<std::string, container::ContainerRef> by_id;
  cgroup::walk_cgroup_tree(mount, [&](const std::string &rel, uint64_t) {
    auto ref = container::container_from_cgroup_path(rel);
    if (!ref || ref->container_path != rel) return true;
    // Sub-cgroups belong to the container's own directory; the first one seen is the outermost.
    by_id.try_emplace(ref->id, *ref);
    return false;
  });
  std::vector<container::ContainerRef> out;
  for (auto &[id, ref] : by_id) out.push_back(std::move(ref));
  return out;
}

Report collect(const Options &options, const std::function<void(const std::string &)> &warn) {
  Report report;
  auto warning = [&](const std::string &text) {
    report.warnings.push_back(text);
    if (warn) warn(text);
  };

  // The kernel side: the cgroup2 hierarchy and the containers in it.
  std::optional<std::string> mount;
  std::map<std::string, container::ContainerRef> cgroups;
  std::string cgroup_error;
  try {
    mount = cgroup::cgroup2_mount();
    for (auto &ref : scan_container_cgroups(*mount)) cgroups.emplace(ref.id, std::move(ref));
    report.cgroups_readable = true;
  } catch (const Error &e) {
    cgroup_error = e.what();
  }

  // The runtime side.
  docker::DockerClient client = docker::DockerClient::from_environment(options.docker_socket);
  report.docker_socket = client.socket_path();
  auto list = client.list_containers();
  report.api_reachable = list.ok();
  if (!report.api_reachable && !report.cgroups_readable)
    throw Error(Exit::environment, "nothing to audit: " + list.error + "; and " + cgroup_error);
  if (!report.cgroups_readable)
    warning("no kernel view (" + cgroup_error + "): judging from the Docker API only");
  if (!report.api_reachable)
    warning(list.error + ": continuing with the kernel view only (containers from the cgroups)");

  if (report.api_reachable) {
    auto info = client.info();
    if (!info.ok())
      warning("GET /info: " + info.error + ": the daemon's default profile is unknown");
    report.daemon = daemon_seccomp(info.ok() ? info.value : std::nullopt, slurp);
    if (report.daemon->kind == DaemonSeccomp::Kind::custom && !report.daemon->parsed)
      warning("the daemon's default profile " + report.daemon->profile + " was not judged (" +
              report.daemon->parse_error + "): containers using it are judged from the kernel");
    const auto &dangerous = dangerous_calls();
    for (const auto &summary : *list.value) {
      bool running =
          summary.state == "running" || summary.state == "paused" || summary.state == "restarting";
      if (!running && !options.all) continue;
      auto inspected = client.inspect(summary.id);
      if (!inspected.ok()) {
        // Removed between the list and the inspect: nothing left to audit.
        if (inspected.status != docker::ApiStatus::not_found)
          warning("inspect " + container::short_id(summary.id) + ": " + inspected.error);
        continue;
      }
      const docker::ContainerMetadata &meta = *inspected.value;
      KernelView kernel;
      if (!mount) {
        kernel.error = cgroup_error;
      } else if (meta.running || meta.pid > 0) {
        std::optional<std::string> path;
        if (auto it = cgroups.find(meta.id); it != cgroups.end())
          path = it->second.container_path;
        else if (meta.pid > 0)  // a cgroup path the naming rules do not know
          path = cgroup::cgroup_path_of_pid(meta.pid);
        if (path)
          kernel = read_kernel_view(*mount, *path);
        else
          kernel.error = "cgroup of " + container::short_id(meta.id) + " not found";
      } else {
        kernel.error = "not running";
      }
      ConfigView config = config_view(meta, *report.daemon, dangerous);
      report.containers.push_back(judge(meta, config, kernel));
      cgroups.erase(meta.id);
    }
    // What is left in `cgroups` is unknown to this daemon; inspected ones were erased above,
    // so also drop any the list knows (stopped ones skipped without --all).
    for (const auto &summary : *list.value) cgroups.erase(summary.id);
  }

  for (const auto &[id, ref] : cgroups) {
    KernelView kernel = read_kernel_view(*mount, ref.container_path);
    if (kernel.available && kernel.processes.empty()) continue;  // an empty leftover cgroup
    report.containers.push_back(judge_cgroup_only(ref, kernel, report.api_reachable));
  }
  return report;
}

}  // namespace syscope::audit
