// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/container_alerts.hpp"

#include <fstream>
#include <sstream>

namespace syscope::daemon {
namespace {

std::optional<std::string> read_text(const std::string &path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void ContainerAlerts::set_engine_info(const std::optional<docker::EngineInfo> &info) {
  engine_ = audit::daemon_seccomp(info, read_text);
}

std::optional<nlohmann::ordered_json> ContainerAlerts::keep(audit::ContainerAudit verdict,
                                                            const std::string &runtime) {
  verdict.runtime = runtime;
  std::string id = verdict.id;
  std::string findings;
  for (const auto &f : verdict.findings) findings += f.reason + "\n";
  verdicts_[id] = verdict;
  if (verdict.pass || alerted_[id] == findings) return std::nullopt;
  alerted_[id] = findings;
  nlohmann::ordered_json alert;
  alert["type"] = "alert";
  alert["container"] = {{"id", verdict.id},
                        {"name", verdict.name},
                        {"image", verdict.image},
                        {"runtime", verdict.runtime}};
  alert["state"] = verdict.state;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::set<std::string> controls;
  for (const auto &f : verdict.findings) {
    list.push_back({{"reason", f.reason}, {"controls", f.controls}});
    controls.insert(f.controls.begin(), f.controls.end());
  }
  alert["findings"] = list;
  alert["controls"] = std::vector<std::string>(controls.begin(), controls.end());
  alert["audit"] = audit::to_json(verdict);
  return alert;
}

std::optional<nlohmann::ordered_json> ContainerAlerts::judge_running(const TrackedContainer &c) {
  audit::KernelView kernel = audit::read_kernel_view(mount_, c.ref.container_path);
  std::string runtime(container::runtime_name(c.ref.runtime));
  if (!c.metadata) {
    auto verdict = audit::judge_cgroup_only(c.ref, kernel, false);
    verdict.notes.push_back("no metadata from the runtime's API (" + c.metadata_error + ")");
    if (verdict.findings.empty() && c.unfiltered_workload) {
      verdict.findings.push_back(
          {"the kernel saw its workload make calls without a seccomp filter", audit::kControls});
      verdict.pass = false;
    }
    return keep(std::move(verdict), runtime);
  }
  auto config = audit::config_view(*c.metadata, engine_, audit::dangerous_calls());
  auto verdict = audit::judge(*c.metadata, config, kernel);
  // The daemon's own bitmaps are a kernel view that outlives the processes: a short-lived
  // container is gone from /proc before anyone reads it, its calls were still seen unfiltered.
  bool kernel_found_it = false;
  for (const auto &p : kernel.processes) kernel_found_it |= p.mode == 0;
  if (c.unfiltered_workload && !kernel_found_it && config.setting != audit::Setting::unconfined) {
    verdict.findings.push_back({"config and kernel disagree: the kernel saw the workload make "
                                "calls without a seccomp filter",
                                audit::kControls});
    verdict.pass = false;
  }
  if (!c.running()) verdict.state = "exited";
  return keep(std::move(verdict), runtime);
}

std::optional<nlohmann::ordered_json> ContainerAlerts::judge_created(
    const docker::ContainerMetadata &meta) {
  auto config = audit::config_view(meta, engine_, audit::dangerous_calls());
  audit::KernelView kernel;
  kernel.error = "not running";
  return keep(audit::judge(meta, config, kernel), "docker");
}

nlohmann::ordered_json ContainerAlerts::verdicts() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto &[id, v] : verdicts_) out.push_back(audit::to_json(v));
  return out;
}

size_t ContainerAlerts::failing() const {
  size_t n = 0;
  for (const auto &[id, v] : verdicts_) n += !v.pass;
  return n;
}

}  // namespace syscope::daemon
