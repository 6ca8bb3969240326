// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/dry_run_reports.hpp"

#include "syscope/base/clock.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::daemon {

bool DryRunReports::add(const std::string &container_id, const watch::WouldDeny &w,
                        uint64_t wall_ns) {
  auto rule = seccomp::rule_json(w.rule);
  // The same call from two cgroups (or tasks) of one container is one row: the kernel
  // deduplicates per cgroup, a reviewer wants it per container.
  std::string key = w.syscall + " " + rule.dump();
  auto &mine = by_container_[container_id];
  auto it = mine.rows.find(key);
  if (it == mine.rows.end()) {
    if (mine.rows.size() >= kMaxRows) {
      ++mine.dropped;
      return false;
    }
    Row row;
    row.syscall = w.syscall;
    row.call = w.call_text;
    row.verdict = w.verdict_text;
    row.rule = std::move(rule);
    row.first_ns = wall_ns;
    it = mine.rows.emplace(key, std::move(row)).first;
    ++total_;
  }
  ++it->second.reports;
  it->second.last_ns = wall_ns;
  return it->second.reports == 1;
}

void DryRunReports::forget(const std::string &container_id) {
  auto it = by_container_.find(container_id);
  if (it == by_container_.end()) return;
  total_ -= it->second.rows.size();
  by_container_.erase(it);
}

nlohmann::ordered_json DryRunReports::container_json(const std::string &container_id,
                                                     nlohmann::ordered_json who) const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  uint64_t dropped = 0;
  if (auto it = by_container_.find(container_id); it != by_container_.end()) {
    for (const auto &[key, row] : it->second.rows)
      rows.push_back({{"syscall", row.syscall},
                      {"call", row.call},
                      {"verdict", row.verdict},
                      {"rule", row.rule},
                      {"reports", row.reports},
                      {"first", rfc3339_time(row.first_ns)},
                      {"last", rfc3339_time(row.last_ns)}});
    dropped = it->second.dropped;
  }
  who["would_deny"] = rows;
  who["rows_dropped"] = dropped;
  return who;
}

nlohmann::ordered_json DryRunReports::rules_to_add(const std::string &container_id) const {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  if (auto it = by_container_.find(container_id); it != by_container_.end())
    for (const auto &[key, row] : it->second.rows) rules.push_back(row.rule);
  return rules;
}

}  // namespace syscope::daemon
