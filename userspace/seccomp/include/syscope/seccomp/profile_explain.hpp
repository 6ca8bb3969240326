// SPDX-License-Identifier: Apache-2.0
// `profile explain`: what a profile allows, read against Docker's default: the calls it allows
// that the default refuses (and why the default does), counts, the argument values it allows in
// words ("socket: arg0 (family) == AF_UNIX (1)"), and the architectures it covers.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

struct Explanation {
  struct Beyond {  // allowed here, refused by Docker's default
    std::string name;
    std::string reason;  // blocked-reasons.json, or "not in its allow list"
    bool by_argument;    // allowed here only for some argument values
  };
  struct ArgumentAllow {  // one ALLOW rule with args, for one name
    std::string name;
    std::vector<std::string> conditions;      // "arg0 (family) == AF_UNIX (1)", ANDed
    std::vector<std::string> docker_default;  // the default's rules for the name, same words;
                                              // empty: the default allows it outright or not
    bool docker_allows_outright = false;
  };
  struct Arch {
    std::string architecture;
    std::vector<std::string> sub_architectures;  // archMap only
  };

  size_t allowed = 0;              // names the profile allows (outright or by argument)
  size_t allowed_outright = 0;     // allowed for any arguments
  size_t allowed_by_argument = 0;  // allowed only for some argument values
  size_t default_allowed = 0;      // Docker's default on this arch, for comparison
  size_t shared = 0;               // allowed by both
  std::string default_action;
  std::vector<Beyond> beyond_default;
  std::vector<ArgumentAllow> argument_allows;
  std::vector<Arch> architectures;  // empty: the native arch only
};

Explanation explain_profile(const Profile &profile);

// One condition in words: "arg0 (family) == AF_UNIX (1)", "arg0 (flags) & 0x7e020000 == 0".
std::string condition_text(const std::string &name, const ArgCondition &cond);

std::string explanation_text(const std::string &origin, const Explanation &e);
nlohmann::ordered_json explanation_json(const std::string &origin, const Explanation &e);

}  // namespace syscope::seccomp
