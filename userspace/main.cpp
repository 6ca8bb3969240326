// SPDX-License-Identifier: Apache-2.0
// Builds the CLI11 app from the subcommands and maps errors to exit codes (README.md: Exit codes).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"

int main(int argc, char **argv) {
  CLI::App app{"syscope: eBPF syscall observer that turns what containers really call into "
               "seccomp profiles"};
  app.set_version_flag("--version", SYSCOPE_VERSION);
  app.require_subcommand(1);
  syscope::cli::setup_record(app);
  syscope::cli::setup_exec(app);
  syscope::cli::setup_audit(app);
  syscope::cli::setup_lint(app);
  syscope::cli::setup_watch(app);
  syscope::cli::setup_trace(app);
  syscope::cli::setup_profile(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(syscope::Exit::usage);
  } catch (const syscope::Error &e) {
    std::fprintf(stderr, "syscope: %s\n", e.what());
    return static_cast<int>(e.code);
  }
  return syscope::cli::g_exit_status;
}
