// SPDX-License-Identifier: Apache-2.0
// The daemon's dry-run settings made usable: each distinct candidate profile loaded and compiled
// once (watch/would_deny.hpp's judge, runc's semantics), given a kernel candidate index, and the
// question "which candidate does this container run under?" answered by name, id or image.
// Pure: no BPF, no I/O but reading the profile files at construction.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "syscope/daemon/daemon_config.hpp"
#include "syscope/watch/would_deny.hpp"

namespace syscope::daemon {

class DryRunCandidates {
 public:
  struct Candidate {
    std::string profile;  // the file, as configured
    std::unique_ptr<watch::WouldDenyJudge> judge;
  };

  // Loads every setting's profile (one judge per distinct file). Exit::usage naming the setting
  // for a profile that cannot be read, parsed or compiled, and for more distinct profiles than
  // the kernel holds (SYSCOPE_DRY_CANDIDATES). Profile warnings go to `warnings`.
  DryRunCandidates(const std::vector<DryRunSetting> &settings, std::vector<std::string> *warnings);

  bool empty() const { return settings_.empty(); }
  const std::vector<Candidate> &candidates() const { return candidates_; }  // index = kernel's
  // The candidate index for a container: the first setting naming it (container: its name or an
  // id prefix; image: the reference it was run with, "nginx" meaning "nginx:latest").
  std::optional<uint32_t> candidate_for(const std::string &name, const std::string &id,
                                        const std::string &image) const;
  // The settings as status shows them.
  nlohmann::json settings_json() const;

 private:
  struct Bound {
    DryRunSetting setting;
    uint32_t candidate = 0;
  };
  std::vector<Bound> settings_;
  std::vector<Candidate> candidates_;
};

}  // namespace syscope::daemon
