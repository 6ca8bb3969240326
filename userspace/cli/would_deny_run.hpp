// SPDX-License-Identifier: Apache-2.0
// syscope watch [--daemon] --would-deny PROFILE: the options watch passes on to the dry-run.
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
  std::string daemon_socket;  // with --daemon: the daemon judges, this side prints
};

void run_would_deny(const WouldDenyOptions &opts);
// watch --daemon --would-deny (would_deny_daemon.cpp): the running daemon loads nothing new but
// the dry-run programs, judges, and sends each call the candidate would refuse; the candidate
// ends with this connection.
void run_would_deny_daemon(const WouldDenyOptions &opts);

}  // namespace syscope::cli
