// SPDX-License-Identifier: Apache-2.0
// `syscope daemon`: one always-on agent for every container of the node. It loads the daemon's
// programs once (or resumes them from their pins), ties cgroups to containers, keeps a profile
// per container and per image in its state dir, reports denials and unconfined containers the
// moment they happen, traces on request and keeps flight recorders, and answers on its control
// socket. Its log is JSON lines on stdout.
#pragma once
#include <string>
#include <vector>

#include "syscope/daemon/daemon_config.hpp"

namespace syscope::daemon {

// Runs until SIGTERM, SIGINT or SIGHUP; throws syscope::Error for what stops it from starting
// (another daemon on the state dir, pin dir or socket; no BTF; no privileges).
void run_daemon(const DaemonConfig &config);

// Removes what a daemon that did not stop cleanly (kill -9, or --keep-attached) left: its pinned
// links (the programs detach) and maps. One line per thing removed. Exit::environment while a
// daemon runs on the same pin dir.
std::vector<std::string> uninstall_daemon(const DaemonConfig &config);

}  // namespace syscope::daemon
