// SPDX-License-Identifier: Apache-2.0
// One setup_<subcommand>() per file in userspace/cli/: each owns its options struct, binds its
// flags and sets the callback that runs it (CLI11's subcom_in_files pattern).
#pragma once
#include <CLI/CLI.hpp>

namespace syscope::cli {

// Set by the subcommand that ran: its exit status, for commands that pass on a child's.
extern int g_exit_status;

void setup_record(CLI::App &app);
void setup_exec(CLI::App &app);
void setup_audit(CLI::App &app);
void setup_lint(CLI::App &app);
void setup_watch(CLI::App &app);
void setup_trace(CLI::App &app);
void setup_profile(CLI::App &app);
void setup_daemon(CLI::App &app);
void setup_status(CLI::App &app);

}  // namespace syscope::cli
