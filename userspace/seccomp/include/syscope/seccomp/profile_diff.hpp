// SPDX-License-Identifier: Apache-2.0
// `profile diff A B`: what B adds and removes against A, as a reviewer reads a change before
// merging it: the default action and architectures, names per action, argument rules per call.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

struct ProfileDiff {
  struct Change {  // "from" -> "to"; both empty: unchanged
    std::string from, to;
    bool changed() const { return from != to; }
  };
  struct Names {         // names a rule without conditions gives this action
    std::string action;  // "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO(EACCES)"
    std::vector<std::string> added, removed;
  };
  struct ArgumentRules {  // one call's rules with conditions (args, includes or excludes)
    std::string name;
    std::vector<std::string> added, removed;  // each rule in words: "SCMP_ACT_ALLOW if arg0 == 8"
  };
  Change default_action;  // with defaultErrnoRet: "SCMP_ACT_ERRNO(EPERM)"
  std::vector<std::string> architectures_added, architectures_removed;
  std::vector<Names> names;                   // by action, only those with a change
  std::vector<ArgumentRules> argument_rules;  // by name, only those with a change
  bool equal() const;
};

// Both compared after normalize_profile, so rule order, splitting and duplicates never show.
ProfileDiff diff_profiles(const Profile &a, const Profile &b);

// "--- A\n+++ B\n" then one section per kind of change; "profiles are equal" when equal.
std::string diff_text(const std::string &a_origin, const std::string &b_origin,
                      const ProfileDiff &d);
nlohmann::ordered_json diff_json(const std::string &a_origin, const std::string &b_origin,
                                 const ProfileDiff &d);

}  // namespace syscope::seccomp
