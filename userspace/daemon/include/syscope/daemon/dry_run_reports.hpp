// SPDX-License-Identifier: Apache-2.0
// What the daemon's dry-run found, per container: each distinct call its candidate would refuse
// (one row per rule that would have to be added, however many cgroups or tasks made it), with
// how often it was reported and when first and last. Bounded: past kMaxRows rows a container's
// further distinct calls are only counted. Pure.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "syscope/watch/would_deny.hpp"

namespace syscope::daemon {

class DryRunReports {
 public:
  static constexpr size_t kMaxRows = 256;  // per container

  // Adds `w` (its container set) seen at `wall_ns`; true when it is a new row.
  bool add(const std::string &container_id, const watch::WouldDeny &w, uint64_t wall_ns);
  void forget(const std::string &container_id);
  uint64_t total() const { return total_; }  // rows of every container

  // {"id","name","image","profile","would_deny":[{syscall, call, verdict, rule, reports, first,
  // last}],"rows_dropped"}, the rows sorted by syscall; `who` supplies id/name/image/profile.
  nlohmann::ordered_json container_json(const std::string &container_id,
                                        nlohmann::ordered_json who) const;
  // A patch a reviewer can apply: the rules to add, one per row, in Docker's "syscalls" form.
  nlohmann::ordered_json rules_to_add(const std::string &container_id) const;
  bool has(const std::string &container_id) const { return by_container_.count(container_id); }

 private:
  struct Row {
    std::string syscall, call, verdict;
    nlohmann::ordered_json rule;
    uint64_t reports = 0, first_ns = 0, last_ns = 0;
  };
  struct Container {
    std::map<std::string, Row> rows;  // by syscall + the rule's JSON
    uint64_t dropped = 0;
  };
  std::map<std::string, Container> by_container_;
  uint64_t total_ = 0;
};

}  // namespace syscope::daemon
