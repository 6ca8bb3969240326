// SPDX-License-Identifier: Apache-2.0
// syscope watch --would-deny PROFILE: the options watch passes on to the dry-run.
#pragma once
#include <string>
#include <vector>

namespace syscope::cli {

struct WouldDenyOptions {
  std::string profile;                  // the candidate, Docker format
  std::vector<std::string> containers;  // empty: every container
  bool json = false;
  bool fail_on_denial = false;  // exit 1 when anything would be denied
  bool verbose = false;
  double duration_s = 0;
  std::string docker_socket;
};

void run_would_deny(const WouldDenyOptions &opts);

}  // namespace syscope::cli
