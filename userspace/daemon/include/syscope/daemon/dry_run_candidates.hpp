// SPDX-License-Identifier: Apache-2.0
// The daemon's dry-run settings made usable: each candidate profile loaded and compiled once
// (watch/would_deny.hpp's judge, runc's semantics) in one of the kernel's candidate slots, and
// the question "which candidate does this container run under?" answered by name, id or image.
// The config's settings hold their slots for the daemon's life; a client's (watch --daemon
// --would-deny) hold one until the client ends. Pure: no BPF, no I/O but reading the config's
// profile files.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "syscope/daemon/daemon_config.hpp"
#include "syscope/seccomp/profile.hpp"
#include "syscope/watch/would_deny.hpp"

namespace syscope::daemon {

class DryRunCandidates {
 public:
  static constexpr uint64_t kConfig = 0;  // the owner of the config's settings

  struct Candidate {
    std::string profile;  // the file, as configured or as the client named it
    uint64_t owner = kConfig;
    std::unique_ptr<watch::WouldDenyJudge> judge;
  };

  // Loads every setting's profile (one slot per distinct file). Exit::usage naming the setting
  // for a profile that cannot be read, parsed or compiled, and for more distinct profiles than
  // the kernel holds (SYSCOPE_DRY_CANDIDATES). Profile warnings go to `warnings`.
  DryRunCandidates(const std::vector<DryRunSetting> &settings, std::vector<std::string> *warnings);

  // A client's candidate, judging the containers `containers` names (names or id prefixes;
  // empty: every container no other setting names). Returns its slot; Exit::usage when the
  // profile does not compile or every slot is taken.
  uint32_t add_client(uint64_t owner, const seccomp::Profile &profile, const std::string &source,
                      const std::vector<std::string> &containers);
  // Frees the slots of `owner`'s candidates and returns them.
  std::vector<uint32_t> remove_owner(uint64_t owner);

  bool empty() const;                               // no candidate at all
  const Candidate *candidate(uint32_t slot) const;  // nullptr for a free slot
  // The candidate for a container: the first setting naming it (container: its name or an id
  // prefix; image: the reference it was run with, "nginx" meaning "nginx:latest"), the config's
  // settings before the clients'.
  std::optional<uint32_t> candidate_for(const std::string &name, const std::string &id,
                                        const std::string &image) const;
  // The settings as status shows them.
  nlohmann::json settings_json() const;

 private:
  struct Bound {
    DryRunSetting setting;  // container and image both empty: every container
    uint32_t candidate = 0;
  };
  uint32_t free_slot(const std::string &where);  // may grow slots_ up to the kernel's count

  std::vector<Bound> settings_;
  std::vector<Candidate> slots_;  // judge null: free
};

}  // namespace syscope::daemon
