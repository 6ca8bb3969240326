// SPDX-License-Identifier: Apache-2.0
// The audit report as an aligned table (findings under their row) or as one JSON document.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "syscope/audit/audit.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::audit {
namespace {

std::string config_cell(const ContainerAudit &c) {
  if (!c.config) return "unknown (" + c.runtime + " cgroup)";
  const ConfigView &v = *c.config;
  std::string out(setting_name(v.setting));
  switch (v.setting) {
    case Setting::unconfined:
      if (v.privileged) return out + " (privileged)";
      if (v.source.rfind("seccomp", 0) == 0) return out + " (" + v.source + ")";
      return out + " (daemon)";
    case Setting::custom: {
      std::string where = v.source == "inline profile" ? "inline" : "daemon";
      if (v.permissive && v.permissive->permissive)
        return out + " (" + where + ", " + seccomp::action_name(v.permissive->default_action) + ")";
      return out + " (" + where + ")";
    }
    case Setting::default_profile:
    case Setting::unknown: break;
  }
  return out;
}

std::string kernel_cell(const ContainerAudit &c) {
  const KernelView &k = c.kernel;
  if (!k.available) return c.known_to_api && c.config && c.state != "running" ? "-" : "n/a";
  if (k.processes.empty()) return "no processes";
  size_t unfiltered = std::count_if(k.processes.begin(), k.processes.end(),
                                    [](const ProcessSeccomp &p) { return p.mode == 0; });
  std::string total = std::to_string(k.processes.size());
  if (unfiltered) return "unfiltered " + std::to_string(unfiltered) + "/" + total;
  bool strict = std::all_of(k.processes.begin(), k.processes.end(),
                            [](const ProcessSeccomp &p) { return p.mode == 1; });
  return (strict ? "strict " : "filtered ") + total + "/" + total;
}

std::string controls_text(const std::vector<std::string> &controls) {
  std::string out;
  for (const auto &c : controls) out += (out.empty() ? "" : " ") + c;
  return out;
}

}  // namespace

std::string render_table(const Report &report) {
  const std::vector<std::string> header = {"CONTAINER ID", "NAME",   "IMAGE",
                                           "CONFIG",       "KERNEL", "VERDICT"};
  std::vector<std::vector<std::string>> rows;
  for (const auto &c : report.containers)
    rows.push_back({container::short_id(c.id), c.name.empty() ? "-" : c.name,
                    c.image.empty() ? "-" : c.image, config_cell(c), kernel_cell(c),
                    c.pass ? "PASS" : "FAIL"});
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    width[i] = header[i].size();
    for (const auto &row : rows) width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string> &cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - cells[i].size() + 3, ' ');
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (size_t r = 0; r < rows.size(); ++r) {
    out += line(rows[r]);
    const ContainerAudit &c = report.containers[r];
    for (const auto &f : c.findings)
      out += "    FAIL: " + f.reason + " [" + controls_text(f.controls) + "]\n";
    for (const auto &n : c.notes) out += "    note: " + n + "\n";
  }
  size_t failed = report.failed();
  out += "\n" + std::to_string(report.containers.size()) + " container" +
         (report.containers.size() == 1 ? "" : "s") + ": " +
         std::to_string(report.containers.size() - failed) + " PASS, " + std::to_string(failed) +
         " FAIL\n";
  return out;
}

nlohmann::ordered_json to_json(const ContainerAudit &c) {
  using json = nlohmann::ordered_json;
  json j;
  j["id"] = c.id;
  j["short_id"] = container::short_id(c.id);
  j["name"] = c.name.empty() ? json(nullptr) : json(c.name);
  j["image"] = c.image.empty() ? json(nullptr) : json(c.image);
  j["state"] = c.state;
  j["runtime"] = c.runtime;
  j["known_to_api"] = c.known_to_api;
  if (c.config) {
    const ConfigView &v = *c.config;
    json config = {{"seccomp", std::string(setting_name(v.setting))},
                   {"source", v.source},
                   {"privileged", v.privileged}};
    if (!v.detail.empty()) config["detail"] = v.detail;
    if (v.permissive) {
      config["default_action"] = seccomp::action_name(v.permissive->default_action);
      config["effectively_unconfined"] = v.permissive->effectively_unconfined();
      if (v.permissive->permissive) config["dangerous_allowed"] = v.permissive->open;
    }
    if (!v.profile_error.empty()) config["profile_error"] = v.profile_error;
    j["config"] = config;
  } else {
    j["config"] = nullptr;
  }
  json kernel = {{"available", c.kernel.available}};
  if (!c.kernel.cgroup.empty()) kernel["cgroup"] = c.kernel.cgroup;
  if (!c.kernel.error.empty()) kernel["error"] = c.kernel.error;
  json procs = json::array();
  for (const auto &p : c.kernel.processes)
    procs.push_back({{"pid", p.pid},
                     {"comm", p.comm},
                     {"seccomp", p.mode},
                     {"filters", p.filters < 0 ? json(nullptr) : json(p.filters)}});
  kernel["processes"] = procs;
  j["kernel"] = kernel;
  j["verdict"] = c.pass ? "PASS" : "FAIL";
  json findings = json::array();
  for (const auto &f : c.findings)
    findings.push_back({{"reason", f.reason}, {"controls", f.controls}});
  j["findings"] = findings;
  j["notes"] = c.notes;
  return j;
}

std::string render_json(const Report &report) {
  using json = nlohmann::ordered_json;
  json containers = json::array();
  for (const auto &c : report.containers) containers.push_back(to_json(c));
  json doc;
  json docker = {{"socket", report.docker_socket}, {"reachable", report.api_reachable}};
  if (report.daemon) {
    static const char *kinds[] = {"builtin", "unconfined", "custom", "unsupported", "unknown"};
    docker["default_seccomp"] = kinds[static_cast<int>(report.daemon->kind)];
    if (!report.daemon->profile.empty()) docker["default_seccomp_profile"] = report.daemon->profile;
  }
  doc["docker"] = docker;
  doc["cgroups_readable"] = report.cgroups_readable;
  doc["containers"] = containers;
  size_t failed = report.failed();
  doc["summary"] = {{"containers", report.containers.size()},
                    {"pass", report.containers.size() - failed},
                    {"fail", failed}};
  doc["warnings"] = report.warnings;
  return doc.dump(2) + "\n";
}

}  // namespace syscope::audit
