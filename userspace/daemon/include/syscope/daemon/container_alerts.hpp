// SPDX-License-Identifier: Apache-2.0
// The daemon's audit: each container judged by audit's own rules (config from the runtime's
// API, kernel view from /proc and from the daemon's own bitmaps) the moment its workload starts,
// or, for a container that is only created, when the API first lists it. A failed verdict is
// an alert event naming the CIS Docker / DISA STIG controls; every verdict is kept for the
// socket's `audit` request.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "syscope/audit/audit.hpp"
#include "syscope/daemon/container_registry.hpp"

namespace syscope::daemon {

class ContainerAlerts {
 public:
  explicit ContainerAlerts(std::string cgroup2_mount) : mount_(std::move(cgroup2_mount)) {}

  // The runtime's default seccomp setting (GET /info), read again now and then.
  void set_engine_info(const std::optional<docker::EngineInfo> &info);

  // Judges a container whose workload runs (or ran), keeps the verdict and returns the alert
  // event for a FAIL (nullopt for a PASS, and for a verdict already alerted the same way).
  std::optional<nlohmann::ordered_json> judge_running(const TrackedContainer &c);
  // The same for a container the API lists that has no cgroup (created, never started).
  std::optional<nlohmann::ordered_json> judge_created(const docker::ContainerMetadata &meta);

  // Every verdict, newest per container, as `syscope audit --json` shows them.
  nlohmann::ordered_json verdicts() const;
  size_t failing() const;
  // The kept verdict of one container; nullptr before its workload was judged.
  const audit::ContainerAudit *verdict(const std::string &id) const {
    auto it = verdicts_.find(id);
    return it == verdicts_.end() ? nullptr : &it->second;
  }
  void forget(const std::string &id) {
    verdicts_.erase(id);
    alerted_.erase(id);
  }

 private:
  std::optional<nlohmann::ordered_json> keep(audit::ContainerAudit verdict,
                                             const std::string &runtime);

  std::string mount_;
  audit::DaemonSeccomp engine_;
  std::map<std::string, audit::ContainerAudit> verdicts_;  // by container id
  std::map<std::string, std::string> alerted_;             // id -> findings already alerted
};

}  // namespace syscope::daemon
